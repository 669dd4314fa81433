use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use portal_domain::types::{PersonName, Phone};
use portal_domain::use_cases::{accept_invitation, lookup_invitation};
use portal_domain::user::Profile;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::openapi::PhoneOrBlank;
use portal_http::{AccessTokens, ApiJson, Problem};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{TokenPair, required, token_pair};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LookupBody {
    /// The token of the link (`/welcome#token=…`).
    #[schema(value_type = String)]
    token: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    username: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    /// The person's name is unknown: the profile is required.
    needs_profile: bool,
    /// Staff want the person to confirm (or correct) their name and phone before the
    /// password: the page shows them, filled in.
    confirm_contact_data: bool,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// What the welcome page shows before the person chooses a password.
#[utoipa::path(post, path = "/invitations/lookup", operation_id = "lookup_invitation",
    request_body = LookupBody,
    responses(
        (status = 200, description = "The invitation", body = InvitationView),
        (status = 410, description = "Unknown, expired, used or revoked (`invitation_invalid`)"),
        (status = 422, description = "`token` is missing (`validation_failed`)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn lookup(
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<LookupBody>,
) -> Result<Json<InvitationView>, Problem> {
    let token = required("token", body.token)?;
    let user = lookup_invitation(&ports, &token).await?;
    let invitation = user.invitation().ok_or(DomainError::InvitationInvalid)?;
    Ok(Json(InvitationView {
        username: user.username().to_string(),
        email: user.email().to_string(),
        first_name: user.first_name().map(ToString::to_string),
        last_name: user.last_name().map(ToString::to_string),
        phone: user.phone().map(ToString::to_string),
        needs_profile: user.needs_profile(),
        confirm_contact_data: invitation.confirm_contact_data,
        expires_at: invitation.expires_at,
    }))
}

/// The name (and phone) of a person invited by address alone.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ProfileBody {
    #[schema(value_type = PersonName)]
    first_name: Option<String>,
    #[schema(value_type = PersonName)]
    last_name: Option<String>,
    #[schema(value_type = Option<PhoneOrBlank>, inline)]
    phone: Option<String>,
}

impl TryFrom<ProfileBody> for Profile {
    type Error = FieldErrors;

    fn try_from(body: ProfileBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = errors.require(
            "profile.first_name",
            body.first_name.as_deref(),
            PersonName::parse,
        );
        let last_name = errors.require(
            "profile.last_name",
            body.last_name.as_deref(),
            PersonName::parse,
        );
        let phone = errors.optional("profile.phone", body.phone.as_deref(), Phone::parse);
        errors.finish(|| {
            Some(Profile {
                first_name: first_name?,
                last_name: last_name?,
                phone: phone?,
            })
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AcceptBody {
    #[schema(value_type = String)]
    token: Option<String>,
    /// At least `PASSWORD_MIN_LENGTH` characters (15 by default), not easy to guess.
    #[schema(value_type = String)]
    password: Option<String>,
    /// Required when the lookup said `needs_profile`.
    profile: Option<ProfileBody>,
}

/// Sets the password (and the profile) and signs the person in; the link dies.
#[utoipa::path(post, path = "/invitations/accept", operation_id = "accept_invitation",
    request_body = AcceptBody,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 410, description = "Unknown, expired, used or revoked (`invitation_invalid`)"),
        (status = 422, description = "A field is missing or invalid (`validation_failed`), or \
            the password is too short or easy to guess (`password_rejected`)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn accept(
    State(ports): State<Ports>,
    State(tokens): State<Arc<AccessTokens>>,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<Json<TokenPair>, Problem> {
    let token = required("token", body.token)?;
    let password = required("password", body.password)?;
    let profile = body
        .profile
        .map(Profile::try_from)
        .transpose()
        .map_err(DomainError::from)?;
    let session = accept_invitation(&ports, &token, &password, profile).await?;
    Ok(token_pair(&tokens, &session))
}

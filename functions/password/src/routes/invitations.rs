use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::types::{EmailAddress, PersonName, Phone};
use portal_domain::use_cases::{accept_invitation, lookup_invitation, send_invitation_email_code};
use portal_domain::user::Profile;
use portal_domain::verification_code::CodeAttempt;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::openapi::PhoneOrBlank;
use portal_http::{AccessTokens, ApiJson, Problem};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{LoginAnswer, login_answer, required};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LookupBody {
    /// The token of the link (`/welcome#token=…`).
    #[schema(value_type = String)]
    token: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    /// `null` for a person known by name alone: the address they confirm becomes it.
    username: Option<String>,
    /// `null` for a person known by name alone (`needs_email`).
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    /// The person's name is unknown: the profile is required.
    needs_profile: bool,
    /// The person is known by name alone: the page asks for an address
    /// (`POST /invitations/email`) and the accept needs the code sent to it.
    needs_email: bool,
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
        username: user.username().map(ToString::to_string),
        email: user.email().map(|email| email.to_string()),
        first_name: user.first_name().map(ToString::to_string),
        last_name: user.last_name().map(ToString::to_string),
        phone: user.phone().map(ToString::to_string),
        needs_profile: user.needs_profile(),
        needs_email: user.needs_email(),
        confirm_contact_data: invitation.confirm_contact_data,
        expires_at: invitation.expires_at,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EmailBody {
    #[schema(value_type = String)]
    token: Option<String>,
    /// The address the person will sign in with and be written to.
    #[schema(value_type = String, format = "email")]
    email: Option<String>,
}

/// A person known by name alone gives their address: a 6-digit code goes to it (10
/// minutes, 5 tries; a new code at most once a minute, 6 in all).
#[utoipa::path(post, path = "/invitations/email", operation_id = "send_invitation_email_code",
    request_body = EmailBody,
    responses(
        (status = 202, description = "A code is on its way to the address"),
        (status = 409, description = "The invitation has an address already (`invalid_state`)"),
        (status = 410, description = "Unknown, expired, used or revoked (`invitation_invalid`)"),
        (status = 422, description = "A field is missing or invalid (`validation_failed`)"),
        (status = 429, description = "A code was sent less than a minute ago, or all of them             were (`rate_limited`, with `Retry-After`); or too many requests from this client"),
    ))]
pub async fn email(
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<StatusCode, Problem> {
    let token = required("token", body.token)?;
    let email = required("email", body.email)?;
    let email = EmailAddress::parse(&email)
        .map_err(|reason| DomainError::invalid_field("email", reason))?;
    send_invitation_email_code(&ports, &token, &email).await?;
    Ok(StatusCode::ACCEPTED)
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
    /// Required when the lookup said `needs_email`: the 6 digits sent to the address given
    /// through `POST /invitations/email`.
    #[schema(value_type = Option<String>, pattern = "^[0-9]{6}$")]
    email_code: Option<String>,
}

/// Sets the password (and the profile) and signs the person in; the link dies.
#[utoipa::path(post, path = "/invitations/accept", operation_id = "accept_invitation",
    request_body = AcceptBody,
    responses(
        (status = 200, description = "Signed in, or (for a member of an organization that \
            requires a second factor) the enrolment step first", body = LoginAnswer),
        (status = 409, description = "The confirmed address is another contact's or user's \
            (`conflict`)"),
        (status = 410, description = "Unknown, expired, used or revoked (`invitation_invalid`)"),
        (status = 422, description = "A field is missing or invalid (`validation_failed`), \
            the password is too short or easy to guess (`password_rejected`), or the email \
            code is wrong or expired (`code_invalid`)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn accept(
    State(ports): State<Ports>,
    State(tokens): State<Arc<AccessTokens>>,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<Json<LoginAnswer>, Problem> {
    let token = required("token", body.token)?;
    let password = required("password", body.password)?;
    let profile = body
        .profile
        .map(Profile::try_from)
        .transpose()
        .map_err(DomainError::from)?;
    let email_code = body
        .email_code
        .as_deref()
        .map(CodeAttempt::parse)
        .transpose()
        .map_err(|reason| DomainError::invalid_field("email_code", reason))?;
    let signed_in = accept_invitation(&ports, &token, &password, profile, email_code).await?;
    Ok(login_answer(&tokens, signed_in))
}

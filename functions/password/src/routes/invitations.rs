use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use portal_domain::types::{PersonName, Phone};
use portal_domain::use_cases::{accept_invitation, lookup_invitation};
use portal_domain::user::Profile;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{AccessTokens, ApiJson, Problem};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{TokenPair, required, token_pair};

#[derive(Deserialize)]
pub struct LookupBody {
    token: Option<String>,
}

#[derive(Serialize)]
pub struct InvitationView {
    username: String,
    email: String,
    first_name: Option<String>,
    needs_profile: bool,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// What the welcome page shows before the person chooses a password.
pub async fn lookup(
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<LookupBody>,
) -> Result<Json<InvitationView>, Problem> {
    let token = required("token", body.token)?;
    let user = lookup_invitation(&ports, &token).await?;
    let invitation = user
        .invitation
        .as_ref()
        .ok_or(DomainError::InvitationInvalid)?;
    Ok(Json(InvitationView {
        username: user.username.to_string(),
        email: user.username.to_string(),
        first_name: user.first_name.as_ref().map(ToString::to_string),
        needs_profile: user.needs_profile(),
        expires_at: invitation.expires_at,
    }))
}

#[derive(Deserialize)]
pub struct ProfileBody {
    first_name: Option<String>,
    last_name: Option<String>,
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

#[derive(Deserialize)]
pub struct AcceptBody {
    token: Option<String>,
    password: Option<String>,
    profile: Option<ProfileBody>,
}

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

use axum::Json;
use axum::extract::{Path, State};
use portal_domain::registration::{Registration, RegistrationStatus};
use portal_domain::types::{Reason, Role};
use portal_domain::use_cases::{self, ContactChoice};
use portal_domain::user::Grant;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, InvitationSummary, Problem, Staff};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::known_shape;

#[derive(Serialize)]
pub struct Decision {
    registration_id: String,
    status: RegistrationStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_id: Option<String>,
}

impl From<&Registration> for Decision {
    fn from(registration: &Registration) -> Self {
        Self {
            registration_id: registration.id.clone(),
            status: registration.status,
            contact_id: registration
                .contact
                .as_ref()
                .map(|contact| contact.id.clone()),
        }
    }
}

/// `{contact_id}` links an existing contact; `{create_contact: true}` creates one from the request.
#[derive(Deserialize)]
pub struct LinkBody {
    contact_id: Option<String>,
    create_contact: Option<bool>,
}

impl TryFrom<LinkBody> for ContactChoice {
    type Error = FieldErrors;

    fn try_from(body: LinkBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let choice = match (body.contact_id, body.create_contact.unwrap_or(false)) {
            (Some(id), false) => Some(ContactChoice::Existing(id)),
            (None, true) => Some(ContactChoice::FromRequest),
            (Some(_), true) => {
                errors.add("contact_id", "must not be given with create_contact");
                None
            }
            (None, false) => {
                errors.add("contact_id", "is required unless create_contact is true");
                None
            }
        };
        errors.finish(|| choice)
    }
}

pub async fn link_contact(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Json<Decision>, Problem> {
    let choice = ContactChoice::try_from(body).map_err(DomainError::from)?;
    let registration = use_cases::link_contact(&ports, &staff, known_shape(&id)?, &choice).await?;
    Ok(Json((&registration).into()))
}

#[derive(Deserialize)]
pub struct ApproveBody {
    roles: Option<Vec<String>>,
    organization_id: Option<String>,
}

impl TryFrom<ApproveBody> for Grant {
    type Error = FieldErrors;

    fn try_from(body: ApproveBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let roles = errors.check("roles", Role::parse_all(&body.roles.unwrap_or_default()));
        errors.finish(|| {
            Some(Grant {
                roles: roles?,
                organization_id: body.organization_id,
            })
        })
    }
}

#[derive(Serialize)]
pub struct Approved {
    #[serde(flatten)]
    decision: Decision,
    portal_user_id: String,
    invitation: InvitationSummary,
}

pub async fn approve(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ApproveBody>,
) -> Result<Json<Approved>, Problem> {
    let grant = Grant::try_from(body).map_err(DomainError::from)?;
    let approval =
        use_cases::approve_registration(&ports, &staff, known_shape(&id)?, &grant).await?;
    let expires_at: OffsetDateTime = approval
        .user
        .invitation
        .as_ref()
        .map(|invitation| invitation.expires_at)
        .expect("an approved user is invited");
    Ok(Json(Approved {
        decision: (&approval.registration).into(),
        portal_user_id: approval.user.id.clone(),
        invitation: InvitationSummary::pending(expires_at),
    }))
}

#[derive(Deserialize)]
pub struct RejectBody {
    reason: Option<String>,
}

pub async fn reject(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<Decision>, Problem> {
    let mut errors = FieldErrors::new();
    let reason = errors.require("reason", body.reason.as_deref(), Reason::parse);
    let reason = errors.finish(|| reason).map_err(DomainError::from)?;
    let registration =
        use_cases::reject_registration(&ports, &staff, known_shape(&id)?, &reason).await?;
    Ok(Json((&registration).into()))
}

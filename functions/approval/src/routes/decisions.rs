use axum::Json;
use axum::extract::State;
use portal_domain::ids::Registration as RegistrationKind;
use portal_domain::ids::{ContactId, OrganizationId, PortalUserId};
use portal_domain::registration::{Registration, RegistrationStatus};
use portal_domain::types::{Reason, Role};
use portal_domain::use_cases::{self, ContactChoice};
use portal_domain::user::Grant;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, InvitationSummary, PathId, Problem, Staff};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Decision {
    registration_id: String,
    status: RegistrationStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    contact_id: Option<ContactId>,
}

impl From<&Registration> for Decision {
    fn from(registration: &Registration) -> Self {
        Self {
            registration_id: registration.id().to_string(),
            status: registration.status(),
            contact_id: registration.contact().map(|contact| contact.id.clone()),
        }
    }
}

/// `{contact_id}` links an existing contact; `{create_contact: true}` creates one from the request.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct LinkBody {
    /// An existing contact.
    contact_id: Option<String>,
    /// `true`: a new contact from the request's own fields.
    create_contact: Option<bool>,
}

impl TryFrom<LinkBody> for ContactChoice {
    type Error = DomainError;

    /// A `contact_id` of another shape than ids have is a contact that does not exist: 404.
    fn try_from(body: LinkBody) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let choice = match (body.contact_id, body.create_contact.unwrap_or(false)) {
            (Some(id), false) => Some(ContactChoice::Existing(
                ContactId::parse(&id).ok_or(DomainError::NotFound)?,
            )),
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
        Ok(errors.finish(|| choice)?)
    }
}

/// Links the contact this person is; the request becomes `resolved`.
#[utoipa::path(post, path = "/staff/registrations/{id}/link-contact", operation_id = "link_contact",
    security(("staff" = [])),
    params(PathId<RegistrationKind>), request_body = LinkBody,
    responses(
        (status = 200, description = "Linked", body = Decision),
        (status = 404, description = "No such request, or no such contact (`not_found`)"),
        (status = 409, description = "The request is not `new` or `resolved`, or the contact \
            already has a portal user (`invalid_state`, `conflict`)"),
        (status = 422, description = "Neither or both of `contact_id` and `create_contact` \
            (`validation_failed`)"),
    ))]
pub async fn link_contact(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<RegistrationKind>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Json<Decision>, Problem> {
    let choice = ContactChoice::try_from(body)?;
    let registration = use_cases::link_contact(&ports, &staff, &id, &choice).await?;
    Ok(Json((&registration).into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ApproveBody {
    /// Roles beyond the base one (needs `portal.roles.assign`), at most 50.
    #[schema(value_type = Option<Vec<Role>>, max_items = 50)]
    roles: Option<Vec<String>>,
    /// The organization the new user joins.
    organization_id: Option<String>,
}

impl TryFrom<ApproveBody> for Grant {
    type Error = FieldErrors;

    fn try_from(body: ApproveBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let roles = errors.check("roles", Role::parse_all(&body.roles.unwrap_or_default()));
        let organization_id = errors.optional(
            "organization_id",
            body.organization_id.as_deref(),
            OrganizationId::parse_field,
        );
        errors.finish(|| {
            Some(Grant {
                roles: roles?,
                organization_id: organization_id?,
            })
        })
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Approved {
    #[serde(flatten)]
    decision: Decision,
    #[schema(value_type = String)]
    portal_user_id: PortalUserId,
    invitation: InvitationSummary,
}

/// Approves a resolved request: a portal user is created and emailed a one-time link.
#[utoipa::path(post, path = "/staff/registrations/{id}/approve", operation_id = "approve_registration",
    security(("staff" = [])),
    params(PathId<RegistrationKind>), request_body = ApproveBody,
    responses(
        (status = 200, description = "Approved; the request is `processed`", body = Approved),
        (status = 404, description = "No such request or organization (`not_found`)"),
        (status = 409, description = "No contact is linked yet (`contact_required`), the \
            request is not `resolved` (`invalid_state`), or the address is another user's \
            (`conflict`)"),
        (status = 422, description = "A role is invalid (`validation_failed`)"),
    ))]
pub async fn approve(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<RegistrationKind>,
    ApiJson(body): ApiJson<ApproveBody>,
) -> Result<Json<Approved>, Problem> {
    let grant = Grant::try_from(body).map_err(DomainError::from)?;
    let approval = use_cases::approve_registration(&ports, &staff, &id, &grant).await?;
    let expires_at: OffsetDateTime = approval
        .user
        .invitation()
        .map(|invitation| invitation.expires_at)
        .expect("an approved user is invited");
    Ok(Json(Approved {
        decision: (&approval.registration).into(),
        portal_user_id: approval.user.id().clone(),
        invitation: InvitationSummary::pending(expires_at),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RejectBody {
    /// Why, for the history and the email to the person.
    #[schema(value_type = Reason)]
    reason: Option<String>,
}

/// Rejects a request that is not processed yet.
#[utoipa::path(post, path = "/staff/registrations/{id}/reject", operation_id = "reject_registration",
    security(("staff" = [])),
    params(PathId<RegistrationKind>), request_body = RejectBody,
    responses(
        (status = 200, description = "Rejected", body = Decision),
        (status = 404, description = "No such request (`not_found`)"),
        (status = 409, description = "The request is processed or rejected already \
            (`invalid_state`)"),
        (status = 422, description = "`reason` is missing or too long (`validation_failed`)"),
    ))]
pub async fn reject(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<RegistrationKind>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<Decision>, Problem> {
    let mut errors = FieldErrors::new();
    let reason = errors.require("reason", body.reason.as_deref(), Reason::parse);
    let reason = errors.finish(|| reason).map_err(DomainError::from)?;
    let registration = use_cases::reject_registration(&ports, &staff, &id, &reason).await?;
    Ok(Json((&registration).into()))
}

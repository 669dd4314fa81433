//! `/staff/portal-users`: create a user from a contact, list, detail, access changes and
//! a new invitation link.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portal_domain::use_cases::{
    Manager, change_access, create_portal_user, member_detail, organization, portal_users,
    reinvite as new_link,
};
use portal_domain::user::{AccessChange, Grant};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, List, Problem, Staff};
use serde::{Deserialize, Deserializer};

use super::{ListParams, NOT_AN_ORGANIZATION, id_of, known_shape, parse_roles};
use crate::views::{CreatedUser, PortalUserDetail, PortalUserView, Reinvited};

#[derive(Deserialize)]
pub struct CreateBody {
    contact_id: Option<String>,
    roles: Option<Vec<String>>,
    organization_id: Option<String>,
    org_admin: Option<bool>,
    send_invitation: Option<bool>,
}

/// What a valid creation body asks for.
struct Creation {
    contact_id: String,
    grant: Grant,
    org_admin: bool,
    send_invitation: bool,
}

impl TryFrom<CreateBody> for Creation {
    type Error = FieldErrors;

    fn try_from(body: CreateBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let contact_id = errors.require(
            "contact_id",
            body.contact_id.as_deref(),
            id_of("is not an existing contact"),
        );
        let roles = parse_roles(&mut errors, body.roles);
        let organization_id = errors.optional(
            "organization_id",
            body.organization_id.as_deref(),
            id_of(NOT_AN_ORGANIZATION),
        );
        errors.finish(|| {
            Some(Self {
                contact_id: contact_id?,
                grant: Grant {
                    roles: roles?,
                    organization_id: organization_id?,
                },
                org_admin: body.org_admin.unwrap_or(false),
                send_invitation: body.send_invitation.unwrap_or(true),
            })
        })
    }
}

pub async fn create(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<(StatusCode, Json<CreatedUser>), Problem> {
    let creation = Creation::try_from(body).map_err(DomainError::from)?;
    let user = create_portal_user(
        &ports,
        &Manager::Staff(staff),
        &creation.contact_id,
        creation.grant,
        creation.org_admin,
        creation.send_invitation,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser::new(&user, ports.clock.now())),
    ))
}

/// The users of one organization, or (without `organization_id`) of none, oldest first.
pub async fn list(
    Staff(_): Staff,
    State(ports): State<Ports>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<List<PortalUserView>>, Problem> {
    let params = ListParams::from_query(params)?;
    let mut errors = FieldErrors::new();
    let organization_id = errors.optional(
        "organization_id",
        params.organization_id.as_deref(),
        id_of(NOT_AN_ORGANIZATION),
    );
    let parsed = params.parse(&mut errors);
    let (organization_id, (status, page)) = errors
        .finish(|| Some((organization_id?, parsed?)))
        .map_err(DomainError::from)?;
    // Every member holds the organization's roles: read once for the whole page.
    let organization_roles = match &organization_id {
        Some(id) => {
            organization(&ports, id)
                .await
                .map_err(|error| match error {
                    DomainError::NotFound => unknown_organization(),
                    other => other,
                })?
                .roles
        }
        None => Vec::new(),
    };
    let page = portal_users(&ports, organization_id.as_deref(), status, &page).await?;
    Ok(Json(PortalUserView::list(
        page,
        &organization_roles,
        ports.clock.now(),
    )))
}

fn unknown_organization() -> DomainError {
    let mut errors = FieldErrors::new();
    errors.add("organization_id", NOT_AN_ORGANIZATION);
    DomainError::Validation(errors)
}

pub async fn detail(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<Json<PortalUserDetail>, Problem> {
    let detail = member_detail(&ports, &Manager::Staff(staff), known_shape(&id)?).await?;
    Ok(Json(PortalUserDetail::new(&detail, ports.clock.now())))
}

/// A field left out changes nothing; `organization_id: null` takes the user out of their
/// organization, so absent and `null` differ there (`roles: null` and `org_admin: null`
/// count as left out).
#[derive(Deserialize)]
pub struct ChangeBody {
    roles: Option<Vec<String>>,
    #[serde(default, deserialize_with = "given")]
    organization_id: Option<Option<String>>,
    org_admin: Option<bool>,
}

/// Runs only for a field that is present, so `Some(None)` is an explicit `null`.
fn given<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

impl TryFrom<ChangeBody> for AccessChange {
    type Error = FieldErrors;

    fn try_from(body: ChangeBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if body.roles.is_none() && body.organization_id.is_none() && body.org_admin.is_none() {
            for field in ["roles", "organization_id", "org_admin"] {
                errors.add(
                    field,
                    "one of roles, organization_id and org_admin is required",
                );
            }
        }
        let roles = match body.roles {
            Some(raw) => parse_roles(&mut errors, Some(raw)).map(Some),
            None => Some(None),
        };
        let organization_id = match body.organization_id {
            Some(Some(raw)) => errors
                .check("organization_id", id_of(NOT_AN_ORGANIZATION)(&raw))
                .map(|id| Some(Some(id))),
            Some(None) => Some(Some(None)),
            None => Some(None),
        };
        errors.finish(|| {
            Some(AccessChange {
                roles: roles?,
                organization_id: organization_id?,
                org_admin: body.org_admin,
            })
        })
    }
}

pub async fn change(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Json<PortalUserDetail>, Problem> {
    let id = known_shape(&id)?;
    let change = AccessChange::try_from(body).map_err(DomainError::from)?;
    let detail = change_access(&ports, &Manager::Staff(staff), id, &change).await?;
    Ok(Json(PortalUserDetail::new(&detail, ports.clock.now())))
}

/// A new link for an invited user; every older one stops working.
pub async fn reinvite(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Reinvited>), Problem> {
    let invitation = new_link(&ports, &Manager::Staff(staff), known_shape(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json((&invitation).into())))
}

//! `/staff/portal-users`: create a user from a contact, list, detail, access changes and
//! a new invitation link.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use portal_domain::ids::{ContactId, IdKind, Organization, OrganizationId, PortalUser};
use portal_domain::types::Role;
use portal_domain::use_cases::{
    Manager, UserScope, change_access, create_portal_user, find_portal_users, member_detail,
    organization, reinvite as new_link,
};
use portal_domain::user::{AccessChange, Grant, Membership};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, List, PathId, Problem, Staff};
use serde::{Deserialize, Deserializer};

use super::{parse_filter, parse_roles, query};
use crate::views::{CreatedUser, PortalUserDetail, PortalUserView, Reinvited};

/// A portal user for an existing contact.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateBody {
    /// The contact the user is for, one without a portal user yet.
    #[schema(value_type = String)]
    contact_id: Option<String>,
    /// Roles of the user's own (needs `portal.roles.assign`): names of lowercase letters,
    /// digits, `.`, `_` and `-`, starting with a letter, at most 50.
    #[schema(value_type = Option<Vec<Role>>, max_items = 50)]
    roles: Option<Vec<String>>,
    /// The organization the user joins (blank: none). One that has roles needs
    /// `portal.roles.assign`.
    organization_id: Option<String>,
    /// Makes the user an administrator of `organization_id` (needs `portal.roles.assign`).
    org_admin: Option<bool>,
    /// `false`: no invitation is sent yet (`true` when absent).
    send_invitation: Option<bool>,
}

/// What a valid creation body asks for.
struct Creation {
    contact_id: ContactId,
    membership: Membership,
}

impl TryFrom<CreateBody> for Creation {
    type Error = FieldErrors;

    fn try_from(body: CreateBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let contact_id = errors.require(
            "contact_id",
            body.contact_id.as_deref(),
            ContactId::parse_field,
        );
        let roles = parse_roles(&mut errors, body.roles);
        let organization_id = errors.optional(
            "organization_id",
            body.organization_id.as_deref(),
            OrganizationId::parse_field,
        );
        errors.finish(|| {
            Some(Self {
                contact_id: contact_id?,
                membership: Membership {
                    grant: Grant {
                        roles: roles?,
                        organization_id: organization_id?,
                    },
                    org_admin: body.org_admin.unwrap_or(false),
                    send_invitation: body.send_invitation.unwrap_or(true),
                },
            })
        })
    }
}

/// Creates a portal user for a contact, invited by email unless told not to.
#[utoipa::path(post, path = "/staff/portal-users",
    operation_id = "create_portal_user", security(("staff" = [])),
    request_body = CreateBody,
    responses(
        (status = 201, description = "Created", body = CreatedUser),
        (status = 409, description = "The contact already has a portal user, or another user \
            has this address as username (`conflict`)"),
        (status = 422, description = "A field is missing or invalid; `contact_id` or \
            `organization_id` names nothing that exists; `org_admin` without an organization \
            (`validation_failed`)"),
    ))]
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
        creation.membership,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser::new(&user, ports.clock.now())),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// The users of this organization, or `none`: the users of no organization; every
    /// user when absent.
    #[param(value_type = Option<String>, pattern = r"^(\s*|[0-9a-f]{32}|none)$")]
    organization_id: Option<String>,
    /// The users whose contact's name, email (their username) or company starts with this
    /// (case and spacing aside), 2 to 100 characters.
    #[param(value_type = Option<String>, min_length = 2, max_length = 100)]
    q: Option<String>,
    /// Users of this status only (every status when absent): a page may then be short,
    /// even empty, and still have a `next_cursor`.
    #[param(value_type = Option<String>, pattern = r"^\s*(invited|active|deactivated)?\s*$")]
    status: Option<String>,
    /// Page size, 1 to 100 (50 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page (of the same search).
    cursor: Option<String>,
}

/// Every user, the users of one organization or of none, oldest first; or those found by
/// the start of their contact's name, email or company (`q`). Queries of the index, never
/// a Scan.
#[utoipa::path(get, path = "/staff/portal-users",
    operation_id = "list_portal_users", security(("staff" = [])), params(ListParams),
    responses(
        (status = 200, description = "One page of users", body = List<PortalUserView>),
        (status = 422, description = "`organization_id` names no organization, or `q`, \
            `status`, `limit` or `cursor` is invalid (`validation_failed`)"),
    ))]
pub async fn list(
    Staff(_): Staff,
    State(ports): State<Ports>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<List<PortalUserView>>, Problem> {
    let params = query(params)?;
    let mut errors = FieldErrors::new();
    let scope = match params.organization_id.as_deref().map(str::trim) {
        None | Some("") => Some(UserScope::All),
        Some("none") => Some(UserScope::NoOrganization),
        Some(raw) => errors
            .check("organization_id", OrganizationId::parse_field(raw))
            .map(UserScope::Organization),
    };
    if params.q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        errors.add("q", "must be at most 100 characters");
    }
    let parsed = parse_filter(
        &mut errors,
        params.status.as_deref(),
        params.limit.as_deref(),
        params.cursor,
    );
    let (scope, (status, page)) = errors
        .finish(|| Some((scope?, parsed?)))
        .map_err(DomainError::from)?;
    if let UserScope::Organization(id) = &scope {
        organization(&ports, id)
            .await
            .map_err(|error| match error {
                DomainError::NotFound => unknown_organization(),
                other => other,
            })?;
    }
    let page = find_portal_users(&ports, &scope, params.q.as_deref(), status, &page).await?;
    // Each member holds their organization's roles: each organization read once a page.
    let mut roles: HashMap<OrganizationId, Vec<Role>> = HashMap::new();
    for id in page.items.iter().filter_map(|user| user.organization_id()) {
        if !roles.contains_key(id) {
            let found = ports
                .store
                .organization(id)
                .await
                .map_err(DomainError::from)?;
            roles.insert(
                id.clone(),
                found.map(|found| found.roles).unwrap_or_default(),
            );
        }
    }
    Ok(Json(PortalUserView::list(page, &roles, ports.clock.now())))
}

fn unknown_organization() -> DomainError {
    let mut errors = FieldErrors::new();
    errors.add("organization_id", Organization::UNKNOWN);
    DomainError::Validation(errors)
}

/// One user with their effective roles, latest logins and history.
#[utoipa::path(get, path = "/staff/portal-users/{id}",
    operation_id = "portal_user_detail", security(("staff" = [])),
    params(PathId<PortalUser>),
    responses(
        (status = 200, description = "The user", body = PortalUserDetail),
        (status = 404, description = "No such user (`not_found`)"),
    ))]
pub async fn detail(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<PortalUser>,
) -> Result<Json<PortalUserDetail>, Problem> {
    let detail = member_detail(&ports, &Manager::Staff(staff), &id).await?;
    Ok(Json(PortalUserDetail::new(&detail, ports.clock.now())))
}

/// A field left out changes nothing; `organization_id: null` takes the user out of their
/// organization, so absent and `null` differ there (`roles: null` and `org_admin: null`
/// count as left out). At least one field must change something.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangeBody {
    /// The user's own roles, replacing them (needs `portal.roles.assign`): names of
    /// lowercase letters, digits, `.`, `_` and `-`, starting with a letter, at most 50.
    #[schema(value_type = Option<Vec<Role>>, max_items = 50)]
    roles: Option<Vec<String>>,
    /// The organization the user moves to; `null` takes them out of theirs. One that has
    /// roles needs `portal.roles.assign`.
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<String>)]
    organization_id: Option<Option<String>>,
    /// Promotes or demotes the user as their organization's administrator (needs
    /// `portal.roles.assign`).
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
                .check("organization_id", OrganizationId::parse_field(&raw))
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

/// Changes a user's roles, organization or administrator flag.
#[utoipa::path(patch, path = "/staff/portal-users/{id}",
    operation_id = "change_portal_user", security(("staff" = [])),
    params(PathId<PortalUser>), request_body = ChangeBody,
    responses(
        (status = 200, description = "The user as changed", body = PortalUserDetail),
        (status = 404, description = "No such user (`not_found`)"),
        (status = 409, description = "The user kept changing while this change was made; \
            try again (`conflict`)"),
        (status = 422, description = "No field changes anything, a field is invalid, \
            `organization_id` names no organization, or `org_admin: true` for a user in no \
            organization (`validation_failed`)"),
    ))]
pub async fn change(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<PortalUser>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Json<PortalUserDetail>, Problem> {
    let change = AccessChange::try_from(body).map_err(DomainError::from)?;
    let detail = change_access(&ports, &Manager::Staff(staff), &id, &change).await?;
    Ok(Json(PortalUserDetail::new(&detail, ports.clock.now())))
}

/// Emails an invited user a new link; every older one stops working.
#[utoipa::path(post, path = "/staff/portal-users/{id}/invitation",
    operation_id = "reinvite_portal_user", security(("staff" = [])),
    params(PathId<PortalUser>),
    responses(
        (status = 202, description = "A new link is on its way", body = Reinvited),
        (status = 404, description = "No such user (`not_found`)"),
        (status = 409, description = "The user is not `invited` (`invalid_state`), or kept \
            changing while the link was made; try again (`conflict`)"),
    ))]
pub async fn reinvite(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<PortalUser>,
) -> Result<(StatusCode, Json<Reinvited>), Problem> {
    let invitation = new_link(&ports, &Manager::Staff(staff), &id).await?;
    Ok((StatusCode::ACCEPTED, Json((&invitation).into())))
}

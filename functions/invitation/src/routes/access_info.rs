//! Access information: sent again to one user by email, handed to staff as a personal
//! link, or emailed to many selected users at once (staff: anyone; an organization
//! administrator: their own members, every other id reading as unknown).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::ids::{OidcClientId, PortalUser, PortalUserId};
use portal_domain::use_cases::{
    AccessInfoOutcome, AccessInfoRequest, AccessInfoResult, Delivery, Manager, send_access_info,
    send_access_info_to_many,
};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, PathId, PortalCaller, Problem, Staff};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::org_manager;

/// How access information reaches the person.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AccessInfoBody {
    /// `email` (when absent): to the user's address, with their username. `link`: in the
    /// answer, for staff to hand over; never stored, never emailed.
    #[schema(value_type = Option<String>, pattern = r"^\s*(email|link)?\s*$")]
    delivery: Option<String>,
    /// For an invited user: whether they confirm their name and phone before choosing a
    /// password (`true` when absent); `false` goes straight to the password. A person whose
    /// name is unknown is asked for it either way. Links for active users ignore it.
    confirm_contact_data: Option<bool>,
    /// An app (OpenID client with a login initiation URI): once the password is set, the
    /// person goes on to it, signed in.
    #[schema(value_type = Option<String>)]
    client_id: Option<String>,
}

fn parse_delivery(raw: &str) -> Result<Delivery, &'static str> {
    match raw {
        "email" => Ok(Delivery::Email),
        "link" => Ok(Delivery::Link),
        _ => Err("must be email or link"),
    }
}

/// The new link: until when it works, and the link itself when it was asked for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccessInfoView {
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// The personal link, shown this once (`delivery: link` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
}

/// Sends a user new access information, or makes their personal link: an invited user
/// gets a new invitation, an active one a link to set a password (72 h; sessions go on
/// until it is used). Every older link of the user answers 410 from now on.
#[utoipa::path(post, path = "/staff/portal-users/{id}/access-info",
    operation_id = "send_access_info", security(("staff" = [])),
    params(PathId<PortalUser>), request_body = AccessInfoBody,
    responses(
        (status = 201, description = "The personal link (`delivery: link`), shown once",
            body = AccessInfoView),
        (status = 202, description = "The email is on its way (`delivery: email`)",
            body = AccessInfoView),
        (status = 404, description = "No such user (`not_found`)"),
        (status = 409, description = "The user is deactivated (`invalid_state`), or kept \
            changing while the link was made; try again (`conflict`)"),
        (status = 422, description = "`delivery` is neither `email` nor `link`, or `client_id` \
            names no app with a login initiation URI (`validation_failed`)"),
    ))]
pub async fn send(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<PortalUser>,
    ApiJson(body): ApiJson<AccessInfoBody>,
) -> Result<(StatusCode, Json<AccessInfoView>), Problem> {
    let mut errors = FieldErrors::new();
    let delivery = errors.optional("delivery", body.delivery.as_deref(), parse_delivery);
    let client_id = errors.optional(
        "client_id",
        body.client_id.as_deref(),
        OidcClientId::parse_field,
    );
    let (delivery, client_id) = errors
        .finish(|| Some((delivery?, client_id?)))
        .map_err(DomainError::from)?;
    let delivery = delivery.unwrap_or(Delivery::Email);
    let request = AccessInfoRequest {
        delivery,
        confirm_contact_data: body.confirm_contact_data.unwrap_or(true),
        client_id,
    };
    let sent = send_access_info(&ports, &Manager::Staff(staff), &id, request).await?;
    let status = match delivery {
        Delivery::Email => StatusCode::ACCEPTED,
        Delivery::Link => StatusCode::CREATED,
    };
    let view = AccessInfoView {
        expires_at: sent.expires_at,
        link: sent.link,
    };
    Ok((status, Json(view)))
}

/// The users to email access information to.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ManyAccessInfoBody {
    /// 1 to 100 portal user ids; repeats count once.
    #[schema(inline, min_items = 1, max_items = 100)]
    portal_user_ids: Vec<PortalUserId>,
    /// Only `email` (when absent too): personal links are made one at a time.
    #[schema(value_type = Option<String>, pattern = r"^\s*(email)?\s*$")]
    delivery: Option<String>,
}

/// Most users one request sends to.
const MAX_USERS: usize = 100;

impl TryFrom<ManyAccessInfoBody> for Vec<PortalUserId> {
    type Error = FieldErrors;

    fn try_from(body: ManyAccessInfoBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if !matches!(
            body.delivery.as_deref().map(str::trim),
            None | Some("" | "email")
        ) {
            errors.add(
                "delivery",
                "must be email: links are made one user at a time",
            );
        }
        if !(1..=MAX_USERS).contains(&body.portal_user_ids.len()) {
            errors.add("portal_user_ids", "must list 1 to 100 portal users");
        }
        errors.finish(|| Some(body.portal_user_ids))
    }
}

/// One row per distinct user, in the order given.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccessInfoResults {
    results: Vec<AccessInfoRow>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum AccessInfoRowOutcome {
    Sent,
    Skipped,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AccessInfoRow {
    #[schema(value_type = String)]
    portal_user_id: PortalUserId,
    outcome: AccessInfoRowOutcome,
    /// Why a user was skipped: `not found` or `deactivated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

impl From<Vec<AccessInfoResult>> for AccessInfoResults {
    fn from(results: Vec<AccessInfoResult>) -> Self {
        let row = |result: AccessInfoResult| AccessInfoRow {
            portal_user_id: result.portal_user_id,
            outcome: match result.outcome {
                AccessInfoOutcome::Sent => AccessInfoRowOutcome::Sent,
                AccessInfoOutcome::Skipped => AccessInfoRowOutcome::Skipped,
            },
            reason: result.reason,
        };
        Self {
            results: results.into_iter().map(row).collect(),
        }
    }
}

/// Emails access information to many users at once (Creatio's "send invites"); the
/// mailer delivers them.
#[utoipa::path(post, path = "/staff/portal-users/access-info",
    operation_id = "send_access_info_to_many", security(("staff" = [])),
    request_body = ManyAccessInfoBody,
    responses(
        (status = 200, description = "One row per distinct user", body = AccessInfoResults),
        (status = 422, description = "No users, more than 100, an entry that is not an id, \
            or a `delivery` other than `email` (`validation_failed`)"),
    ))]
pub async fn send_many(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<ManyAccessInfoBody>,
) -> Result<Json<AccessInfoResults>, Problem> {
    let ids = Vec::try_from(body).map_err(DomainError::from)?;
    let results = send_access_info_to_many(&ports, &Manager::Staff(staff), &ids).await?;
    Ok(Json(results.into()))
}

/// An organization administrator emails access information to members of their own
/// organization; any other id is skipped as `not found`.
#[utoipa::path(post, path = "/org/members/access-info",
    operation_id = "send_org_access_info", security(("portal" = [])),
    request_body = ManyAccessInfoBody,
    responses(
        (status = 200, description = "One row per distinct user", body = AccessInfoResults),
        (status = 403, description = "The caller is not an administrator of their \
            organization (`forbidden`)"),
        (status = 422, description = "No users, more than 100, an entry that is not an id, \
            or a `delivery` other than `email` (`validation_failed`)"),
    ))]
pub async fn org_send_many(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    ApiJson(body): ApiJson<ManyAccessInfoBody>,
) -> Result<Json<AccessInfoResults>, Problem> {
    let (manager, _) = org_manager(&ports, &claims).await?;
    let ids = Vec::try_from(body).map_err(DomainError::from)?;
    let results = send_access_info_to_many(&ports, &manager, &ids).await?;
    Ok(Json(results.into()))
}

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portal_domain::page::PageRequest;
use portal_domain::use_cases::{dead_emails, requeue_dead_email, requeue_dead_emails};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{List, Problem, Staff};
use serde::Deserialize;

use super::queue::parse_limit;
use crate::views::{DeadEmailItem, RequeuedView};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 100 (50 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The emails the mailer gave up on, most recent first, so staff can reach those people
/// another way (docs/behaviour.md, "The mailer").
#[utoipa::path(get, path = "/staff/outbox/dead", operation_id = "dead_emails",
    security(("staff" = [])), params(PageParams),
    responses(
        (status = 200, description = "One page of undeliverable emails", body = List<DeadEmailItem>),
        (status = 422, description = "`limit` or `cursor` is invalid (`validation_failed`)"),
    ))]
pub async fn dead(
    Staff(_): Staff,
    State(ports): State<Ports>,
    params: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<List<DeadEmailItem>>, Problem> {
    let Query(params) = params.map_err(|rejection| Problem::malformed(rejection.body_text()))?;
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(params.limit.as_deref()));
    let page = errors.check("limit", PageRequest::parse(limit.flatten(), params.cursor));
    let page = errors.finish(|| page).map_err(DomainError::from)?;
    let page = dead_emails(&ports, &page).await?;
    Ok(Json(List {
        items: page.items.iter().map(DeadEmailItem::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Puts one email the mailer gave up on back on its list, with a fresh count of tries (an
/// address fixed meanwhile, a mailbox that was full); the mailer sends it on its next
/// sweep. Recorded on the message (`requeues` once it dies again).
#[utoipa::path(post, path = "/staff/outbox/dead/{id}/requeue", operation_id = "requeue_dead_email",
    security(("staff" = [])),
    params(("id" = String, Path, description = "The dead email's `id`")),
    responses(
        (status = 204, description = "Back on the mailer's list"),
        (status = 404, description = "No dead email has this id (unknown, sent, or requeued already)"),
    ))]
pub async fn requeue(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    requeue_dead_email(&ports, &staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts every email the mailer gave up on back on its list, up to 500 at once (`more`
/// says whether to ask again).
#[utoipa::path(post, path = "/staff/outbox/dead/requeue", operation_id = "requeue_dead_emails",
    security(("staff" = [])),
    responses(
        (status = 200, description = "How many went back", body = RequeuedView),
    ))]
pub async fn requeue_all(
    Staff(staff): Staff,
    State(ports): State<Ports>,
) -> Result<Json<RequeuedView>, Problem> {
    let done = requeue_dead_emails(&ports, &staff).await?;
    Ok(Json(RequeuedView {
        requeued: done.requeued,
        more: done.more,
    }))
}

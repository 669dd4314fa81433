use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use portal_domain::page::PageRequest;
use portal_domain::use_cases::dead_emails;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{List, Problem, Staff};
use serde::Deserialize;

use super::queue::parse_limit;
use crate::views::DeadEmailItem;

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

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

#[derive(Deserialize)]
pub struct PageParams {
    limit: Option<String>,
    cursor: Option<String>,
}

/// The emails the mailer gave up on, most recent first, so staff can reach those people
/// another way (API.md has no such route; see the README).
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

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use portal_domain::ids::Registration;
use portal_domain::page::PageRequest;
use portal_domain::registration::RegistrationStatus;
use portal_domain::use_cases::{list_registrations, registration_detail, search_registrations};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{List, PathId, Problem, Staff};
use serde::Deserialize;

use crate::views::{RegistrationDetail, RegistrationItem};

/// Query parameters arrive as text, so every one is parsed here and reported by name.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Requests of this status; `new` when absent.
    #[param(value_type = Option<RegistrationStatus>)]
    status: Option<String>,
    /// Page size, 1 to 100 (50 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page (of the same search).
    cursor: Option<String>,
    /// Only requests whose name, email or company contains this (case and spacing aside),
    /// 2 to 100 characters. A search page may hold fewer requests than `limit`, even none,
    /// with a `next_cursor` to read on: each page reads at most 10 requests per one asked.
    #[param(value_type = Option<String>, min_length = 2, max_length = 100)]
    q: Option<String>,
}

/// The review queue: requests of one status, newest first; or those of them a search finds.
#[utoipa::path(get, path = "/staff/registrations", operation_id = "list_registrations",
    security(("staff" = [])), params(ListParams),
    responses(
        (status = 200, description = "One page of requests", body = List<RegistrationItem>),
        (status = 422, description = "`status`, `limit`, `cursor` or `q` is invalid (`validation_failed`)"),
    ))]
pub async fn list(
    Staff(_): Staff,
    State(ports): State<Ports>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<List<RegistrationItem>>, Problem> {
    let Query(params) = params.map_err(|rejection| Problem::malformed(rejection.body_text()))?;
    let mut errors = FieldErrors::new();
    let status = errors.check("status", parse_status(params.status.as_deref()));
    let limit = errors.check("limit", parse_limit(params.limit.as_deref()));
    let page = errors.check("limit", PageRequest::parse(limit.flatten(), params.cursor));
    if params.q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        errors.add("q", "must be at most 100 characters");
    }
    let (status, page) = errors
        .finish(|| Some((status?, page?)))
        .map_err(DomainError::from)?;
    let page = match params.q.as_deref() {
        Some(query) => search_registrations(&ports, status, query, &page).await?,
        None => list_registrations(&ports, status, &page).await?,
    };
    Ok(Json(List {
        items: page.items.iter().map(RegistrationItem::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// The queue shows new requests unless asked for another status.
fn parse_status(raw: Option<&str>) -> Result<RegistrationStatus, &'static str> {
    Ok(match raw.unwrap_or("new") {
        "pending_verification" => RegistrationStatus::PendingVerification,
        "new" => RegistrationStatus::New,
        "resolved" => RegistrationStatus::Resolved,
        "processed" => RegistrationStatus::Processed,
        "rejected" => RegistrationStatus::Rejected,
        _ => return Err("must be one of pending_verification, new, resolved, processed, rejected"),
    })
}

pub(super) fn parse_limit(raw: Option<&str>) -> Result<Option<u32>, &'static str> {
    raw.map(|raw| raw.parse().map_err(|_| "must be between 1 and 100"))
        .transpose()
}

/// One request with the contacts it may be, and its history.
#[utoipa::path(get, path = "/staff/registrations/{id}", operation_id = "registration_detail",
    security(("staff" = [])),
    params(PathId<Registration>),
    responses(
        (status = 200, description = "The request", body = RegistrationDetail),
        (status = 404, description = "No such request (`not_found`)"),
    ))]
pub async fn detail(
    Staff(_): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<Registration>,
) -> Result<Json<RegistrationDetail>, Problem> {
    let detail = registration_detail(&ports, &id).await?;
    Ok(Json(RegistrationDetail::new(
        &detail.registration,
        &detail.suggestions,
    )))
}

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use portal_domain::page::PageRequest;
use portal_domain::registration::RegistrationStatus;
use portal_domain::use_cases::{list_registrations, registration_detail};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{List, Problem, Staff};
use serde::Deserialize;

use super::known_shape;
use crate::views::{RegistrationDetail, RegistrationItem};

/// Query parameters arrive as text, so every one is parsed here and reported by name.
#[derive(Deserialize)]
pub struct ListParams {
    status: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

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
    let (status, page) = errors
        .finish(|| Some((status?, page?)))
        .map_err(DomainError::from)?;
    let page = list_registrations(&ports, status, &page).await?;
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

pub async fn detail(
    Staff(_): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<Json<RegistrationDetail>, Problem> {
    let detail = registration_detail(&ports, known_shape(&id)?).await?;
    Ok(Json(RegistrationDetail::new(
        &detail.registration,
        &detail.suggestions,
    )))
}

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portal_domain::contact::{ContactForm, PersonFields};
use portal_domain::types::EmailAddress;
use portal_domain::use_cases::{contact_by_email, contact_detail, create_contact};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, List, Problem, Staff};
use serde::Deserialize;

use super::known_shape;
use crate::views::{ContactDetail, ContactView};

#[derive(Deserialize)]
pub struct ContactBody {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
}

impl TryFrom<ContactBody> for ContactForm {
    type Error = FieldErrors;

    fn try_from(body: ContactBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let form = ContactForm::parse(
            &mut errors,
            PersonFields {
                first_name: body.first_name.as_deref(),
                last_name: body.last_name.as_deref(),
                email: body.email.as_deref(),
                phone: body.phone.as_deref(),
                company: body.company.as_deref(),
            },
        );
        errors.finish(|| form)
    }
}

pub async fn create(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<ContactBody>,
) -> Result<(StatusCode, Json<ContactView>), Problem> {
    let form = ContactForm::try_from(body).map_err(DomainError::from)?;
    let contact = create_contact(&ports, &staff, form).await?;
    Ok((StatusCode::CREATED, Json((&contact).into())))
}

#[derive(Deserialize)]
pub struct FindParams {
    email: Option<String>,
}

/// Contacts are found by email (one at most: emails are unique); listing every contact
/// would need a table scan, which no request path does.
pub async fn find(
    Staff(_): Staff,
    State(ports): State<Ports>,
    params: Result<Query<FindParams>, QueryRejection>,
) -> Result<Json<List<ContactView>>, Problem> {
    let Query(params) = params.map_err(|rejection| Problem::malformed(rejection.body_text()))?;
    let mut errors = FieldErrors::new();
    let email = errors.require("email", params.email.as_deref(), EmailAddress::parse);
    let email = errors.finish(|| email).map_err(DomainError::from)?;
    let found = contact_by_email(&ports, &email).await?;
    Ok(Json(List::complete(
        found.iter().map(ContactView::from).collect(),
    )))
}

pub async fn detail(
    Staff(_): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<Json<ContactDetail>, Problem> {
    let (contact, user) = contact_detail(&ports, known_shape(&id)?).await?;
    Ok(Json(ContactDetail::new(
        &contact,
        user.as_ref(),
        ports.clock.now(),
    )))
}

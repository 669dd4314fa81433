use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use portal_domain::contact::{ContactForm, PersonFields};
use portal_domain::ids::Contact;
use portal_domain::types::{EmailAddress, PersonName};
use portal_domain::use_cases::{contact_by_email, contact_detail, create_contact};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::openapi::{CompanyOrBlank, PhoneOrBlank};
use portal_http::{ApiJson, List, PathId, Problem, Staff};
use serde::Deserialize;

use crate::views::{ContactDetail, ContactView};

/// A contact: `first_name`, `last_name` and `email` are required.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ContactBody {
    #[schema(value_type = PersonName)]
    first_name: Option<String>,
    #[schema(value_type = PersonName)]
    last_name: Option<String>,
    #[schema(value_type = EmailAddress)]
    email: Option<String>,
    #[schema(value_type = Option<PhoneOrBlank>, inline)]
    phone: Option<String>,
    #[schema(value_type = Option<CompanyOrBlank>, inline)]
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

/// Creates a contact (the CRM's person) that a request can be linked to.
#[utoipa::path(post, path = "/staff/contacts", operation_id = "create_contact",
    security(("staff" = [])), request_body = ContactBody,
    responses(
        (status = 201, description = "Created", body = ContactView),
        (status = 409, description = "A contact with this email exists (`conflict`)"),
        (status = 422, description = "A field is missing or invalid (`validation_failed`)"),
    ))]
pub async fn create(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<ContactBody>,
) -> Result<(StatusCode, Json<ContactView>), Problem> {
    let form = ContactForm::try_from(body).map_err(DomainError::from)?;
    let contact = create_contact(&ports, &staff, form).await?;
    Ok((StatusCode::CREATED, Json((&contact).into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindParams {
    /// The contact's email.
    #[param(value_type = EmailAddress)]
    email: Option<String>,
}

/// Contacts are found by email (one at most: emails are unique); listing every contact
/// would need a table scan, which no request path does.
#[utoipa::path(get, path = "/staff/contacts", operation_id = "find_contacts",
    security(("staff" = [])), params(FindParams),
    responses(
        (status = 200, description = "The contact with this email, if any", body = List<ContactView>),
        (status = 422, description = "`email` is missing or invalid (`validation_failed`)"),
    ))]
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

/// A contact with their portal user, if they have one.
#[utoipa::path(get, path = "/staff/contacts/{id}", operation_id = "contact_detail",
    security(("staff" = [])), params(PathId<Contact>),
    responses(
        (status = 200, description = "The contact", body = ContactDetail),
        (status = 404, description = "No such contact (`not_found`)"),
    ))]
pub async fn detail(
    Staff(_): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<Contact>,
) -> Result<Json<ContactDetail>, Problem> {
    let (contact, user) = contact_detail(&ports, &id).await?;
    Ok(Json(ContactDetail::new(
        &contact,
        user.as_ref(),
        ports.clock.now(),
    )))
}

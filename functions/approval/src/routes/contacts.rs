use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use portal_domain::contact::{ContactChange, ContactForm, PersonFields, parse_reference};
use portal_domain::ids::Contact;
use portal_domain::page::PageRequest;
use portal_domain::types::{Company, EmailAddress, Locale, PersonName, Phone};
use portal_domain::use_cases::{
    change_contact, contact_by_email, contact_detail, create_contact, search_contacts,
};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::openapi::{CompanyOrBlank, EmailOrBlank, PhoneOrBlank};
use portal_http::{ApiJson, List, PathId, Problem, Staff};
use serde::Deserialize;

use super::queue::parse_limit;
use crate::views::{ContactDetail, ContactView};

/// A contact: `first_name`, `last_name` and `email` are required.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ContactBody {
    #[schema(value_type = PersonName)]
    first_name: Option<String>,
    #[schema(value_type = PersonName)]
    last_name: Option<String>,
    /// Absent (or blank) for a person known by name alone: their portal user is reached by a
    /// personal link and confirms an address through it.
    #[schema(value_type = Option<EmailOrBlank>, inline)]
    email: Option<String>,
    #[schema(value_type = Option<PhoneOrBlank>, inline)]
    phone: Option<String>,
    #[schema(value_type = Option<CompanyOrBlank>, inline)]
    company: Option<String>,
    /// The CRM's id of this person (unique among contacts), 1 to 200 characters.
    #[schema(value_type = Option<CompanyOrBlank>, inline)]
    external_ref: Option<String>,
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
                external_ref: body.external_ref.as_deref(),
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
        (status = 409, description = "A contact with this email or external_ref exists \
            (`conflict`)"),
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
    /// The contact's email: the one contact with it, if any.
    #[param(value_type = Option<EmailAddress>)]
    email: Option<String>,
    /// Or the start of a name, email or company (case and spacing aside), 2 to 100
    /// characters.
    #[param(value_type = Option<String>, min_length = 2, max_length = 100)]
    q: Option<String>,
    /// Page size of a search, 1 to 100 (50 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page (of the same search).
    cursor: Option<String>,
}

/// Contacts found by email (one at most: emails are unique) or by the start of their
/// name, email or company. A search is a Query of an index, never a Scan; a contact two of
/// whose texts match shows once a page.
#[utoipa::path(get, path = "/staff/contacts", operation_id = "find_contacts",
    security(("staff" = [])), params(FindParams),
    responses(
        (status = 200, description = "The contact with this email, if any, or a page of \
            those found", body = List<ContactView>),
        (status = 422, description = "Neither or both of `email` and `q`, or one of the \
            parameters is invalid (`validation_failed`)"),
    ))]
pub async fn find(
    Staff(_): Staff,
    State(ports): State<Ports>,
    params: Result<Query<FindParams>, QueryRejection>,
) -> Result<Json<List<ContactView>>, Problem> {
    let Query(params) = params.map_err(|rejection| Problem::malformed(rejection.body_text()))?;
    let mut errors = FieldErrors::new();
    match (params.email.as_deref(), params.q) {
        (Some(email), None) => {
            let email = errors.require("email", Some(email), EmailAddress::parse);
            let email = errors.finish(|| email).map_err(DomainError::from)?;
            let found = contact_by_email(&ports, &email).await?;
            Ok(Json(List::complete(
                found.iter().map(ContactView::from).collect(),
            )))
        }
        (None, Some(query)) => {
            if query.chars().count() > 100 {
                errors.add("q", "must be at most 100 characters");
            }
            let limit = errors.check("limit", parse_limit(params.limit.as_deref()));
            let page = errors.check("limit", PageRequest::parse(limit.flatten(), params.cursor));
            let page = errors.finish(|| page).map_err(DomainError::from)?;
            let found = search_contacts(&ports, &query, &page).await?;
            Ok(Json(List {
                items: found.items.iter().map(ContactView::from).collect(),
                next_cursor: found.next_cursor,
            }))
        }
        _ => {
            for field in ["email", "q"] {
                errors.add(field, ONE_OF_EMAIL_AND_Q);
            }
            Err(DomainError::Validation(errors).into())
        }
    }
}

const ONE_OF_EMAIL_AND_Q: &str = "exactly one of email and q is required";

/// What staff change about a contact: any of its fields; blank removes `phone`, `company`
/// or `external_ref`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ContactChangeBody {
    #[schema(value_type = Option<PersonName>)]
    first_name: Option<String>,
    #[schema(value_type = Option<PersonName>)]
    last_name: Option<String>,
    /// Not for a contact with a portal user: it is their username (`409`).
    #[schema(value_type = Option<EmailAddress>)]
    email: Option<String>,
    #[schema(value_type = Option<PhoneOrBlank>, inline)]
    phone: Option<String>,
    #[schema(value_type = Option<CompanyOrBlank>, inline)]
    company: Option<String>,
    #[schema(value_type = Option<Locale>)]
    locale: Option<String>,
    /// The CRM's id of this person (unique among contacts); blank removes it.
    #[schema(value_type = Option<CompanyOrBlank>, inline)]
    external_ref: Option<String>,
}

const FIELDS: [&str; 7] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "locale",
    "external_ref",
];
const ONE_CHANGE: &str = "one of first_name, last_name, email, phone, company, locale and \
    external_ref is required";

impl TryFrom<ContactChangeBody> for ContactChange {
    type Error = FieldErrors;

    fn try_from(body: ContactChangeBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let given = [
            &body.first_name,
            &body.last_name,
            &body.email,
            &body.phone,
            &body.company,
            &body.locale,
            &body.external_ref,
        ];
        if given.iter().all(|field| field.is_none()) {
            for field in FIELDS {
                errors.add(field, ONE_CHANGE);
            }
        }
        let first_name = changed(
            &mut errors,
            "first_name",
            body.first_name,
            PersonName::parse,
        );
        let last_name = changed(&mut errors, "last_name", body.last_name, PersonName::parse);
        let email = changed(&mut errors, "email", body.email, EmailAddress::parse);
        let locale = changed(&mut errors, "locale", body.locale, Locale::parse);
        let phone = removable(&mut errors, "phone", body.phone, Phone::parse);
        let company = removable(&mut errors, "company", body.company, Company::parse);
        let external_ref = removable(
            &mut errors,
            "external_ref",
            body.external_ref,
            parse_reference,
        );
        errors.finish(|| {
            Some(ContactChange {
                first_name: first_name?,
                last_name: last_name?,
                email: email?,
                phone: phone?,
                company: company?,
                locale: locale?,
                external_ref: external_ref?,
            })
        })
    }
}

/// A field that changes when given; `None` when given but invalid.
fn changed<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, &'static str>,
) -> Option<Option<T>> {
    match raw {
        None => Some(None),
        Some(raw) => errors.check(field, parse(&raw)).map(Some),
    }
}

/// As [`changed`], where blank removes the field.
fn removable<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, &'static str>,
) -> Option<Option<Option<T>>> {
    match raw {
        None => Some(None),
        Some(raw) => errors.optional(field, Some(&raw), parse).map(Some),
    }
}

/// Edits a contact. A new email or external reference must be no other contact's; the
/// email of a contact with a portal user is their username and stays.
#[utoipa::path(patch, path = "/staff/contacts/{id}", operation_id = "change_contact",
    security(("staff" = [])), params(PathId<Contact>), request_body = ContactChangeBody,
    responses(
        (status = 200, description = "The contact as changed", body = ContactView),
        (status = 404, description = "No such contact (`not_found`)"),
        (status = 409, description = "Another contact has this email or external_ref, the \
            contact's portal user signs in with its email, or it kept changing (`conflict`)"),
        (status = 422, description = "Nothing to change, or a field is invalid \
            (`validation_failed`)"),
    ))]
pub async fn change(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<Contact>,
    ApiJson(body): ApiJson<ContactChangeBody>,
) -> Result<Json<ContactView>, Problem> {
    let change = ContactChange::try_from(body).map_err(DomainError::from)?;
    let contact = change_contact(&ports, &staff, &id, &change).await?;
    Ok(Json((&contact).into()))
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

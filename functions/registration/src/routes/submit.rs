use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::registration::RegistrationForm;
use portal_domain::types::{Company, EmailAddress, Locale, PersonName, Phone};
use portal_domain::use_cases::submit_registration;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, Problem};
use serde::Deserialize;

use super::RegistrationState;

/// The public form as sent. Every field is optional here so that missing ones are
/// reported together, by name, as 422 (a wrong JSON type is a 400 from `ApiJson`).
#[derive(Deserialize)]
pub struct SubmitBody {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    locale: Option<String>,
}

impl TryFrom<SubmitBody> for RegistrationForm {
    type Error = FieldErrors;

    fn try_from(body: SubmitBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name =
            errors.require("first_name", body.first_name.as_deref(), PersonName::parse);
        let last_name = errors.require("last_name", body.last_name.as_deref(), PersonName::parse);
        let email = errors.require("email", body.email.as_deref(), EmailAddress::parse);
        let phone = optional(&mut errors, "phone", body.phone, Phone::parse);
        let company = optional(&mut errors, "company", body.company, Company::parse);
        let locale = optional(&mut errors, "locale", body.locale, Locale::parse);
        errors.finish(|| {
            Some(RegistrationForm {
                first_name: first_name?,
                last_name: last_name?,
                email: email?,
                phone: phone?,
                company: company?,
                locale: locale?.unwrap_or_default(),
            })
        })
    }
}

/// An optional field: absent or blank means "not given" (forms send empty strings).
fn optional<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, &'static str>,
) -> Option<Option<T>> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => errors.check(field, parse(raw)).map(Some),
    }
}

pub async fn submit(
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<(StatusCode, Json<RegistrationState>), Problem> {
    let form = RegistrationForm::try_from(body).map_err(DomainError::from)?;
    let registration = submit_registration(&ports, form).await?;
    Ok((StatusCode::ACCEPTED, Json((&registration).into())))
}

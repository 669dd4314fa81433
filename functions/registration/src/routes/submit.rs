use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::contact::{ContactForm, PersonFields};
use portal_domain::registration::RegistrationForm;
use portal_domain::types::{EmailAddress, Locale, PersonName};
use portal_domain::use_cases::submit_registration;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::openapi::{CompanyOrBlank, LocaleOrBlank, PhoneOrBlank};
use portal_http::{ApiJson, Problem};
use serde::Deserialize;

use super::RegistrationState;

/// The public registration form.
// Every field is optional here so that missing ones are reported together, by name, as
// 422 (a wrong JSON type is a 400 from `ApiJson`); the schema says which are required.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SubmitBody {
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
    /// The language of the emails: `de…` German, anything else English (when absent too).
    #[schema(value_type = Option<LocaleOrBlank>, inline)]
    locale: Option<String>,
}

impl TryFrom<SubmitBody> for RegistrationForm {
    type Error = FieldErrors;

    fn try_from(body: SubmitBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let person = ContactForm::parse(
            &mut errors,
            PersonFields {
                first_name: body.first_name.as_deref(),
                last_name: body.last_name.as_deref(),
                email: None,
                phone: body.phone.as_deref(),
                company: body.company.as_deref(),
                external_ref: None,
            },
        );
        let email = errors.require("email", body.email.as_deref(), EmailAddress::parse);
        let locale = errors.optional("locale", body.locale.as_deref(), Locale::parse);
        errors.finish(|| {
            Some(RegistrationForm::new(
                person?,
                email?,
                locale?.unwrap_or_default(),
            ))
        })
    }
}

/// The public form: a request for portal access. The answer is the same whether or not
/// the address is known; a six-digit code is emailed to confirm it.
#[utoipa::path(post, path = "/registrations", operation_id = "submit_registration",
    request_body = SubmitBody,
    responses(
        (status = 202, description = "Received; a code is on its way", body = RegistrationState),
        (status = 422, description = "A field is missing or invalid (`validation_failed`)"),
        (status = 429, description = "Too many requests for this address or from this client \
            (`rate_limited`)"),
    ))]
pub async fn submit(
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<(StatusCode, Json<RegistrationState>), Problem> {
    let form = RegistrationForm::try_from(body).map_err(DomainError::from)?;
    let registration = submit_registration(&ports, form).await?;
    Ok((StatusCode::ACCEPTED, Json((&registration).into())))
}

//! The one error response of the API (RFC 9457 problem details) and the one function
//! that turns a domain error into it.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_domain::{DomainError, FieldError, FieldErrors};
use serde::Serialize;

const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer: `status` for HTTP, `code` for programs, `title` and `detail` for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    /// Machine-readable: one of the codes of this file's constructors (docs/api.md).
    pub code: &'static str,
    /// Short and the same for every occurrence of `code`.
    pub title: &'static str,
    /// What went wrong this time.
    pub detail: String,
    /// Every invalid field, when the input had some.
    pub errors: Vec<FieldError>,
    /// Sent as `Retry-After` (whole seconds) with 429s.
    pub retry_after: Option<Duration>,
    /// Sent as `WWW-Authenticate` with 401s for a missing or bad token (RFC 9110 wants a
    /// challenge with every 401 an authentication scheme produced).
    pub www_authenticate: Option<&'static str>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            www_authenticate: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    /// 400: the body is not JSON, or a field has the wrong type.
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "Malformed request",
            detail,
        )
    }

    /// 401 for a missing, malformed or refused bearer token. Both kinds of tokens of
    /// the API (staff and portal users) are bearer tokens, hence the challenge.
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        let mut problem = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Unauthenticated",
            detail,
        );
        problem.www_authenticate = Some("Bearer");
        problem
    }

    /// 401 for every failed login, whatever the reason, so the answer tells nothing.
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "Invalid credentials",
            "The username or password is wrong",
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            "There is no such resource",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
            "This resource does not support that method",
        )
    }

    pub fn invalid_state(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "invalid_state",
            "Invalid state",
            detail,
        )
    }

    pub fn contact_required() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "contact_required",
            "Contact required",
            "Link a contact to the request before approving it",
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    /// 410 for an unknown, expired, used or revoked invitation: one answer for all.
    pub fn invitation_invalid() -> Self {
        Self::new(
            StatusCode::GONE,
            "invitation_invalid",
            "Invitation invalid",
            "This invitation link is no longer valid; ask for a new one",
        )
    }

    /// 410 for an unknown, expired or used reset or refresh token: one answer for all.
    pub fn token_invalid() -> Self {
        Self::new(
            StatusCode::GONE,
            "token_invalid",
            "Token invalid",
            "This link is no longer valid; ask for a new one",
        )
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            format!("The body must be at most {} KiB", crate::BODY_LIMIT / 1024),
        )
    }

    /// 422 naming every invalid field, so a client can fix them all at once.
    pub fn validation(errors: FieldErrors) -> Self {
        let detail = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Validation failed",
            detail,
        )
        .with_errors(errors.iter().cloned().collect())
    }

    pub fn code_invalid(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "code_invalid",
            "Code invalid",
            detail,
        )
    }

    pub fn password_rejected(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "password_rejected",
            "Password rejected",
            detail,
        )
    }

    pub fn too_many_attempts(detail: impl Into<String>, retry_after: Duration) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "Too many attempts",
            detail,
        )
        .with_retry_after(retry_after)
    }

    pub fn rate_limited(retry_after: Duration) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Rate limited",
            "Too many requests; try again later",
        )
        .with_retry_after(retry_after)
    }

    /// 500 that says nothing about the cause: log the cause where it is known.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal error",
            "Something went wrong on our side; please try again later",
        )
    }
}

/// The one mapping from domain errors to HTTP answers.
impl From<DomainError> for Problem {
    fn from(error: DomainError) -> Self {
        let detail = error.to_string();
        match error {
            DomainError::Validation(errors) => Self::validation(errors),
            DomainError::NotFound => Self::not_found(),
            DomainError::InvalidState(_) => Self::invalid_state(detail),
            DomainError::CodeInvalid(_) => Self::code_invalid(detail),
            DomainError::TooManyAttempts { retry_after } => {
                Self::too_many_attempts(detail, retry_after)
            }
            DomainError::RateLimited { retry_after } => Self::rate_limited(retry_after),
            DomainError::Conflict(_) => Self::conflict(detail),
            DomainError::ContactRequired => Self::contact_required(),
            DomainError::Forbidden(_) => Self::forbidden(detail),
            DomainError::InvitationInvalid => Self::invitation_invalid(),
            DomainError::TokenInvalid => Self::token_invalid(),
            DomainError::InvalidCredentials => Self::invalid_credentials(),
            DomainError::Unauthenticated => Self::unauthenticated(detail),
            DomainError::PasswordRejected(_) => Self::password_rejected(detail),
            DomainError::RecentSignInRequired => Self::new(
                StatusCode::FORBIDDEN,
                "recent_sign_in_required",
                "Recent sign-in required",
                detail,
            ),
            DomainError::Store(cause) => {
                // The cause may name tables, keys or endpoints: it goes to the log only.
                tracing::error!(error = %cause, "store failure");
                Self::internal()
            }
        }
    }
}

/// The body of every error answer; the OpenAPI document's `Problem`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub(crate) struct Body<'a> {
    /// Always `about:blank`: `code` says what happened.
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    code: &'static str,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: Vec<FieldBody<'a>>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FieldError)]
struct FieldBody<'a> {
    field: &'a str,
    message: &'a str,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = Body {
            kind: "about:blank",
            title: self.title,
            status: self.status.as_u16(),
            code: self.code,
            detail: &self.detail,
            errors: self
                .errors
                .iter()
                .map(|e| FieldBody {
                    field: &e.field,
                    message: &e.message,
                })
                .collect(),
        };
        let json = serde_json::to_vec(&body).expect("a problem always serializes");
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            json,
        )
            .into_response();
        if let Some(retry_after) = self.retry_after {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(whole_seconds(retry_after)),
            );
        }
        if let Some(challenge) = self.www_authenticate {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// Rounds up, and never says 0: retrying sooner than asked would be refused again.
fn whole_seconds(duration: Duration) -> u64 {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::whole_seconds;
    use std::time::Duration;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(whole_seconds(Duration::from_secs(60)), 60);
        assert_eq!(whole_seconds(Duration::ZERO), 1);
    }
}

//! JSON shapes that more than one function answers with.

use portal_domain::login::LoginEvent;
use portal_domain::user::PortalUser;
use serde::Serialize;
use time::OffsetDateTime;

/// Every list of the API: `{items, next_cursor}`; `next_cursor` is given back as `cursor`
/// for the next page, and is `null` on the last.
#[derive(Serialize, utoipa::ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A list that has no further page.
    pub fn complete(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
        }
    }
}

/// One login attempt in a user's detail: `{at, success, ip?, user_agent?}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginView {
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_agent: Option<String>,
}

impl From<&LoginEvent> for LoginView {
    fn from(event: &LoginEvent) -> Self {
        Self {
            at: event.at,
            success: event.success,
            ip: event.ip.clone(),
            user_agent: event.user_agent.clone(),
        }
    }
}

/// A user's newest invitation: `{status, expires_at}`, the status `pending`, `expired`,
/// `accepted` or `revoked`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationSummary {
    #[schema(value_type = String, pattern = "^(pending|expired|accepted|revoked)$")]
    status: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

impl InvitationSummary {
    /// The user's newest invitation as of `now`, if they were ever invited.
    pub fn of(user: &PortalUser, now: OffsetDateTime) -> Option<Self> {
        user.invitation_state(now)
            .map(|(status, expires_at)| Self { status, expires_at })
    }

    /// A link just sent, valid until `expires_at`.
    pub fn pending(expires_at: OffsetDateTime) -> Self {
        Self {
            status: "pending",
            expires_at,
        }
    }
}

//! Fixed-window rate limits kept in the store, so every Lambda instance sees the same count.

use std::time::Duration;

use time::OffsetDateTime;

use crate::types::EmailAddress;

/// One window of one limit: the store counts writes under `key` and refuses the
/// `limit + 1`-th until the window ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleWindow {
    /// Names the limit, the subject and the window, e.g. `submit#a@x.com#29412345`.
    pub key: String,
    pub limit: u32,
    pub ends_at: OffsetDateTime,
}

impl ThrottleWindow {
    fn new(name: &str, subject: &str, limit: u32, window: Duration, now: OffsetDateTime) -> Self {
        let window_secs = window.as_secs() as i64;
        let index = now.unix_timestamp().div_euclid(window_secs);
        let ends_at = OffsetDateTime::from_unix_timestamp((index + 1) * window_secs)
            .expect("window end is a valid time");
        Self {
            key: format!("{name}#{subject}#{index}"),
            limit,
            ends_at,
        }
    }

    /// Registration requests per email address: 5 an hour, whether or not the address
    /// is known, so the limit reveals nothing about accounts.
    pub fn registrations(email: &EmailAddress, now: OffsetDateTime) -> Self {
        Self::new("submit", email.as_ref(), 5, Duration::from_secs(3600), now)
    }

    /// Password reset links per email address: 3 an hour (a refused request is answered
    /// like any other, so the limit reveals nothing either).
    pub fn password_resets(email: &EmailAddress, now: OffsetDateTime) -> Self {
        Self::new("reset", email.as_ref(), 3, Duration::from_secs(3600), now)
    }

    /// Requests of one client (its network address) to one route (its template, so every
    /// id shares one window): `limit` a minute. Shared by every Lambda instance through
    /// the store, on top of the per-address and per-account limits.
    pub fn client_requests(route: &str, client: &str, limit: u32, now: OffsetDateTime) -> Self {
        Self::new(
            "client",
            &format!("{route}#{client}"),
            limit,
            Duration::from_secs(60),
            now,
        )
    }

    /// How long a refused caller should wait (at least one second).
    pub fn retry_after(&self, now: OffsetDateTime) -> Duration {
        let secs = (self.ends_at - now).whole_seconds().max(1);
        Duration::from_secs(secs as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_window_ends_on_the_next_hour_boundary() {
        let email = EmailAddress::parse("a@example.com").unwrap();
        let now = datetime!(2026-01-01 10:59:30 UTC);
        let window = ThrottleWindow::registrations(&email, now);
        assert_eq!(window.ends_at, datetime!(2026-01-01 11:00:00 UTC));
        assert_eq!(window.retry_after(now), Duration::from_secs(30));
        assert!(window.key.starts_with("submit#a@example.com#"));
    }

    #[test]
    fn a_client_window_is_one_minute_per_route_and_address() {
        let now = datetime!(2026-01-01 10:59:30 UTC);
        let window = ThrottleWindow::client_requests("/sessions", "192.0.2.1", 60, now);
        assert_eq!(window.ends_at, datetime!(2026-01-01 11:00:00 UTC));
        assert_eq!(window.limit, 60);
        let other = ThrottleWindow::client_requests("/sessions", "192.0.2.2", 60, now);
        let route = ThrottleWindow::client_requests("/password-resets", "192.0.2.1", 60, now);
        assert_ne!(window.key, other.key);
        assert_ne!(window.key, route.key);
    }

    #[test]
    fn the_next_hour_is_a_new_window() {
        let email = EmailAddress::parse("a@example.com").unwrap();
        let before = ThrottleWindow::registrations(&email, datetime!(2026-01-01 10:59:59 UTC));
        let after = ThrottleWindow::registrations(&email, datetime!(2026-01-01 11:00:00 UTC));
        assert_ne!(before.key, after.key);
    }
}

//! The provider session's cookie on the portal's origin. `SameSite=Lax`: an app's sign-in
//! is a top-level navigation from the app's site, which must carry it; a request made by
//! another site's page in the background must not.

use axum::http::HeaderMap;
use portal_domain::oidc::PROVIDER_SESSION_LIFETIME;
use portal_http::cookie_value;

pub const PROVIDER_COOKIE: &str = "__Host-portal-provider";

/// The cookie's value, when the request carries it once.
pub fn provider_key(headers: &HeaderMap) -> Option<&str> {
    cookie_value(headers, PROVIDER_COOKIE)
}

pub fn set_provider_cookie(key: &str) -> String {
    format!(
        "{PROVIDER_COOKIE}={key}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
        PROVIDER_SESSION_LIFETIME.whole_seconds()
    )
}

pub fn clear_provider_cookie() -> String {
    format!("{PROVIDER_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}

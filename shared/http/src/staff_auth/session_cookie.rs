//! The cookies of staff sign-in. The session cookie is `__Host-` (Secure, Path=/, no
//! Domain: no subdomain can set or read it), HttpOnly and SameSite=Strict; the sign-in
//! cookie is SameSite=Lax, because it must come back on the provider's redirect, which is
//! a cross-site navigation.

use axum::http::header::{COOKIE, ORIGIN};
use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// The staff session: the secret whose hash names the stored session.
pub const SESSION_COOKIE: &str = "__Host-portal-staff";
/// The sign-in on its way: its `state`, which the callback must see again in this
/// browser (a `state` from another browser's sign-in is refused: login CSRF).
pub const SIGN_IN_COOKIE: &str = "__Host-portal-staff-sign-in";

/// The value of the cookie `name`, if the request carries it exactly once.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut found = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, _)| *key == name)
        .map(|(_, value)| value);
    let value = found.next()?;
    // Two cookies of one name mean someone planted one: trust neither.
    found.next().is_none().then_some(value)
}

/// Whether a request comes from the portal's own pages: what a state-changing request
/// sent with the session cookie must show. Its `Origin` is the portal's (`base_url`'s
/// scheme, host and port); or, where the browser hides the origin (`Origin: null`, as a
/// form posted from a page with `Referrer-Policy: no-referrer` sends), its Fetch Metadata
/// says `Sec-Fetch-Site: same-origin`, which no page can set.
pub fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    match text(ORIGIN) {
        Some(origin) if origin != "null" => {
            let (Ok(origin), Ok(base)) = (url::Url::parse(origin), url::Url::parse(base_url))
            else {
                return false;
            };
            origin.origin() == base.origin()
        }
        _ => text(SEC_FETCH_SITE) == Some("same-origin"),
    }
}

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    #[test]
    fn a_cookie_is_read_by_its_exact_name() {
        let headers = headers(&[("cookie", "a=1; __Host-portal-staff=s3cret; b=2")]);
        assert_eq!(cookie_value(&headers, SESSION_COOKIE), Some("s3cret"));
        assert_eq!(cookie_value(&headers, "__Host-portal"), None);
    }

    #[test]
    fn a_cookie_sent_twice_is_not_trusted() {
        let headers = headers(&[
            ("cookie", "__Host-portal-staff=one"),
            ("cookie", "__Host-portal-staff=two"),
        ]);
        assert_eq!(cookie_value(&headers, SESSION_COOKIE), None);
    }

    #[test]
    fn only_the_portal_s_own_origin_is_the_same_origin() {
        let base = "https://portal.example.com";
        let same = |origin: &str| same_origin(&headers(&[("origin", origin)]), base);
        assert!(same("https://portal.example.com"));
        assert!(!same("https://evil.example.com"));
        assert!(!same("http://portal.example.com"));
        assert!(!same("https://portal.example.com:8443"));
        assert!(!same("null"));
        assert!(!same_origin(&HeaderMap::new(), base));
    }

    #[test]
    fn a_hidden_origin_counts_only_with_the_browser_s_same_origin_fetch_metadata() {
        let base = "https://portal.example.com";
        let with = |pairs: &[(&str, &str)]| same_origin(&headers(pairs), base);
        assert!(with(&[
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ]));
        assert!(with(&[("sec-fetch-site", "same-origin")]));
        assert!(!with(&[
            ("origin", "null"),
            ("sec-fetch-site", "cross-site")
        ]));
        assert!(!with(&[
            ("origin", "null"),
            ("sec-fetch-site", "same-site")
        ]));
        // A named origin decides alone.
        assert!(!with(&[
            ("origin", "https://evil.example.com"),
            ("sec-fetch-site", "same-origin")
        ]));
    }
}

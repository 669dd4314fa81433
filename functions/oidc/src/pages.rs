//! What the provider answers a browser with: a redirect (to the app, to our login page)
//! or, when it must not redirect (an unknown app or redirect URI), a small page.

use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portal_http::{html_page, page_headers};

/// A page of fixed text (nothing from the request), with a way to the portal's login.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    page(
        status,
        &format!(
            "<p role=\"alert\">{message}</p><p><a href=\"/login\">Log in to the portal</a></p>"
        ),
    )
}

/// A page of our own HTML, which must hold nothing from the request unescaped.
pub fn page(status: StatusCode, main: &str) -> Response {
    html_page(status, "Sign-in", main)
}

/// A 302 to `location`, setting `cookies`.
pub fn redirect(location: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    page_headers(headers);
    match HeaderValue::from_str(location) {
        Ok(value) => headers.insert(LOCATION, value),
        // Only registered URIs and our own paths get here, all of them valid header text.
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "This sign-in link is broken."),
    };
    for cookie in cookies {
        headers.append(
            SET_COOKIE,
            cookie.parse().expect("a cookie is a header value"),
        );
    }
    response
}

/// `base` with `pairs` added to its query (form-encoded), keeping what it had.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(base).expect("registered redirect URIs are absolute URLs");
    url.query_pairs_mut().extend_pairs(pairs);
    url.into()
}

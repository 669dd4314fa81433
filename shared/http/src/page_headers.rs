//! The headers of an HTML answer made by an API function (a refusal page, a redirect that
//! sets a cookie), the same the pages function gives its own.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A small page of the portal's look: `title` as its title and heading, then `main` (our own
/// HTML, which must hold nothing from the request unescaped), with [`page_headers`].
pub fn html_page(status: StatusCode, title: &str, main: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
         <body><main><h1>{title}</h1>{main}</main></body></html>\n"
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    page_headers(headers);
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// A strict policy, no referrer, no sniffing, and no caching of an answer that may set a
/// cookie or carry a code.
pub fn page_headers(headers: &mut HeaderMap) {
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'; object-src 'none'",
        ),
    );
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

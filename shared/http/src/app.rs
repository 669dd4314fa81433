//! The middleware every router is served with, on Lambda and in `portal-local` alike.

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header::{CACHE_CONTROL, STRICT_TRANSPORT_SECURITY};
use axum::http::{HeaderName, HeaderValue};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::Problem;

/// Largest accepted request body; larger ones are answered 413 `payload_too_large`.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Carries the request id in and out; a caller's own id is kept so logs correlate.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Browsers reach the portal over HTTPS only, for two years, subdomains included (they
/// ignore the header on plain-HTTP loopback, where portal-local runs).
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Wraps the (merged) routes of one process. Call it once, after every route is added:
/// fallbacks and layers only apply to routes that exist when it runs.
pub fn app(routes: Router) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    // `Router::layer` wraps inside out: the last layer added sees the request first.
    routes
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::overriding(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
        // Answers carry tokens, codes and personal data: no cache keeps them, unless a
        // route says otherwise (the pages' assets, the public keys).
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Records the route template, never the URI: query strings and path parameters may
/// carry things that must not reach the logs. Headers are not recorded either.
fn request_span(request: &Request) -> tracing::Span {
    let path = match request.extensions().get::<MatchedPath>() {
        Some(route) => route.as_str(),
        // No route matched: the path is all there is, and it answers 404 anyway.
        None => request.uri().path(),
    };
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %path,
        request_id = %request_id,
    )
}

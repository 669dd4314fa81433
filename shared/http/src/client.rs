//! Where a request came from, and the per-client limit of public routes. The address is
//! API Gateway's view of the source on Lambda, the TCP peer locally: never a header the
//! client could set (`X-Forwarded-For` is the client's to forge).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::Extensions;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lambda_http::request::RequestContext;
use portal_domain::Ports;
use portal_domain::use_cases::admit_client;

use crate::Problem;

/// The client's network address, if the runtime says it.
pub fn client_address(extensions: &Extensions) -> Option<String> {
    match extensions.get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
        _ => extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip().to_string()),
    }
}

/// Middleware for public routes (`route_layer`, so the route template is known): counts
/// the request against its client's minute on this route, `429 rate_limited` with
/// `Retry-After` once it is full. A request whose address the runtime does not give
/// shares one window with every other such request: it is limited, never let through.
pub async fn limit_per_client(
    State(ports): State<Ports>,
    request: Request,
    next: Next,
) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |path| path.as_str().to_owned(),
    );
    let client = client_address(request.extensions()).unwrap_or_else(|| "unknown".to_owned());
    match admit_client(&ports, &route, &client).await {
        Ok(()) => next.run(request).await,
        Err(error) => Problem::from(error).into_response(),
    }
}

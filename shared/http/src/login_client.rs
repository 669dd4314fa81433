//! Where a login came from, for login events: the client's address as the runtime gives
//! it ([`client_address`], never a forwarding header) and its user agent.

use std::convert::Infallible;

use crate::client_address;
use axum::extract::FromRequestParts;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use portal_domain::login::ClientInfo;

pub struct LoginClient(pub ClientInfo);

impl<S: Send + Sync> FromRequestParts<S> for LoginClient {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Ok(Self(ClientInfo {
            ip: client_address(&parts.extensions),
            user_agent,
        }))
    }
}

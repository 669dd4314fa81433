//! Reading the bearer token of a request, for every kind of token the API accepts.

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The token of the one `Authorization: Bearer <token>` header (scheme case-insensitive).
/// The error says what is wrong with the header, for the logs; it never holds the token.
pub fn bearer_token(parts: &Parts) -> Result<&str, String> {
    let mut values = parts.headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or("no Authorization header")?;
    if values.next().is_some() {
        return Err("several Authorization headers".to_owned());
    }
    let value = value
        .to_str()
        .map_err(|_| "Authorization header is not text")?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or("Authorization header is not `Bearer <token>`")?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err("Authorization header is not `Bearer <token>`".to_owned());
    }
    Ok(token)
}

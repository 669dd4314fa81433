//! The token endpoint (RFC 6749 §3.2: `authorization_code` with PKCE, `refresh_token` with
//! rotation) and revocation (RFC 7009). Both authenticate the client: a confidential one by
//! `client_secret_basic` or `client_secret_post`, a public one by its id alone.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portal_domain::oidc::{OidcClient, SUPPORTED_SCOPES};
use portal_domain::use_cases::{
    AppSession, authenticate_client, redeem_authorization_code, refresh_app_session,
    revoke_app_session, revoke_refresh_token,
};
use portal_domain::{DomainError, Ports};
use portal_http::AccessTokenSubject;
use serde::Serialize;
use serde_json::json;

use super::{issuer, scope_claims, single_params};
use crate::OidcState;
use crate::id_tokens::{ID_TOKEN_LIFETIME, IdTokenClaims, ProviderKeys};

/// What the token endpoint answers (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Our EdDSA access token (`at+jwt`), for userinfo and the portal's own API.
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds the access token lasts.
    expires_in: u64,
    /// RS256, keys at `/oauth2/jwks`.
    id_token: String,
    /// Only when `offline_access` was granted; single use, each refresh answers a new one.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    /// The granted scopes.
    scope: String,
}

/// An error as RFC 6749 §5.2 shapes it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`, …
    error: &'static str,
    error_description: &'static str,
}

struct TokenError(&'static str, &'static str);

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let TokenError(error, error_description) = self;
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut response = (
            status,
            no_store(),
            Json(OAuthError {
                error,
                error_description,
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                "Basic realm=\"portal\"".parse().expect("a header value"),
            );
        }
        response
    }
}

impl From<DomainError> for TokenError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::TokenInvalid | DomainError::Unauthenticated => TokenError(
                "invalid_grant",
                "The code or refresh token is not valid (unknown, used, expired, or another \
                 client's).",
            ),
            other => {
                tracing::error!(error = %other, "the token endpoint failed");
                TokenError("server_error", "The token could not be issued. Try again.")
            }
        }
    }
}

fn no_store() -> [(axum::http::HeaderName, &'static str); 2] {
    [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")]
}

/// Trades a code (with its PKCE verifier) or a refresh token for tokens.
#[utoipa::path(post, path = "/oauth2/token", operation_id = "oidc_token",
    request_body(content_type = "application/x-www-form-urlencoded", content = Object,
        description = "`grant_type` (`authorization_code` with `code`, `redirect_uri` and \
            `code_verifier`; or `refresh_token` with `refresh_token`), and the client's \
            `client_id` (and `client_secret`) unless sent as HTTP Basic"),
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        (status = 400, description = "`invalid_request`, `invalid_grant`, \
            `unsupported_grant_type`", body = OAuthError),
        (status = 401, description = "`invalid_client`", body = OAuthError),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn token(State(state): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    match grant(&state, &headers, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn grant(
    state: &OidcState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, TokenError> {
    let params = form(headers, body)?;
    let client = client(&state.ports, headers, &params).await?;
    let get = |name: &str| params.get(name).map(String::as_str);
    let session = match get("grant_type") {
        Some("authorization_code") => {
            let code = get("code").ok_or(TokenError("invalid_request", "code is required."))?;
            redeem_authorization_code(
                &state.ports,
                &client,
                code,
                get("redirect_uri"),
                get("code_verifier"),
            )
            .await?
        }
        Some("refresh_token") => {
            let token = get("refresh_token")
                .ok_or(TokenError("invalid_request", "refresh_token is required."))?;
            refresh_app_session(&state.ports, &client, token).await?
        }
        Some(_) => {
            return Err(TokenError(
                "unsupported_grant_type",
                "Only authorization_code and refresh_token are supported.",
            ));
        }
        None => return Err(TokenError("invalid_request", "grant_type is required.")),
    };
    let keys = state
        .keys()
        .await
        .map_err(|_| TokenError("server_error", "The token could not be issued. Try again."))?;
    Ok((no_store(), Json(tokens(state, keys, &session))).into_response())
}

fn tokens(state: &OidcState, keys: &ProviderKeys, session: &AppSession) -> TokenResponse {
    let user = &session.start.user;
    let roles: Vec<String> = session
        .start
        .roles
        .iter()
        .map(ToString::to_string)
        .collect();
    let (access_token, expires_in) = state.tokens.issue(&AccessTokenSubject::of(&session.start));
    let now = state
        .ports
        .clock
        .now()
        .unix_timestamp()
        .max(0)
        .unsigned_abs();
    let grant = &session.grant;
    let id_token = keys.sign(&IdTokenClaims {
        iss: issuer(&state.ports).to_owned(),
        sub: user.id().to_string(),
        aud: grant.client_id.to_string(),
        azp: grant.client_id.to_string(),
        exp: now + ID_TOKEN_LIFETIME,
        iat: now,
        auth_time: grant.auth_time.unix_timestamp().max(0).unsigned_abs(),
        nonce: session.nonce.clone(),
        amr: grant.amr.clone(),
        sid: session.start.family_id.clone(),
        scope_claims: scope_claims(user, &roles, &grant.scopes),
    });
    let offline = grant
        .scopes
        .iter()
        .any(|scope| scope == SUPPORTED_SCOPES[3]);
    TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        id_token,
        refresh_token: offline.then(|| session.start.refresh_token.as_str().to_owned()),
        scope: grant.scopes.join(" "),
    }
}

/// RFC 7009: ends the app session a refresh token or an access token belongs to. The
/// answer is the same for an unknown token, or another client's (which stays valid).
#[utoipa::path(post, path = "/oauth2/revoke", operation_id = "oidc_revoke",
    request_body(content_type = "application/x-www-form-urlencoded", content = Object,
        description = "`token` (and `token_type_hint`, ignored), and the client's credentials \
            as at the token endpoint"),
    responses(
        (status = 200, description = "Revoked, or nothing to revoke"),
        (status = 400, description = "`invalid_request`", body = OAuthError),
        (status = 401, description = "`invalid_client`", body = OAuthError),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn revoke(State(state): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let params = form(&headers, &body)?;
        let client = client(&state.ports, &headers, &params).await?;
        let token = params
            .get("token")
            .ok_or(TokenError("invalid_request", "token is required."))?;
        match state.tokens.verifier().verify(token) {
            Ok(claims) => revoke_app_session(&state.ports, &client, &claims.sid).await?,
            Err(_) => revoke_refresh_token(&state.ports, &client, token).await?,
        }
        Ok::<_, TokenError>((no_store(), Json(json!({}))).into_response())
    };
    match result.await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// The form body; RFC 6749 §3.2 asks for this media type and one of each parameter.
fn form(headers: &HeaderMap, body: &Bytes) -> Result<HashMap<String, String>, TokenError> {
    let form_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.split(';').next().is_some_and(|media| {
                media
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !form_type {
        return Err(TokenError(
            "invalid_request",
            "The body must be application/x-www-form-urlencoded.",
        ));
    }
    single_params(body).ok_or(TokenError(
        "invalid_request",
        "A parameter appears more than once.",
    ))
}

/// The client, authenticated by one method: HTTP Basic (RFC 6749 §2.3.1, id and secret
/// form-encoded), or `client_id` (and `client_secret`) in the body.
async fn client(
    ports: &Ports,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<OidcClient, TokenError> {
    const INVALID: TokenError = TokenError("invalid_client", "Client authentication failed.");
    let (id, secret) = match basic_credentials(headers)? {
        Some((id, secret)) => {
            if params.contains_key("client_secret")
                || params
                    .get("client_id")
                    .is_some_and(|body_id| *body_id != id)
            {
                return Err(TokenError(
                    "invalid_request",
                    "Use one way of client authentication.",
                ));
            }
            (id, Some(secret))
        }
        None => (
            params.get("client_id").cloned().ok_or(INVALID)?,
            params.get("client_secret").cloned(),
        ),
    };
    authenticate_client(ports, &id, secret.as_deref())
        .await
        .map_err(|error| match error {
            DomainError::Unauthenticated => INVALID,
            other => other.into(),
        })
}

fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, TokenError> {
    const MALFORMED: TokenError =
        TokenError("invalid_client", "The Authorization header is malformed.");
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| MALFORMED)?;
    let Some((scheme, encoded)) = text.split_once(' ') else {
        return Err(MALFORMED);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(MALFORMED);
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| MALFORMED)?;
    let decoded = String::from_utf8(decoded).map_err(|_| MALFORMED)?;
    let (id, secret) = decoded.split_once(':').ok_or(MALFORMED)?;
    let unescape = |text: &str| -> String {
        url::form_urlencoded::parse(format!("x={text}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

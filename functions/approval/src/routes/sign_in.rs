//! Staff sign-in through the company's identity provider: the console is a confidential
//! OpenID Connect client (code flow, PKCE S256, `state`, `nonce`), the code is exchanged
//! here, and the browser only ever holds an HttpOnly session cookie (the "backend for
//! frontend" pattern). Every refusal is a plain page that says what to do, and signs no
//! one in.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portal_domain::staff::MANAGE_USERS;
use portal_domain::staff_session::{SESSION_LIFETIME, SIGN_IN_LIFETIME};
use portal_domain::use_cases::{
    begin_staff_sign_in, end_staff_session, staff_session, start_staff_session, take_staff_sign_in,
};
use portal_domain::{DomainError, Ports};
use portal_http::{
    Problem, SESSION_COOKIE, SIGN_IN_COOKIE, StaffVerifier, cookie_value, html_page, page_headers,
    same_origin,
};
use serde::Deserialize;

use crate::views::StaffSessionView;

/// Where a sign-in returns when it names nowhere (or somewhere it may not go).
const CONSOLE: &str = "/staff";

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginParams {
    /// A path of the console to land on after signing in (`/staff` when absent). Anything
    /// that is not a `/staff` path of this portal is refused.
    return_to: Option<String>,
}

/// Starts a sign-in: keeps its `state`, `nonce` and PKCE verifier, and sends the browser to
/// the provider.
#[utoipa::path(get, path = "/staff/login", operation_id = "staff_login", params(LoginParams),
    responses(
        (status = 302, description = "To the provider's authorization endpoint"),
        (status = 400, description = "`return_to` is not a `/staff` path of this portal (a page)", content_type = "text/html", body = String),
        (status = 404, description = "No identity provider is configured (a page)", content_type = "text/html", body = String),
        (status = 502, description = "The provider's discovery document cannot be read (a page)", content_type = "text/html", body = String),
    ))]
pub async fn login(
    State(ports): State<Ports>,
    State(verifier): State<Arc<StaffVerifier>>,
    Query(params): Query<LoginParams>,
) -> Result<Response, Problem> {
    let Some(provider) = verifier.provider() else {
        return Ok(not_configured());
    };
    let Some(return_to) = console_path(params.return_to.as_deref()) else {
        return Ok(refusal(
            StatusCode::BAD_REQUEST,
            "The sign-in link names a page outside the staff console.",
        ));
    };
    let discovery = match provider.discovery().await {
        Ok(discovery) => discovery,
        Err(reason) => return Ok(provider_unreachable(reason)),
    };
    let mut target = match url::Url::parse(&discovery.authorization_endpoint) {
        Ok(target) => target,
        Err(error) => return Ok(provider_unreachable(error.to_string())),
    };
    let start = begin_staff_sign_in(&ports, &return_to).await?;
    target
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &provider.config().client_id)
        .append_pair("redirect_uri", &callback_uri(&ports))
        .append_pair("scope", "openid profile email")
        .append_pair("state", start.state.as_str())
        .append_pair("nonce", &start.nonce)
        .append_pair("code_challenge", &start.code_challenge)
        .append_pair("code_challenge_method", "S256");
    let cookie = format!(
        "{SIGN_IN_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
        start.state.as_str(),
        SIGN_IN_LIFETIME.whole_seconds()
    );
    Ok(redirect(target.as_str(), &[cookie]))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    /// The provider's refusal (RFC 6749 §4.1.2.1).
    error: Option<String>,
    /// The issuer that answered (RFC 9207); it must be ours when present.
    iss: Option<String>,
}

/// The provider's answer: checks `state` against this browser's sign-in (used up here),
/// exchanges the code with the PKCE verifier, verifies the ID token and its `nonce`, and
/// starts a staff session.
#[utoipa::path(get, path = "/staff/callback", operation_id = "staff_callback", params(CallbackParams),
    responses(
        (status = 302, description = "Signed in: to the sign-in's `return_to`, with the session cookie"),
        (status = 400, description = "Refused: a forged, replayed or expired `state`, a refused code or ID token (a page)", content_type = "text/html", body = String),
        (status = 403, description = "Signed in at the provider without `portal.users.manage` (a page)", content_type = "text/html", body = String),
        (status = 404, description = "No identity provider is configured (a page)", content_type = "text/html", body = String),
    ))]
pub async fn callback(
    State(ports): State<Ports>,
    State(verifier): State<Arc<StaffVerifier>>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Result<Response, Problem> {
    let Some(provider) = verifier.provider() else {
        return Ok(not_configured());
    };
    let config = provider.config();
    // The state must be the one this browser was given: a state from someone else's
    // sign-in (login CSRF) or none at all goes no further, and uses up nothing.
    let Some(state) = params
        .state
        .as_deref()
        .filter(|state| cookie_value(&headers, SIGN_IN_COOKIE) == Some(*state))
    else {
        return Ok(refused("the state is not this browser's sign-in", EXPIRED));
    };
    let sign_in = match take_staff_sign_in(&ports, state).await {
        Ok(sign_in) => sign_in,
        Err(DomainError::Unauthenticated) => {
            return Ok(refused("the sign-in is used up or expired", EXPIRED));
        }
        Err(error) => return Err(error.into()),
    };
    if let Some(error) = &params.error {
        // The provider's code word only, never its free-text description.
        tracing::info!(error = %error.chars().take(64).collect::<String>(), "the provider refused a sign-in");
        return Ok(refused(
            "the provider refused",
            "The identity provider did not sign you in.",
        ));
    }
    if params
        .iss
        .as_deref()
        .is_some_and(|iss| iss != config.issuer)
    {
        return Ok(refused("the answer names another issuer", REFUSED));
    }
    let Some(code) = params.code.as_deref() else {
        return Ok(refused("no code", REFUSED));
    };
    let client_secret = match &config.client_secret {
        Some(secret) => secret.reveal().await.map_err(|reason| {
            tracing::error!(%reason, "the staff console's client secret cannot be read");
            Problem::internal()
        })?,
        None => {
            // A function given the provider but not the secret: a deployment mistake.
            tracing::error!("the staff sign-in's callback has no client secret");
            return Err(Problem::internal());
        }
    };
    let id_token = match provider
        .exchange_code(
            &client_secret,
            code,
            &callback_uri(&ports),
            &sign_in.pkce_verifier,
        )
        .await
    {
        Ok(id_token) => id_token,
        Err(reason) => return Ok(refused(&reason, REFUSED)),
    };
    let member = match verifier.verify_id_token(&id_token, &sign_in.nonce).await {
        Ok(member) => member,
        Err(reason) => return Ok(refused(&reason, REFUSED)),
    };
    if !member.can(MANAGE_USERS) {
        tracing::info!(subject = %member.subject, "a sign-in without {MANAGE_USERS}");
        return Ok(clearing_sign_in(refusal(
            StatusCode::FORBIDDEN,
            "Your account may not use the staff console. Ask your administrator for access.",
        )));
    }
    tracing::info!(subject = %member.subject, "staff signed in");
    let (cookie, _) = start_staff_session(&ports, member, Some(id_token)).await?;
    let cookies = [
        format!(
            "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
            cookie.as_str(),
            SESSION_LIFETIME.whole_seconds()
        ),
        clear(SIGN_IN_COOKIE, "Lax"),
    ];
    Ok(redirect(&sign_in.return_to, &cookies))
}

/// Ends the staff session and sends the browser to the provider's logout, when it has one,
/// to come back to the console.
#[utoipa::path(post, path = "/staff/logout", operation_id = "staff_logout",
    responses(
        (status = 302, description = "Signed out: to the provider's `end_session_endpoint`, or to `/staff`"),
        (status = 403, description = "The session cookie came from another origin (`forbidden`)"),
    ))]
pub async fn logout(
    State(ports): State<Ports>,
    State(verifier): State<Arc<StaffVerifier>>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Some(cookie) = cookie_value(&headers, SESSION_COOKIE) else {
        return Ok(redirect(CONSOLE, &[]));
    };
    // A page of another site must not sign staff out either.
    if !same_origin(&headers, &ports.settings.portal_base_url) {
        return Err(Problem::forbidden(
            "A request with the staff session must come from the portal's own pages",
        ));
    }
    let ended = end_staff_session(&ports, cookie).await?;
    let cookies = [clear(SESSION_COOKIE, "Strict")];
    let end_session = match (verifier.provider(), ended) {
        (Some(provider), Some(session)) => provider
            .discovery()
            .await
            .ok()
            .and_then(|discovery| discovery.end_session_endpoint.clone())
            .and_then(|endpoint| url::Url::parse(&endpoint).ok())
            .map(|mut endpoint| {
                let mut query = endpoint.query_pairs_mut();
                query
                    .append_pair("client_id", &provider.config().client_id)
                    .append_pair("post_logout_redirect_uri", &console_uri(&ports));
                if let Some(id_token) = &session.id_token {
                    query.append_pair("id_token_hint", id_token);
                }
                drop(query);
                endpoint.to_string()
            }),
        _ => None,
    };
    Ok(redirect(
        end_session.as_deref().unwrap_or(CONSOLE),
        &cookies,
    ))
}

/// Who the session cookie signs in, and until when if idle.
#[utoipa::path(get, path = "/staff/session", operation_id = "staff_session",
    responses(
        (status = 200, description = "The staff session", body = StaffSessionView),
        (status = 401, description = "No live staff session (`unauthenticated`)"),
    ))]
pub async fn session(
    State(ports): State<Ports>,
    headers: HeaderMap,
) -> Result<Json<StaffSessionView>, Problem> {
    let cookie = cookie_value(&headers, SESSION_COOKIE).ok_or(DomainError::Unauthenticated)?;
    let session = staff_session(&ports, cookie).await?;
    Ok(Json(StaffSessionView::from(&session)))
}

const EXPIRED: &str =
    "This sign-in has expired or was already used, or began in another browser. Sign in again.";
const REFUSED: &str = "The identity provider's answer could not be verified. Sign in again.";

/// The page that says there is no provider (portal-local without one).
fn not_configured() -> Response {
    refusal(
        StatusCode::NOT_FOUND,
        "Sign-in through an identity provider is not set up for this portal. Use a bearer \
         token, or ask your administrator.",
    )
}

/// `return_to` as a console path, or `None` for anything else: another origin, a
/// scheme-relative `//host`, a backslash some browsers read as a slash, a non-console page.
fn console_path(return_to: Option<&str>) -> Option<String> {
    let Some(path) = return_to else {
        return Some(CONSOLE.to_owned());
    };
    let base = url::Url::parse("https://portal.invalid").expect("a valid base");
    let joined = base.join(path).ok()?;
    let plain = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    let console = joined.path() == CONSOLE || joined.path().starts_with("/staff/");
    (plain && joined.origin() == base.origin() && console).then(|| {
        let mut path = joined.path().to_owned();
        if let Some(query) = joined.query() {
            path.push('?');
            path.push_str(query);
        }
        if let Some(fragment) = joined.fragment() {
            path.push('#');
            path.push_str(fragment);
        }
        path
    })
}

fn callback_uri(ports: &Ports) -> String {
    format!("{}/staff/callback", ports.settings.portal_base_url)
}

fn console_uri(ports: &Ports) -> String {
    format!("{}{CONSOLE}", ports.settings.portal_base_url)
}

fn clear(name: &str, same_site: &str) -> String {
    format!("{name}=; Path=/; Secure; HttpOnly; SameSite={same_site}; Max-Age=0")
}

fn redirect(location: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    page_headers(headers);
    headers.insert(LOCATION, location.parse().expect("a URL is a header value"));
    for cookie in cookies {
        headers.append(
            SET_COOKIE,
            cookie.parse().expect("a cookie is a header value"),
        );
    }
    response
}

/// A refused callback: the reason goes to the log, the page says what to do. The sign-in
/// cookie goes too, so nothing of the failed sign-in stays behind.
fn refused(reason: &str, message: &str) -> Response {
    tracing::info!(%reason, "staff sign-in refused");
    clearing_sign_in(refusal(StatusCode::BAD_REQUEST, message))
}

/// `response` with the used (or refused) sign-in's cookie cleared.
fn clearing_sign_in(mut response: Response) -> Response {
    response.headers_mut().append(
        SET_COOKIE,
        clear(SIGN_IN_COOKIE, "Lax")
            .parse()
            .expect("a cookie is a header value"),
    );
    response
}

fn provider_unreachable(reason: String) -> Response {
    tracing::error!(%reason, "the staff identity provider cannot be read");
    refusal(
        StatusCode::BAD_GATEWAY,
        "The identity provider cannot be reached. Try again in a moment.",
    )
}

/// A small page (fixed text only, nothing from the request) with a way back.
fn refusal(status: StatusCode, message: &str) -> Response {
    html_page(
        status,
        "Staff sign-in",
        &format!(
            "<p role=\"alert\">{message}</p><p><a href=\"/staff/login\">Sign in again</a></p>"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_stays_in_the_console() {
        assert_eq!(console_path(None).as_deref(), Some("/staff"));
        assert_eq!(console_path(Some("/staff")).as_deref(), Some("/staff"));
        assert_eq!(
            console_path(Some("/staff/x?tab=people#users")).as_deref(),
            Some("/staff/x?tab=people#users")
        );
        for outside in [
            "https://evil.example/staff",
            "//evil.example/staff",
            "/\\evil.example/staff",
            "staff",
            "/account",
            "/staffing",
            "/staff/../account",
            "javascript:alert(1)",
            "/staff\n/x",
        ] {
            assert_eq!(console_path(Some(outside)), None, "{outside}");
        }
    }
}

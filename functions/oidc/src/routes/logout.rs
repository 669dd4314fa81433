//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the provider session
//! and the asking app's session, then returns to one of the app's registered post-logout
//! redirect URIs, or shows that the person is signed out. Without an ID token of theirs,
//! a page asks first, so a link on another site cannot sign anyone out.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use html_escape::encode_double_quoted_attribute as attribute;
use portal_domain::oidc::OidcClient;
use portal_domain::use_cases::{
    end_provider_session, provider_session, registered_client, revoke_app_session,
};
use portal_http::{Problem, same_origin};

use super::{issuer, single_params};
use crate::OidcState;
use crate::id_tokens::IdTokenClaims;
use crate::pages::{error_page, page, redirect, with_query};
use crate::provider_cookie::{clear_provider_cookie, provider_key};

/// The parameters of a logout request; each may appear once.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "describes the query for the OpenAPI document; it is read by name"
)]
pub struct LogoutParams {
    /// An ID token we issued to the app (expired is fine): whom to sign out, for which app.
    id_token_hint: Option<String>,
    /// One of the app's registered post-logout redirect URIs, exactly.
    post_logout_redirect_uri: Option<String>,
    /// The app, when there is no `id_token_hint`.
    client_id: Option<String>,
    /// Handed back unchanged.
    state: Option<String>,
}

#[utoipa::path(get, path = "/oauth2/logout", operation_id = "oidc_logout",
    params(LogoutParams),
    responses(
        (status = 200, description = "Signed out, or (without `id_token_hint`) a page that \
            asks first", content_type = "text/html", body = String),
        (status = 302, description = "Signed out: to the post-logout redirect URI with `state`"),
        (status = 400, description = "An `id_token_hint` that is not ours or names someone else \
            than the signed-in person, or a redirect URI the app did not register (a page)",
            content_type = "text/html", body = String),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn logout(
    State(state): State<OidcState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    sign_out(
        &state,
        &headers,
        query.unwrap_or_default().as_bytes(),
        false,
    )
    .await
}

/// The confirmation page's form: signs out without an `id_token_hint`. Only the portal's
/// own page may send it.
#[utoipa::path(post, path = "/oauth2/logout", operation_id = "oidc_logout_confirmed",
    request_body(content_type = "application/x-www-form-urlencoded", content = Object,
        description = "The parameters of `GET /oauth2/logout`"),
    responses(
        (status = 200, description = "Signed out", content_type = "text/html", body = String),
        (status = 302, description = "Signed out: to the post-logout redirect URI with `state`"),
        (status = 400, description = "As for `GET`, or not sent by the portal's own page (a page)",
            content_type = "text/html", body = String),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn confirmed_logout(
    State(state): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    if !same_origin(&headers, &state.ports.settings.portal_base_url) {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "Sign out from the portal's own page.",
        ));
    }
    sign_out(&state, &headers, &body, true).await
}

async fn sign_out(
    state: &OidcState,
    headers: &HeaderMap,
    encoded: &[u8],
    confirmed: bool,
) -> Result<Response, Problem> {
    let refused = |message| Ok(error_page(StatusCode::BAD_REQUEST, message));
    let Some(params) = single_params(encoded) else {
        return refused("This sign-out link is broken: a parameter appears twice.");
    };
    let get = |name: &str| params.get(name).map(String::as_str);
    let ports = &state.ports;
    let hint = match get("id_token_hint") {
        Some(token) => match state.keys().await?.verify_hint(token, issuer(ports)) {
            Ok(claims) => Some(claims),
            Err(reason) => {
                tracing::info!(%reason, "logout id_token_hint refused");
                return refused("This sign-out link is not valid.");
            }
        },
        None => None,
    };
    let client_id = hint
        .as_ref()
        .map(|claims| claims.aud.as_str())
        .or(get("client_id"));
    if let (Some(hint), Some(named)) = (&hint, get("client_id"))
        && hint.aud != named
    {
        return refused("This sign-out link is not valid.");
    }
    let client = match client_id {
        Some(id) => registered_client(ports, id).await?,
        None => None,
    };
    let back = match get("post_logout_redirect_uri") {
        None => None,
        Some(uri)
            if client
                .as_ref()
                .is_some_and(|c| c.allows_post_logout_redirect(uri)) =>
        {
            Some(uri)
        }
        // RFC 9700 §4.11: never an open redirect.
        Some(_) => {
            return refused("This app asked to return to an address the portal does not know.");
        }
    };
    let session = match provider_key(headers) {
        Some(key) => provider_session(ports, key).await?,
        None => None,
    };
    if let (Some(hint), Some(session)) = (&hint, &session)
        && hint.sub != session.user_id.as_str()
    {
        tracing::info!("logout refused: the id_token_hint names someone else");
        return refused("This sign-out request is for another account; nothing was changed.");
    }
    if hint.is_none() && !confirmed {
        return Ok(confirmation(&params, back));
    }
    if let Some(key) = provider_key(headers) {
        end_provider_session(ports, key).await?;
    }
    if let (Some(IdTokenClaims { sid, .. }), Some(client)) = (&hint, &client) {
        end_app_session(state, client, sid).await?;
    }
    let cookies = [clear_provider_cookie()];
    Ok(match back {
        Some(uri) => {
            let pairs: Vec<(&str, &str)> = get("state").map(|s| ("state", s)).into_iter().collect();
            redirect(&with_query(uri, &pairs), &cookies)
        }
        None => {
            let mut response = page(StatusCode::OK, "<p role=\"status\">You are signed out.</p>");
            response.headers_mut().append(
                axum::http::header::SET_COOKIE,
                cookies[0].parse().expect("a cookie is a header value"),
            );
            response
        }
    })
}

async fn end_app_session(state: &OidcState, client: &OidcClient, sid: &str) -> Result<(), Problem> {
    Ok(revoke_app_session(&state.ports, client, sid).await?)
}

/// Asks before signing out: a form that posts the same parameters back. Its answer may
/// redirect to the app, whose origin the page's `form-action` must then allow.
fn confirmation(
    params: &std::collections::HashMap<String, String>,
    back: Option<&str>,
) -> Response {
    let mut names: Vec<&String> = params.keys().collect();
    names.sort();
    let hidden: String = names
        .into_iter()
        .map(|name| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                attribute(name),
                attribute(&params[name])
            )
        })
        .collect();
    let mut response = page(
        StatusCode::OK,
        &format!(
            "<p>Sign out of the customer portal?</p>\
             <form method=\"post\" action=\"/oauth2/logout\">{hidden}\
             <button type=\"submit\">Sign out</button></form>"
        ),
    );
    if let Some(origin) = back
        .and_then(|uri| url::Url::parse(uri).ok())
        .map(|uri| uri.origin().ascii_serialization())
    {
        let policy = format!(
            "default-src 'self'; base-uri 'none'; form-action 'self' {origin}; \
             frame-ancestors 'none'; object-src 'none'"
        );
        if let Ok(value) = policy.parse() {
            response
                .headers_mut()
                .insert(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

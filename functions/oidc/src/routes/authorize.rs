//! The authorization endpoint (code flow only, PKCE S256 for every client, RFC 9700) and
//! the sign-in our login page posts to when it is the provider's login page.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portal_domain::oidc::{OidcClient, granted_scopes, is_valid_pkce_value};
use portal_domain::use_cases::{
    CodeRequest, ProviderSignIn, SignIn, issue_authorization_code, provider_session,
    registered_client, sign_in_to_provider, sign_in_to_provider_second_step,
    sign_in_to_provider_with_passkey,
};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{
    ApiJson, LoginClient, PasskeySignInBody, Problem, SecondFactorBody, SecondStep, same_origin,
};
use serde::Deserialize;

use super::{issuer, single_params};
use crate::pages::{error_page, redirect, with_query};
use crate::provider_cookie::{provider_key, set_provider_cookie};

/// A `nonce` or `state` longer than this is refused: they travel in URLs and tokens.
const MAX_ECHOED_LENGTH: usize = 512;

/// The parameters of an authorization request (OpenID Connect Core §3.1.2.1). Each may
/// appear once.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "describes the query for the OpenAPI document; it is read by name"
)]
pub struct AuthorizeParams {
    /// The app, as staff registered it.
    client_id: String,
    /// One of the app's registered redirect URIs, exactly.
    redirect_uri: String,
    /// `code`; nothing else.
    response_type: String,
    /// Space-separated; must hold `openid`. Also `profile`, `email`, `offline_access`
    /// (a refresh token).
    scope: String,
    /// Handed back unchanged.
    state: Option<String>,
    /// Put into the ID token unchanged.
    nonce: Option<String>,
    /// PKCE (RFC 7636): BASE64URL(SHA-256(verifier)).
    code_challenge: String,
    /// `S256`; nothing else.
    code_challenge_method: String,
    /// `none` (never show a page: `login_required` if not signed in) or `login` (always
    /// ask for the password again).
    prompt: Option<String>,
    /// Seconds: a sign-in older than this asks for the password again.
    max_age: Option<u64>,
    /// Fills in the login page's username.
    login_hint: Option<String>,
}

/// Sends the person back to the app with a code, straight away when the provider session
/// signs them in, else through our login page. An unknown app or redirect URI gets a page
/// (never a redirect); every other error goes back to the app (RFC 6749 §4.1.2.1).
#[utoipa::path(get, path = "/oauth2/authorize", operation_id = "oidc_authorize",
    params(AuthorizeParams),
    responses(
        (status = 302, description = "To the app's redirect URI with `code`, `state` and `iss` \
            (or `error`), or to the login page"),
        (status = 400, description = "An unknown app, a redirect URI it did not register, or \
            a parameter given twice (a page)", content_type = "text/html", body = String),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn authorize(
    State(ports): State<Ports>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let Some(params) = single_params(query.unwrap_or_default().as_bytes()) else {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in link is broken: a parameter appears twice.",
        ));
    };
    let get = |name: &str| params.get(name).map(String::as_str);
    let Some(client) = registered_client(&ports, get("client_id").unwrap_or_default()).await?
    else {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "This app is not known to the portal. Please tell the app's owner.",
        ));
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|uri| client.allows_redirect(uri)) else {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "This app asked to return to an address the portal does not know. Please tell \
             the app's owner.",
        ));
    };
    let back = Back {
        redirect_uri,
        state: get("state"),
        issuer: issuer(&ports),
    };
    let request = match checked(&client, &get) {
        Ok(request) => request,
        Err((error, description)) => return Ok(back.error(error, description)),
    };
    let session = match provider_key(&headers) {
        Some(key) => provider_session(&ports, key).await?,
        None => None,
    };
    let now = ports.clock.now();
    let usable = session
        .filter(|session| !request.prompt_login && !session.older_than(request.max_age, now));
    match usable {
        Some(session) => {
            let code = issue_authorization_code(&ports, request.code, &session).await?;
            Ok(back.with(&[("code", code.as_str())]))
        }
        None if request.prompt_none => Ok(back.error(
            "login_required",
            "The person is not signed in at the portal.",
        )),
        None => Ok(redirect(&login_page(&params, get("login_hint")), &[])),
    }
}

/// A request whose app and redirect URI are known, checked.
struct Checked {
    code: CodeRequest,
    prompt_none: bool,
    prompt_login: bool,
    max_age: Option<u64>,
}

type AuthorizeError = (&'static str, &'static str);

fn checked<'a>(
    client: &OidcClient,
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Checked, AuthorizeError> {
    if get("request").is_some() {
        return Err((
            "request_not_supported",
            "Request objects are not supported.",
        ));
    }
    if get("request_uri").is_some() {
        return Err((
            "request_uri_not_supported",
            "Request objects are not supported.",
        ));
    }
    if get("response_type") != Some("code") {
        return Err((
            "unsupported_response_type",
            "Only the code flow (response_type=code) is supported.",
        ));
    }
    if get("response_mode").is_some_and(|mode| mode != "query") {
        return Err(("invalid_request", "Only response_mode=query is supported."));
    }
    let scopes = get("scope")
        .and_then(granted_scopes)
        .ok_or(("invalid_scope", "The scope must include openid."))?;
    let code_challenge = get("code_challenge")
        .filter(|challenge| is_valid_pkce_value(challenge))
        .ok_or((
            "invalid_request",
            "PKCE is required: code_challenge is missing or malformed.",
        ))?;
    if get("code_challenge_method") != Some("S256") {
        return Err(("invalid_request", "code_challenge_method must be S256."));
    }
    let prompts: Vec<&str> = get("prompt")
        .unwrap_or_default()
        .split(' ')
        .filter(|prompt| !prompt.is_empty())
        .collect();
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return Err(("invalid_request", "prompt=none cannot be combined."));
    }
    let max_age = match get("max_age") {
        None => None,
        Some(text) => Some(
            text.parse::<u64>()
                .map_err(|_| ("invalid_request", "max_age must be a number of seconds."))?,
        ),
    };
    let nonce = get("nonce");
    if [nonce, get("state")]
        .iter()
        .flatten()
        .any(|value| value.len() > MAX_ECHOED_LENGTH)
    {
        return Err((
            "invalid_request",
            "nonce and state are limited to 512 characters.",
        ));
    }
    Ok(Checked {
        code: CodeRequest {
            client_id: client.id.clone(),
            redirect_uri: get("redirect_uri").unwrap_or_default().to_owned(),
            scopes,
            nonce: nonce.map(str::to_owned),
            code_challenge: code_challenge.to_owned(),
        },
        prompt_none,
        prompt_login: prompts.contains(&"login"),
        max_age,
    })
}

/// The app's redirect URI, and what every answer sent there carries: `state` and our
/// issuer (RFC 9207, against mix-up of two providers' answers).
struct Back<'a> {
    redirect_uri: &'a str,
    state: Option<&'a str>,
    issuer: &'a str,
}

impl Back<'_> {
    fn with(&self, pairs: &[(&str, &str)]) -> Response {
        let mut all = pairs.to_vec();
        if let Some(state) = self.state {
            all.push(("state", state));
        }
        all.push(("iss", self.issuer));
        redirect(&with_query(self.redirect_uri, &all), &[])
    }

    fn error(&self, error: &str, description: &str) -> Response {
        self.with(&[("error", error), ("error_description", description)])
    }
}

/// Our login page, which comes back here once signed in. `prompt=login` is left out of
/// the way back: the sign-in it asked for will just have happened.
fn login_page(
    params: &std::collections::HashMap<String, String>,
    login_hint: Option<&str>,
) -> String {
    let mut again = url::form_urlencoded::Serializer::new(String::new());
    let mut names: Vec<&String> = params.keys().collect();
    names.sort();
    for name in names {
        if name != "prompt" || params[name] != "login" {
            again.append_pair(name, &params[name]);
        }
    }
    let continue_to = format!("/oauth2/authorize?{}", again.finish());
    let mut login = url::form_urlencoded::Serializer::new(String::new());
    login.append_pair("continue", &continue_to);
    if let Some(hint) = login_hint {
        login.append_pair("login_hint", hint);
    }
    format!("/login?{}", login.finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignInBody {
    #[schema(value_type = String)]
    username: Option<String>,
    #[schema(value_type = String)]
    password: Option<String>,
}

/// Signs in at the provider (the login page, when an app sent the person): the same
/// password check and lockout as `POST /sessions`, which answers no tokens but the
/// provider session's cookie; the page then goes back to `/oauth2/authorize`. Only the
/// portal's own pages may call it.
#[utoipa::path(post, path = "/oauth2/login", operation_id = "oidc_sign_in",
    request_body = SignInBody,
    responses(
        (status = 204, description = "Signed in: the provider session cookie is set"),
        (status = 200, description = "The second step is due (`POST /oauth2/login/mfa`), or \
            a second factor must be set up first", body = SecondStep),
        (status = 401, description = "Wrong username or password, whatever the reason \
            (`invalid_credentials`)"),
        (status = 403, description = "Not sent by the portal's own pages (`forbidden`)"),
        (status = 422, description = "`username` or `password` is missing (`validation_failed`)"),
        (status = 429, description = "The username is locked after failed logins \
            (`too_many_attempts`), or too many requests from this client (`rate_limited`)"),
    ))]
pub async fn sign_in(
    State(ports): State<Ports>,
    headers: HeaderMap,
    LoginClient(client): LoginClient,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Response, Problem> {
    refuse_other_origins(&ports, &headers)?;
    let mut errors = FieldErrors::new();
    for (field, value) in [("username", &body.username), ("password", &body.password)] {
        if value.is_none() {
            errors.add(field, "is required");
        }
    }
    let (Some(username), Some(password)) = (body.username, body.password) else {
        return Err(DomainError::Validation(errors).into());
    };
    Ok(
        match sign_in_to_provider(&ports, &username, &password, &client).await? {
            SignIn::Done(signed_in) => with_provider_cookie(&signed_in),
            SignIn::SecondStep(step) => Json(SecondStep::from(step)).into_response(),
        },
    )
}

/// Finishes a provider sign-in with its second factor: the same check and lockout as
/// `POST /sessions/mfa`, answering the provider session's cookie. Only the portal's own
/// pages may call it.
#[utoipa::path(post, path = "/oauth2/login/mfa", operation_id = "oidc_sign_in_second_factor",
    request_body = SecondFactorBody,
    responses(
        (status = 204, description = "Signed in: the provider session cookie is set"),
        (status = 401, description = "The `mfa_token` is unknown, used, expired or burned: \
            sign in again (`unauthenticated`)"),
        (status = 403, description = "Not sent by the portal's own pages (`forbidden`)"),
        (status = 422, description = "A field is missing or malformed (`validation_failed`), \
            or the code is wrong (`code_invalid`)"),
        (status = 429, description = "The username is locked (`too_many_attempts`), or too \
            many requests from this client (`rate_limited`)"),
    ))]
pub async fn sign_in_second_factor(
    State(ports): State<Ports>,
    headers: HeaderMap,
    LoginClient(client): LoginClient,
    ApiJson(body): ApiJson<SecondFactorBody>,
) -> Result<Response, Problem> {
    refuse_other_origins(&ports, &headers)?;
    let (token, answer) = body.parse()?;
    let signed_in = sign_in_to_provider_second_step(&ports, &token, &answer, &client).await?;
    Ok(with_provider_cookie(&signed_in))
}

/// Signs in at the provider with a passkey alone (options from
/// `POST /sessions/passkey/options`): the same check as `POST /sessions/passkey`, answering
/// the provider session's cookie. Only the portal's own pages may call it.
#[utoipa::path(post, path = "/oauth2/login/passkey", operation_id = "oidc_sign_in_with_passkey",
    request_body = PasskeySignInBody,
    responses(
        (status = 204, description = "Signed in: the provider session cookie is set"),
        (status = 403, description = "Not sent by the portal's own pages (`forbidden`)"),
        (status = 409, description = "The portal is reached by an IP address (`invalid_state`)"),
        (status = 422, description = "A field is missing or not a WebAuthn credential \
            (`validation_failed`); the passkey is unknown, another's, for another portal, \
            replayed, or its token expired or was used (`code_invalid`, one answer for all)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn sign_in_with_passkey(
    State(ports): State<Ports>,
    headers: HeaderMap,
    LoginClient(client): LoginClient,
    ApiJson(body): ApiJson<PasskeySignInBody>,
) -> Result<Response, Problem> {
    refuse_other_origins(&ports, &headers)?;
    let (token, credential) = body.parse()?;
    let signed_in = sign_in_to_provider_with_passkey(&ports, &token, &credential, &client).await?;
    Ok(with_provider_cookie(&signed_in))
}

/// Login CSRF: another site's page must not sign the browser in to someone's account.
fn refuse_other_origins(ports: &Ports, headers: &HeaderMap) -> Result<(), Problem> {
    if same_origin(headers, &ports.settings.portal_base_url) {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "Sign in through the portal's login page.",
        ))
    }
}

fn with_provider_cookie(signed_in: &ProviderSignIn) -> Response {
    (
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, set_provider_cookie(signed_in.key.as_str()))],
    )
        .into_response()
}

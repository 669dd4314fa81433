//! `/me/mfa…`: the caller's second factors. Setting up an authenticator app (or a passkey,
//! in `passkeys`) also works with the enrolment token an organization that requires a
//! second factor hands out at sign-in, before any access token.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use portal_domain::Ports;
use portal_domain::mfa::{MfaMethod, TotpCode};
use portal_domain::use_cases::{self, Enroller};
use portal_http::{ApiJson, PortalCaller, Problem, bearer_token};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::{Deserialize, Serialize};

use super::required;
use crate::PasswordState;

/// The caller of a route that sets up a factor: a valid access token, or an enrolment
/// token (tried first: it cannot be mistaken for a JWT).
pub struct EnrollingCaller(pub Enroller);

impl FromRequestParts<PasswordState> for EnrollingCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &PasswordState) -> Result<Self, Problem> {
        let refused = || Problem::unauthenticated("A valid access or enrolment token is required");
        let token = bearer_token(parts).map_err(|_| refused())?;
        if let Some(enroller) = Enroller::enrolling(token) {
            return Ok(Self(enroller));
        }
        let claims = state
            .tokens
            .verifier()
            .verify(token)
            .map_err(|_| refused())?;
        claims.current_user(&state.ports).await?;
        Ok(Self(Enroller::SignedIn(claims.sub)))
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MfaStatus {
    /// Whether an authenticator app is set up.
    totp: bool,
    /// Registered passkeys (`GET /me/passkeys` lists them).
    passkeys: usize,
    /// Unused recovery codes.
    recovery_codes_left: usize,
    /// What a sign-in's second step can be finished with (empty: no second step).
    methods: Vec<MfaMethod>,
}

/// The caller's second factors.
#[utoipa::path(get, path = "/me/mfa", operation_id = "mfa_status",
    security(("portal" = [])),
    responses((status = 200, description = "The second factors", body = MfaStatus)))]
pub async fn status(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
) -> Result<Json<MfaStatus>, Problem> {
    let user = claims.current_user(&ports).await?;
    let factors = user.second_factors();
    Ok(Json(MfaStatus {
        totp: factors.totp.is_some(),
        passkeys: factors.passkeys.len(),
        recovery_codes_left: if factors.any() {
            factors.recovery_codes.len()
        } else {
            0
        },
        methods: factors.methods(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TotpSetupView {
    /// The secret as an app's "enter a key" field takes it (base32).
    secret: String,
    /// What the QR code carries.
    otpauth_uri: String,
    /// The QR code of `otpauth_uri`, an SVG image drawn here (nothing is sent elsewhere).
    qr_svg: String,
}

/// Shows a new authenticator secret, to confirm with a first code within 30 minutes.
#[utoipa::path(post, path = "/me/mfa/totp", operation_id = "start_totp",
    security(("portal" = [])),
    responses(
        (status = 200, description = "A new secret", body = TotpSetupView),
        (status = 401, description = "No valid access or enrolment token (`unauthenticated`)"),
        (status = 409, description = "An app is already set up (`conflict`)"),
    ))]
pub async fn start_totp(
    State(ports): State<Ports>,
    EnrollingCaller(enroller): EnrollingCaller,
) -> Result<Json<TotpSetupView>, Problem> {
    let setup = use_cases::start_totp(&ports, &enroller).await?;
    let qr_svg = QrCode::new(setup.otpauth_uri.as_bytes())
        .map_err(|_| Problem::from(portal_domain::DomainError::InvalidState("no QR code")))?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(Json(TotpSetupView {
        secret: setup.secret,
        otpauth_uri: setup.otpauth_uri,
        qr_svg,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeBody {
    /// The 6 digits the app shows.
    #[schema(value_type = String, pattern = "^[0-9]{6}$", min_length = 6, max_length = 6)]
    code: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RecoveryCodesView {
    /// Ten single-use codes, shown this once; the set before no longer works.
    recovery_codes: Vec<String>,
}

/// Confirms the app with its first code: it becomes a second factor, with ten recovery
/// codes. After an enrolment token, sign in again.
#[utoipa::path(post, path = "/me/mfa/totp/confirm", operation_id = "confirm_totp",
    security(("portal" = [])),
    request_body = CodeBody,
    responses(
        (status = 200, description = "Set up", body = RecoveryCodesView),
        (status = 401, description = "No valid access or enrolment token (`unauthenticated`)"),
        (status = 409, description = "No secret waits for a code, or it is older than 30 \
            minutes (`invalid_state`)"),
        (status = 422, description = "Not 6 digits (`validation_failed`), or the wrong code \
            (`code_invalid`)"),
    ))]
pub async fn confirm_totp(
    State(ports): State<Ports>,
    EnrollingCaller(enroller): EnrollingCaller,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Json<RecoveryCodesView>, Problem> {
    let code = parse_code(required("code", body.code)?)?;
    let recovery_codes = use_cases::confirm_totp(&ports, &enroller, &code).await?;
    Ok(Json(RecoveryCodesView { recovery_codes }))
}

/// Removes the authenticator app (and, with no other factor, the recovery codes). Needs a
/// sign-in within the last 5 minutes.
#[utoipa::path(delete, path = "/me/mfa/totp", operation_id = "remove_totp",
    security(("portal" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Sign in again first (`recent_sign_in_required`)"),
        (status = 404, description = "No app is set up (`not_found`)"),
    ))]
pub async fn remove_totp(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
) -> Result<StatusCode, Problem> {
    claims.current_user(&ports).await?;
    use_cases::remove_totp(&ports, &claims.sub, claims.signed_in_at()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ten new recovery codes; the old ones stop working. Needs a sign-in within the last 5
/// minutes.
#[utoipa::path(post, path = "/me/mfa/recovery-codes", operation_id = "replace_recovery_codes",
    security(("portal" = [])),
    responses(
        (status = 200, description = "The new codes", body = RecoveryCodesView),
        (status = 403, description = "Sign in again first (`recent_sign_in_required`)"),
        (status = 409, description = "No second factor is set up (`invalid_state`)"),
    ))]
pub async fn replace_recovery_codes(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
) -> Result<Json<RecoveryCodesView>, Problem> {
    claims.current_user(&ports).await?;
    let recovery_codes =
        use_cases::replace_recovery_codes(&ports, &claims.sub, claims.signed_in_at()).await?;
    Ok(Json(RecoveryCodesView { recovery_codes }))
}

fn parse_code(code: String) -> Result<TotpCode, Problem> {
    TotpCode::parse(&code)
        .map_err(|message| portal_domain::DomainError::invalid_field("code", message).into())
}

//! Axum glue shared by every function: problem+json errors, the JSON body extractor,
//! the middleware stack every router is served with, and tracing setup.

mod access_tokens;
mod app;
mod bearer;
mod client;
mod json;
mod login_client;
pub mod openapi;
mod page_headers;
mod path_id;
mod problem;
mod second_step;
mod staff_auth;
mod telemetry;
mod views;

pub use access_tokens::{
    ACCESS_TOKEN_LIFETIME, AccessTokenClaims, AccessTokenConfig, AccessTokenSubject,
    AccessTokenVerifier, AccessTokenVerifierConfig, AccessTokens, PortalCaller, PortalPublicKey,
    PortalSigningKey,
};
pub use app::{BODY_LIMIT, REQUEST_ID_HEADER, app};
pub use bearer::bearer_token;
pub use client::{client_address, limit_per_client};
pub use json::ApiJson;
pub use login_client::LoginClient;
pub use page_headers::{html_page, page_headers};
pub use path_id::PathId;
pub use problem::Problem;
pub use second_step::{PasskeySignInBody, SecondFactorBody, SecondStep, webauthn_credential};
pub use staff_auth::{
    ClientSecret, DevTokens, Discovery, GivenSecret, PermissionRule, ProviderConfig,
    SESSION_COOKIE, SIGN_IN_COOKIE, Staff, StaffAuthConfig, StaffProvider, StaffVerifier,
    cookie_value, mint_dev_staff_token, same_origin,
};
pub use telemetry::{LOG_FILTER, init_tracing};
pub use views::{InvitationSummary, List, LoginView};

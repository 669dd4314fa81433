//! One test kit for the whole workspace. A test reaches the portal through a
//! [`Transport`]: in process ([`InProcess`]: every router merged, as portal-local serves
//! them) or over HTTP ([`Http`]: a spawned portal-local). On top of it, [`Api`] has one
//! helper per endpoint (each answering a [`Reply`]) and the journeys built from them once
//! (a verified request, an invited user, an organization administrator…).
//!
//! - [`TestApp`]: the in-process portal of the router tests, on the embedded store (or any
//!   store), a recording mailer and a clock the test moves.
//! - [`LocalPortal`]: the black-box tests' portal-local process, on the embedded store or
//!   DynamoDB (moto).
//! - [`moto`]: the emulator's endpoints, fresh tables, SES; [`bench`]: the benchmarks'
//!   runtime.

mod api;
mod app;
pub mod bench;
mod files;
mod local;
pub mod moto;
mod passkey;
mod provider_docs;
mod reply;
mod transport;

use std::time::Duration;

use portal_adapters::OsRandomness;
use portal_domain::audit::{Actor, AuditAction, AuditEvent};
use portal_domain::ids::Id;
use portal_domain::invitation::{Invitation, InvitationStatus, SecretToken};
use portal_domain::ports::Settings;
use portal_domain::types::{EmailAddress, Username};
use portal_domain::user::{Grant, PortalUser};
use serde_json::{Value, json};
use time::OffsetDateTime;

pub use api::{Api, Member, OrgAdmin, Route, request};
pub use app::{Setup, TestApp, all_routes, oidc_keys, oidc_keys_pem, staff_verifier};
pub use axum::http::{Method, StatusCode};
pub use files::{PEOPLE_HEADER, numbered_people, people_csv, people_xlsx};
pub use local::{Backend, LocalPortal};
pub use passkey::TestPasskey;
pub use provider_docs::ProviderDocs;
pub use reply::Reply;
pub use transport::{Http, InProcess, Mailbox, PEER, Secret, Transport};

/// The portal's address in in-process tests: where personal links lead.
pub const TEST_BASE_URL: &str = "https://portal.test";

/// Ports for in-process tests on `store`, `mailer` and `clock`: OS randomness, Argon2id,
/// a fresh seal key, default settings with the per-client limit off (router tests send
/// many requests from one address; the limit has tests of its own that turn it on).
pub fn ports(
    store: std::sync::Arc<dyn portal_domain::ports::Store>,
    mailer: std::sync::Arc<dyn portal_domain::ports::Mailer>,
    clock: std::sync::Arc<dyn portal_domain::clock::Clock>,
) -> portal_domain::Ports {
    let settings = Settings {
        invitation_lifetime: Settings::DEFAULT_INVITATION_LIFETIME,
        email_retries: Default::default(),
        password_min_length: Default::default(),
        client_rate_limit: 0,
        portal_base_url: TEST_BASE_URL.to_owned(),
        username_field: Default::default(),
    };
    let seal_key = portal_adapters::SealKey::generate(&OsRandomness);
    portal_adapters::ports(
        store,
        mailer,
        clock,
        std::sync::Arc::new(seal_key),
        settings,
    )
}

/// The password every journey sets.
pub const PASSWORD: &str = "correct horse battery staple";
/// Long enough to be checked, never right.
pub const WRONG_PASSWORD: &str = "a wrong but long enough guess";
/// Well formed, but nobody's.
pub const UNKNOWN_ID: &str = "0123456789abcdef0123456789abcdef";
/// The `User-Agent` of every request the kit sends (unless the test sets its own).
pub const USER_AGENT: &str = "portal-testkit";

/// The staff token secret, issuer and audience of every portal the kit runs.
pub const STAFF_SECRET: &str = "portal-testkit-staff-secret-portal-testkit";
pub const STAFF_ISSUER: &str = "portal-tests";
pub const STAFF_AUDIENCE: &str = "portal-staff";

/// A staff token with these permissions for an hour, from staff-1 (Sam Staff).
pub fn staff_token(permissions: &[&str]) -> String {
    portal_http::mint_dev_staff_token(
        STAFF_SECRET.as_bytes(),
        STAFF_ISSUER,
        STAFF_AUDIENCE,
        "staff-1",
        "Sam Staff",
        permissions,
        Duration::from_secs(3600),
    )
}

/// The registration form of Ada Lovelace, with every field, for `email`.
pub fn person(email: &str) -> Value {
    json!({
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": email,
        "phone": "+44 20 7946 0958",
        "company": "Acme",
        "locale": "en"
    })
}

/// The name a person invited by address alone gives when accepting.
pub fn profile() -> Value {
    json!({ "first_name": "Grace", "last_name": "Hopper" })
}

/// A verification code that is not `code`.
pub fn other_code(code: &str) -> String {
    format!(
        "{:06}",
        (code.parse::<u32>().expect("six digits") + 1) % 1_000_000
    )
}

/// The claims of a JWT (unverified: a test only reads them).
pub fn claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let part = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// The code an authenticator app shows at `at` for the base32 `secret`.
pub fn totp_code(secret: &str, at: OffsetDateTime) -> String {
    portal_domain::mfa::TotpSecret::from_base32(secret)
        .expect("a base32 secret")
        .code_at(at.unix_timestamp() as u64)
}

/// The first run of exactly six digits in an email's text: its code.
pub fn six_digits(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_owned)
}

/// The token of the first link `<base>/<page>#token=<token>` in an email's text.
pub fn link_token(text: &str) -> Option<String> {
    let start = text.find("#token=")? + "#token=".len();
    Some(
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

/// A portal user for `email`, invited by staff-1 at `now` (no name, no password yet),
/// and the token of its invitation: for writing straight to a store.
pub fn invited_portal_user(email: &str, now: OffsetDateTime) -> (PortalUser, SecretToken) {
    let token = SecretToken::generate(&OsRandomness);
    let invitation = Invitation {
        token_hash: token.hash(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now + Settings::DEFAULT_INVITATION_LIFETIME,
        confirm_contact_data: true,
        email_code: None,
    };
    let staff = Actor {
        subject: "staff-1".into(),
        name: None,
    };
    let email = EmailAddress::parse(email).expect("an email address");
    let user = PortalUser::invite(
        Id::generate(&OsRandomness),
        Id::generate(&OsRandomness),
        Some(Username::of_email(&email)),
        Some(email),
        Grant::default(),
        invitation,
        AuditEvent::new(&staff, AuditAction::Invited, None, now),
    );
    (user, token)
}

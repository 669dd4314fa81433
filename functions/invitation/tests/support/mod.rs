//! One in-process app per test, shared by the invitation and deactivation tests: those
//! routers with the ones a user meets before and after (approval for contacts, password to
//! accept, log in and call `/me`), with the shared layers, on the embedded store, a
//! recording mailer, staff tokens signed with a test secret and real access tokens.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use portal_domain::Ports;
use portal_domain::clock::ManualClock;
use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};
use portal_domain::testing::{self, RecordingMailer};
use portal_domain::use_cases::{Pace, sweep_outbox};
use portal_http::{
    AccessTokenConfig, AccessTokens, PortalSigningKey, StaffAuthConfig, StaffKey, StaffVerifier,
    mint_dev_staff_token,
};
use portal_store::EmbeddedStore;
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &[u8] = b"membership-router-tests-staff-secret-00";
const ISSUER: &str = "portal-tests";
const AUDIENCE: &str = "portal-staff";
pub const PASSWORD: &str = "correct horse battery staple";
/// Well formed, but nobody's.
pub const UNKNOWN_ID: &str = "0123456789abcdef0123456789abcdef";

pub struct TestApp {
    pub app: Router,
    pub ports: Ports,
    pub store: Arc<EmbeddedStore>,
    pub mailer: Arc<RecordingMailer>,
    pub clock: Arc<ManualClock>,
    /// A staff token with both permissions.
    pub token: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// The fields a 422 names.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|error| error["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn id(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {}", self.body))
            .to_owned()
    }
}

/// A member who can act: their id and a fresh access token.
pub struct Member {
    pub id: String,
    pub email: String,
    pub access_token: String,
}

impl TestApp {
    pub fn start() -> Self {
        let store = Arc::new(EmbeddedStore::in_memory());
        let mailer = Arc::new(RecordingMailer::default());
        // The real clock's time: access tokens are checked against the system clock.
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let ports = testing::ports(store.clone(), mailer.clone(), clock.clone());
        let staff = Arc::new(
            StaffVerifier::new(StaffAuthConfig {
                issuer: ISSUER.into(),
                audience: AUDIENCE.into(),
                key: StaffKey::Hs256(SECRET.to_vec()),
            })
            .expect("staff verifier"),
        );
        let tokens = Arc::new(AccessTokens::new(AccessTokenConfig {
            issuer: "tests".into(),
            audience: "portal".into(),
            signing_key: PortalSigningKey::generate(),
        }));
        let routes = portal_approval::router(ports.clone(), staff.clone())
            .merge(portal_invitation::router(
                ports.clone(),
                staff.clone(),
                tokens.verifier().clone(),
            ))
            .merge(portal_deactivation::router(
                ports.clone(),
                staff,
                tokens.verifier().clone(),
            ))
            .merge(portal_password::router(ports.clone(), tokens));
        Self {
            app: portal_http::app(routes),
            ports,
            store,
            mailer,
            clock,
            token: staff_token(&[MANAGE_USERS, ASSIGN_ROLES]),
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// As staff holding both permissions.
    pub async fn staff(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.call(method, path, Some(&self.token), body).await
    }

    pub async fn create_contact(&self, email: &str) -> String {
        let reply = self
            .staff(
                "POST",
                "/staff/contacts",
                Some(json!({ "first_name": "Ada", "last_name": "Lovelace", "email": email })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.id("contact_id")
    }

    pub async fn create_organization(&self, name: &str, roles: &[&str]) -> String {
        let reply = self
            .staff(
                "POST",
                "/staff/organizations",
                Some(json!({ "name": name, "roles": roles })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.id("organization_id")
    }

    /// `POST /staff/portal-users` for a new contact of `email`, with `extra` fields.
    /// Each one a second after the one before, so lists (oldest first) have one order.
    pub async fn create_user(&self, email: &str, extra: Value) -> Reply {
        self.clock.advance(time::Duration::seconds(1));
        let contact_id = self.create_contact(email).await;
        let mut body = json!({ "contact_id": contact_id });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.staff("POST", "/staff/portal-users", Some(body)).await
    }

    /// An invited user: their id.
    pub async fn invited_user(&self, email: &str, extra: Value) -> String {
        let reply = self.create_user(email, extra).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.id("portal_user_id")
    }

    /// A user who accepted their invitation.
    pub async fn active_user(&self, email: &str, extra: Value) -> Member {
        let id = self.invited_user(email, extra).await;
        let access_token = self.accept(&self.invitation_token(email).await).await;
        Member {
            id,
            email: email.to_owned(),
            access_token,
        }
    }

    /// An active administrator of `organization_id`.
    pub async fn org_admin(&self, organization_id: &str, email: &str) -> Member {
        self.active_user(
            email,
            json!({ "organization_id": organization_id, "org_admin": true }),
        )
        .await
    }

    /// Accepts an invitation (giving a name, for people invited by email alone): the
    /// access token.
    pub async fn accept(&self, token: &str) -> String {
        let reply = self.try_accept(token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.id("access_token")
    }

    pub async fn try_accept(&self, token: &str) -> Reply {
        self.call(
            "POST",
            "/invitations/accept",
            None,
            Some(json!({
                "token": token,
                "password": PASSWORD,
                "profile": { "first_name": "Grace", "last_name": "Hopper" },
            })),
        )
        .await
    }

    pub async fn lookup(&self, token: &str) -> StatusCode {
        self.call(
            "POST",
            "/invitations/lookup",
            None,
            Some(json!({ "token": token })),
        )
        .await
        .status
    }

    pub async fn log_in(&self, username: &str) -> Reply {
        self.call(
            "POST",
            "/sessions",
            None,
            Some(json!({ "username": username, "password": PASSWORD })),
        )
        .await
    }

    /// Delivers every message the outbox holds for the mailer (bulk invitations leave
    /// theirs to it), as the mailer Lambda would.
    pub async fn deliver_outbox(&self) {
        sweep_outbox(&self.ports, 10_000, &Pace::default())
            .await
            .expect("sweep");
    }

    /// Everything delivered so far to `to` (after delivering the outbox).
    pub async fn emails_to(&self, to: &str) -> Vec<OutboxMessage> {
        self.deliver_outbox().await;
        self.mailer
            .sent()
            .into_iter()
            .filter(|message| message.to.as_ref() == to)
            .collect()
    }

    /// The token of the newest invitation emailed to `to`.
    pub async fn invitation_token(&self, to: &str) -> String {
        self.invitation_tokens(to)
            .await
            .pop()
            .unwrap_or_else(|| panic!("no invitation to {to}"))
    }

    /// The tokens of every invitation emailed to `to`, oldest first.
    pub async fn invitation_tokens(&self, to: &str) -> Vec<String> {
        self.emails_to(to)
            .await
            .iter()
            .filter_map(|message| match &message.content {
                EmailContent::Invitation { sealed_token, .. } => {
                    self.ports.settings.seal_key.open(sealed_token)
                }
                _ => None,
            })
            .collect()
    }
}

pub fn staff_token(permissions: &[&str]) -> String {
    mint_dev_staff_token(
        SECRET,
        ISSUER,
        AUDIENCE,
        "staff-1",
        "Sam Staff",
        permissions,
        Duration::from_secs(3600),
    )
}

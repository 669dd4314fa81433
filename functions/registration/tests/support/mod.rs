//! One in-process app per test: the registration router with the shared layers, on the
//! embedded store, a clock the test moves, and a mailer that records what it was given.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use portal_domain::audit::{Actor, AuditAction, AuditEvent};
use portal_domain::clock::Clock;
use portal_domain::clock::ManualClock;
use portal_domain::invitation::{Invitation, InvitationStatus, SecretToken};
use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::ports::PortalUserStore;
use portal_domain::ports::Settings;
use portal_domain::random::{OsRandomness, new_id};
use portal_domain::sealed::SealKey;
use portal_domain::testing::{self, RecordingMailer};
use portal_domain::types::EmailAddress;
use portal_domain::user::{Grant, PortalUser};
use portal_store::EmbeddedStore;
use serde_json::{Value, json};
use time::macros::datetime;
use tower::ServiceExt;

pub struct TestApp {
    pub app: Router,
    pub store: Arc<EmbeddedStore>,
    pub mailer: Arc<RecordingMailer>,
    pub clock: Arc<ManualClock>,
    pub seal_key: SealKey,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestApp {
    pub fn start() -> Self {
        Self::with_client_limit(0)
    }

    /// With a per-client limit of `limit` requests a minute per route (0: off).
    pub fn with_client_limit(limit: u32) -> Self {
        let store = Arc::new(EmbeddedStore::in_memory());
        let mailer = Arc::new(RecordingMailer::default());
        let clock = Arc::new(ManualClock::new(datetime!(2026-03-01 09:00:00 UTC)));
        let mut ports = testing::ports(store.clone(), mailer.clone(), clock.clone());
        ports.settings = Arc::new(Settings {
            client_rate_limit: limit,
            ..(*ports.settings).clone()
        });
        let seal_key = ports.settings.seal_key.clone();
        let app = portal_http::app(portal_registration::router(ports));
        Self {
            app,
            store,
            mailer,
            clock,
            seal_key,
        }
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<Body>) -> Reply {
        let request = Request::post(path)
            .header("content-type", content_type)
            .body(body.into())
            .unwrap();
        self.send(request).await
    }

    /// Sends `request` as the runtime hands it over (with whatever client address the
    /// caller put into its extensions).
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.post_raw(path, "application/json", body.to_string())
            .await
    }

    pub async fn register(&self, body: Value) -> Reply {
        self.post("/registrations", body).await
    }

    pub async fn verify(&self, id: &str, code: &str) -> Reply {
        self.post(
            &format!("/registrations/{id}/verify"),
            json!({ "code": code }),
        )
        .await
    }

    pub async fn resend(&self, id: &str) -> Reply {
        self.post_raw(
            &format!("/registrations/{id}/resend-code"),
            "application/json",
            "",
        )
        .await
    }

    /// Registers Ada with `email` and answers the new request's id.
    pub async fn register_ada(&self, email: &str) -> String {
        let reply = self.register(ada(email)).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        reply.body["registration_id"].as_str().unwrap().to_owned()
    }

    /// Gives `email` a portal account, as approval does.
    pub async fn add_portal_user(&self, email: &str) {
        let now = self.clock.now();
        let invitation = Invitation {
            token_hash: SecretToken::generate(&OsRandomness).hash(),
            status: InvitationStatus::Pending,
            created_at: now,
            expires_at: now + Settings::DEFAULT_INVITATION_LIFETIME,
        };
        let actor = Actor {
            subject: "staff-1".into(),
            name: None,
        };
        let user = PortalUser::invite(
            new_id(&OsRandomness),
            new_id(&OsRandomness),
            EmailAddress::parse(email).unwrap(),
            Grant::default(),
            invitation,
            AuditEvent::new(&actor, AuditAction::Invited, None, now),
        );
        self.store.create_portal_user(&user).await.unwrap();
    }

    pub fn emails(&self) -> Vec<OutboxMessage> {
        self.mailer.sent()
    }

    /// The code of the newest verification email sent to `email`.
    pub fn last_code_for(&self, email: &str) -> String {
        self.emails()
            .iter()
            .rev()
            .filter(|message| message.to.as_ref() == email)
            .find_map(|message| match &message.content {
                EmailContent::VerificationCode { sealed_code, .. } => {
                    self.seal_key.open(sealed_code)
                }
                _ => None,
            })
            .expect("no verification email was sent")
    }
}

pub fn ada(email: &str) -> Value {
    json!({
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": email,
        "phone": "+44 20 7946 0958",
        "company": "Analytical Engines Ltd",
        "locale": "en"
    })
}

/// A code that is not `code`.
pub fn other_code(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

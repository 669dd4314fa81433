//! One in-process app per test: every router a person meets on the way from the form to
//! the first login, on the embedded store, a clock the test moves and a recording mailer.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use portal_domain::Ports;
use portal_domain::clock::ManualClock;
use portal_domain::outbox::EmailContent;
use portal_domain::sealed::SealKey;
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

const STAFF_SECRET: &[u8] = b"password-router-tests-staff-secret-000";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub app: Router,
    pub ports: Ports,
    pub store: Arc<EmbeddedStore>,
    pub mailer: Arc<RecordingMailer>,
    pub clock: Arc<ManualClock>,
    pub seal_key: SealKey,
    pub tokens: Arc<AccessTokens>,
    staff_token: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl TestApp {
    pub fn start() -> Self {
        let store = Arc::new(EmbeddedStore::in_memory());
        let mailer = Arc::new(RecordingMailer::default());
        // The real clock's time: access tokens are checked against the system clock.
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let ports = testing::ports(store.clone(), mailer.clone(), clock.clone());
        let seal_key = ports.settings.seal_key.clone();
        let staff = StaffVerifier::new(StaffAuthConfig {
            issuer: "tests".into(),
            audience: "staff".into(),
            key: StaffKey::Hs256(STAFF_SECRET.to_vec()),
        })
        .unwrap();
        let tokens = Arc::new(AccessTokens::new(AccessTokenConfig {
            issuer: "tests".into(),
            audience: "portal".into(),
            signing_key: PortalSigningKey::generate(),
        }));
        let routes = portal_registration::router(ports.clone())
            .merge(portal_approval::router(ports.clone(), Arc::new(staff)))
            .merge(portal_password::router(ports.clone(), tokens.clone()));
        let staff_token = mint_dev_staff_token(
            STAFF_SECRET,
            "tests",
            "staff",
            "staff-1",
            "Sam Staff",
            &[MANAGE_USERS, ASSIGN_ROLES],
            Duration::from_secs(3600),
        );
        Self {
            app: portal_http::app(routes),
            ports,
            store,
            mailer,
            clock,
            seal_key,
            tokens,
            staff_token,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("user-agent", "router-tests");
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
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            bytes,
        }
    }

    pub async fn staff_get(&self, path: &str) -> Reply {
        self.call("GET", path, Some(&self.staff_token), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call("POST", path, None, Some(body)).await
    }

    /// Register, verify, link a new contact, approve: the invitation token of `email`.
    pub async fn invite(&self, email: &str) -> String {
        self.invite_in(email, "en").await
    }

    /// Invited after registering with `locale`.
    pub async fn invite_in(&self, email: &str, locale: &str) -> String {
        let form = json!({ "first_name": "Ada", "last_name": "Lovelace", "email": email, "locale": locale });
        let id = self.post("/registrations", form).await.body["registration_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let code = self.last(email, |content| match content {
            EmailContent::VerificationCode { sealed_code, .. } => self.seal_key.open(sealed_code),
            _ => None,
        });
        assert_eq!(
            self.post(
                &format!("/registrations/{id}/verify"),
                json!({ "code": code })
            )
            .await
            .status,
            StatusCode::OK
        );
        let staff = Some(self.staff_token.as_str());
        let link = self
            .call(
                "POST",
                &format!("/staff/registrations/{id}/link-contact"),
                staff,
                Some(json!({ "create_contact": true })),
            )
            .await;
        assert_eq!(link.status, StatusCode::OK, "{}", link.body);
        let approve = self
            .call(
                "POST",
                &format!("/staff/registrations/{id}/approve"),
                staff,
                Some(json!({})),
            )
            .await;
        assert_eq!(approve.status, StatusCode::OK, "{}", approve.body);
        self.last(email, |content| match content {
            EmailContent::Invitation { sealed_token, .. } => self.seal_key.open(sealed_token),
            _ => None,
        })
    }

    /// An invited user who accepted with `PASSWORD`: the token pair.
    pub async fn active_user(&self, email: &str) -> Value {
        self.active_user_in(email, "en").await
    }

    pub async fn active_user_in(&self, email: &str, locale: &str) -> Value {
        let token = self.invite_in(email, locale).await;
        let accepted = self
            .post(
                "/invitations/accept",
                json!({ "token": token, "password": PASSWORD }),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        accepted.body
    }

    pub async fn log_in(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/sessions",
            json!({ "username": username, "password": password }),
        )
        .await
    }

    /// The newest email to `to` that `pick` accepts.
    pub fn last<T>(&self, to: &str, pick: impl Fn(&EmailContent) -> Option<T>) -> T {
        self.mailer
            .sent()
            .iter()
            .rev()
            .filter(|message| message.to.as_ref() == to)
            .find_map(|message| pick(&message.content))
            .expect("no such email")
    }

    /// Delivers what the outbox holds for the mailer (reset emails are left to it), as
    /// the mailer Lambda would.
    pub async fn deliver_outbox(&self) {
        sweep_outbox(&self.ports, 1_000, &Pace::default())
            .await
            .expect("sweep");
    }

    /// Asks for a reset link for `email`: its token, from the delivered email.
    pub async fn request_reset(&self, email: &str) -> String {
        let asked = self
            .post("/password-resets", json!({ "email": email }))
            .await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
        self.reset_token(email).await
    }

    pub async fn complete_reset(&self, token: &str, password: &str) -> Reply {
        self.post(
            "/password-resets/complete",
            json!({ "token": token, "password": password }),
        )
        .await
    }

    /// The token of the newest reset email to `to` (after delivering the outbox).
    pub async fn reset_token(&self, to: &str) -> String {
        self.deliver_outbox().await;
        self.last(to, |content| match content {
            EmailContent::PasswordReset { sealed_token, .. } => self.seal_key.open(sealed_token),
            _ => None,
        })
    }
}

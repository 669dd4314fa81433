//! One in-process app per test: the registration and approval routers with the shared
//! layers, on the embedded store, a clock the test moves, a recording mailer, and staff
//! tokens signed with a test secret.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use portal_domain::clock::ManualClock;
use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::sealed::SealKey;
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};
use portal_domain::testing::{self, RecordingMailer};
use portal_http::{StaffAuthConfig, StaffKey, StaffVerifier, mint_dev_staff_token};
use portal_store::EmbeddedStore;
use serde_json::{Value, json};
use time::macros::datetime;
use tower::ServiceExt;

const SECRET: &[u8] = b"router-test-secret-router-test-secret";
const ISSUER: &str = "portal-tests";
const AUDIENCE: &str = "portal-staff";

pub struct TestApp {
    pub app: Router,
    pub store: Arc<EmbeddedStore>,
    pub mailer: Arc<RecordingMailer>,
    pub clock: Arc<ManualClock>,
    pub seal_key: SealKey,
    /// A token with both staff permissions.
    pub token: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl TestApp {
    pub fn start() -> Self {
        let store = Arc::new(EmbeddedStore::in_memory());
        let mailer = Arc::new(RecordingMailer::default());
        let clock = Arc::new(ManualClock::new(datetime!(2026-03-01 09:00:00 UTC)));
        let ports = testing::ports(store.clone(), mailer.clone(), clock.clone());
        let seal_key = ports.settings.seal_key.clone();
        let staff = StaffVerifier::new(StaffAuthConfig {
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
            key: StaffKey::Hs256(SECRET.to_vec()),
        })
        .expect("staff verifier");
        let routes = portal_registration::router(ports.clone())
            .merge(portal_approval::router(ports, Arc::new(staff)));
        Self {
            app: portal_http::app(routes),
            store,
            mailer,
            clock,
            seal_key,
            token: staff_token(&[MANAGE_USERS, ASSIGN_ROLES]),
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
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

    pub async fn staff_get(&self, path: &str) -> Reply {
        self.call("GET", path, Some(&self.token), None).await
    }

    pub async fn staff_post(&self, path: &str, body: Value) -> Reply {
        self.call("POST", path, Some(&self.token), Some(body)).await
    }

    /// A request that went through the public form and the emailed code: status `new`.
    pub async fn verified_request(&self, first_name: &str, email: &str) -> String {
        let form = json!({ "first_name": first_name, "last_name": "Lovelace", "email": email, "company": "Acme" });
        let submitted = self.call("POST", "/registrations", None, Some(form)).await;
        assert_eq!(submitted.status, StatusCode::ACCEPTED, "{}", submitted.body);
        let id = submitted.body["registration_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let code = self
            .mailer
            .sent()
            .iter()
            .rev()
            .find_map(|message| match &message.content {
                EmailContent::VerificationCode { sealed_code, .. }
                    if message.to.as_ref() == email =>
                {
                    self.seal_key.open(sealed_code)
                }
                _ => None,
            })
            .expect("a code was emailed");
        let verified = self
            .call(
                "POST",
                &format!("/registrations/{id}/verify"),
                None,
                Some(json!({ "code": code })),
            )
            .await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        id
    }

    /// A verified request linked to a contact made from it: status `resolved`.
    pub async fn resolved_request(&self, email: &str) -> String {
        let id = self.verified_request("Ada", email).await;
        let linked = self.link_new_contact(&id).await;
        assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
        id
    }

    pub async fn link_new_contact(&self, id: &str) -> Reply {
        self.staff_post(
            &format!("/staff/registrations/{id}/link-contact"),
            json!({ "create_contact": true }),
        )
        .await
    }

    pub async fn approve(&self, id: &str, body: Value) -> Reply {
        self.staff_post(&format!("/staff/registrations/{id}/approve"), body)
            .await
    }

    pub async fn create_contact(&self, first_name: &str, last_name: &str, email: &str) -> Reply {
        self.staff_post(
            "/staff/contacts",
            json!({ "first_name": first_name, "last_name": last_name, "email": email }),
        )
        .await
    }

    pub fn emails_of_kind(&self, kind: &str) -> Vec<OutboxMessage> {
        self.mailer
            .sent()
            .into_iter()
            .filter(|message| message.content.kind() == kind)
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

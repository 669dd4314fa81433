//! How a test reaches a portal: it sends requests and reads the secrets the portal mailed.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use http_body_util::BodyExt;
use portal_domain::Ports;
use portal_domain::clock::ManualClock;
use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::testing::RecordingMailer;
use portal_domain::use_cases::{Pace, run_open_imports, sweep_outbox};
use serde_json::Value;
use tower::ServiceExt;

use crate::{Reply, link_token, six_digits};

/// The one-time secrets the portal mails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    /// The six digits that verify a registration.
    Code,
    /// The token of an invitation link.
    Invitation,
    /// The token of a password reset link.
    Reset,
    /// The token of the link in access information sent to an active user.
    AccessInfo,
}

impl Secret {
    /// The outbox's name of the email that carries it.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Code => "verification_code",
            Self::Invitation => "invitation",
            Self::Reset => "password_reset",
            Self::AccessInfo => "access_info",
        }
    }

    /// The secret in the text of its email.
    pub fn in_text(self, text: &str) -> Option<String> {
        match self {
            Self::Code => six_digits(text),
            Self::Invitation | Self::Reset | Self::AccessInfo => link_token(text),
        }
    }

    fn in_content(self, content: &EmailContent) -> Option<&str> {
        match (self, content) {
            (Self::Code, EmailContent::VerificationCode { sealed_code, .. }) => Some(sealed_code),
            (Self::Invitation, EmailContent::Invitation { sealed_token, .. })
            | (Self::Reset, EmailContent::PasswordReset { sealed_token, .. })
            | (Self::AccessInfo, EmailContent::AccessInfo { sealed_token, .. }) => {
                Some(sealed_token)
            }
            _ => None,
        }
    }
}

/// How a test reaches a portal.
pub trait Transport: Send + Sync {
    /// One request, answered.
    fn send(&self, request: Request<Vec<u8>>) -> impl Future<Output = Reply> + Send;

    /// Every secret of this kind mailed to `to`, oldest first, once what waits in the
    /// outbox is delivered.
    fn mailed(&self, to: &str, secret: Secret) -> impl Future<Output = Vec<String>> + Send;

    /// Lets a second pass where the portal runs on a clock the test moves, so that what
    /// comes next sorts after what came before. Nothing on the system clock.
    fn tick(&self) {}

    /// Gives the portal's background work (import jobs) a turn: in process it runs here,
    /// as the importer Lambda would; portal-local runs its own, so this only waits a bit.
    fn background(&self) -> impl Future<Output = ()> + Send;
}

impl<T: Transport> Transport for &T {
    fn send(&self, request: Request<Vec<u8>>) -> impl Future<Output = Reply> + Send {
        (**self).send(request)
    }

    fn mailed(&self, to: &str, secret: Secret) -> impl Future<Output = Vec<String>> + Send {
        (**self).mailed(to, secret)
    }

    fn tick(&self) {
        (**self).tick();
    }

    fn background(&self) -> impl Future<Output = ()> + Send {
        (**self).background()
    }
}

/// The client address of in-process requests that carry none of their own (portal-local
/// gives the TCP peer's).
pub const PEER: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1), 50000));

/// A router in this process, called without a network.
#[derive(Clone)]
pub struct InProcess {
    router: Router,
    mailbox: Option<Mailbox>,
    clock: Option<Arc<ManualClock>>,
}

impl InProcess {
    pub fn new(router: Router) -> Self {
        Self {
            router,
            mailbox: None,
            clock: None,
        }
    }

    /// Reads mailed secrets from this mailbox.
    pub fn with_mailbox(self, mailbox: Mailbox) -> Self {
        Self {
            mailbox: Some(mailbox),
            ..self
        }
    }

    /// Ticks this clock.
    pub fn with_clock(self, clock: Arc<ManualClock>) -> Self {
        Self {
            clock: Some(clock),
            ..self
        }
    }

    pub fn mailbox(&self) -> &Mailbox {
        self.mailbox
            .as_ref()
            .expect("this in-process portal has no mailbox")
    }
}

impl Transport for InProcess {
    async fn send(&self, request: Request<Vec<u8>>) -> Reply {
        let (mut parts, body) = request.into_parts();
        if parts.extensions.get::<ConnectInfo<SocketAddr>>().is_none() {
            parts.extensions.insert(ConnectInfo(PEER));
        }
        let request = Request::from_parts(parts, Body::from(body));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("a router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        Reply::new(status, headers, bytes.to_vec())
    }

    async fn mailed(&self, to: &str, secret: Secret) -> Vec<String> {
        self.mailbox().secrets(to, secret).await
    }

    fn tick(&self) {
        if let Some(clock) = &self.clock {
            clock.advance(time::Duration::seconds(1));
        }
    }

    async fn background(&self) {
        let ports = &self.mailbox().ports;
        let deadline = ports.clock.now() + time::Duration::minutes(10);
        run_open_imports(ports, "test", deadline)
            .await
            .expect("run the open imports");
    }
}

/// What an in-process portal mailed: the recording mailer, and the ports to deliver the
/// outbox with (as the mailer Lambda would) and to open sealed secrets.
#[derive(Clone)]
pub struct Mailbox {
    pub ports: Ports,
    pub mailer: Arc<RecordingMailer>,
}

impl Mailbox {
    /// Delivers every message the outbox holds for the mailer (bulk invitations and
    /// reset links are left to it).
    pub async fn deliver(&self) {
        sweep_outbox(&self.ports, 10_000, &Pace::default())
            .await
            .expect("sweep the outbox");
    }

    /// Everything sent so far, oldest first (nothing delivered first).
    pub fn sent(&self) -> Vec<OutboxMessage> {
        self.mailer.sent()
    }

    /// Everything sent to `to`, oldest first, once the outbox is delivered.
    pub async fn to(&self, to: &str) -> Vec<OutboxMessage> {
        self.deliver().await;
        self.sent()
            .into_iter()
            .filter(|message| message.to.as_ref() == to)
            .collect()
    }

    /// The secrets of this kind sent to `to`, opened, oldest first.
    pub async fn secrets(&self, to: &str, secret: Secret) -> Vec<String> {
        self.to(to)
            .await
            .iter()
            .filter_map(|message| secret.in_content(&message.content))
            .map(|sealed| {
                self.ports
                    .sealer
                    .open(sealed)
                    .expect("the seal opens with the portal's key")
            })
            .collect()
    }
}

/// portal-local over HTTP.
#[derive(Clone)]
pub struct Http {
    pub base_url: String,
    client: reqwest::Client,
}

impl Http {
    pub fn new(base_url: String) -> Self {
        Self {
            base_url,
            client: reqwest::Client::new(),
        }
    }

    /// Every email in portal-local's outbox file (`GET /dev/outbox`), oldest first.
    pub async fn outbox(&self) -> Vec<Value> {
        let reply = self
            .send(
                Request::get("/dev/outbox")
                    .body(Vec::new())
                    .expect("a request"),
            )
            .await;
        assert!(reply.status.is_success(), "{}", reply.body);
        reply.body.as_array().expect("the outbox is a list").clone()
    }

    /// The emails of `kind` to `to`, oldest first.
    pub async fn emails(&self, to: &str, kind: &str) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .filter(|email| email["to"] == to && email["kind"] == kind)
            .collect()
    }
}

impl Transport for Http {
    async fn send(&self, request: Request<Vec<u8>>) -> Reply {
        let (parts, body) = request.into_parts();
        let response = self
            .client
            .request(parts.method, format!("{}{}", self.base_url, parts.uri))
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .expect("portal-local answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body");
        Reply::new(status, headers, bytes.to_vec())
    }

    /// Waits up to five seconds for at least one (portal-local's mailer delivers what
    /// waits in the background).
    async fn mailed(&self, to: &str, secret: Secret) -> Vec<String> {
        for _ in 0..50 {
            let secrets: Vec<String> = self
                .emails(to, secret.kind())
                .await
                .iter()
                .map(|email| {
                    let text = email["text"].as_str().expect("a text body");
                    secret
                        .in_text(text)
                        .unwrap_or_else(|| panic!("no {secret:?} in {text}"))
                })
                .collect();
            if !secrets.is_empty() {
                return secrets;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Vec::new()
    }

    async fn background(&self) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

//! The in-process portal of the router tests.

use std::ops::Deref;
use std::sync::Arc;

use axum::Router;
use portal_domain::Ports;
use portal_domain::clock::{Clock, ManualClock};
use portal_domain::ids::RegistrationId;
use portal_domain::outbox::OutboxMessage;
use portal_domain::ports::{Settings, Store};
use portal_domain::registration::Registration;
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_CLIENTS, MANAGE_USERS};
use portal_domain::testing::RecordingMailer;
use portal_domain::types::UsernameField;
use portal_http::{
    AccessTokenConfig, AccessTokens, DevTokens, PortalSigningKey, ProviderConfig, StaffAuthConfig,
    StaffVerifier,
};
use portal_oidc::{KeySource, ProviderKeys};
use portal_store::EmbeddedStore;
use time::OffsetDateTime;

use crate::{Api, InProcess, Mailbox, STAFF_AUDIENCE, STAFF_ISSUER, STAFF_SECRET, staff_token};

/// The verifier of the kit's staff tokens ([`staff_token`]), and of the provider's when
/// one is given.
pub fn staff_verifier(provider: Option<ProviderConfig>) -> Arc<StaffVerifier> {
    Arc::new(
        StaffVerifier::new(StaffAuthConfig {
            provider,
            dev: Some(DevTokens {
                issuer: STAFF_ISSUER.into(),
                audience: STAFF_AUDIENCE.into(),
                secret: STAFF_SECRET.as_bytes().to_vec(),
            }),
        })
        .expect("the kit's staff secret is strong enough"),
    )
}

/// The kit's ID-token keys: one RSA key in PKCS#8 PEM, made once per test process (making
/// one is slow).
pub fn oidc_keys_pem() -> &'static str {
    static PEM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PEM.get_or_init(ProviderKeys::generate_pem)
}

/// The kit's ID-token keys ([`oidc_keys_pem`]).
pub fn oidc_keys() -> ProviderKeys {
    ProviderKeys::from_pem(oidc_keys_pem()).expect("a fresh key")
}

/// Every function's router on `ports`, merged and served with the shared layers, as
/// portal-local serves them (without its outbox viewer).
pub fn all_routes(
    ports: Ports,
    tokens: Arc<AccessTokens>,
    staff_provider: Option<ProviderConfig>,
) -> Router {
    let (staff, verifier) = (staff_verifier(staff_provider), tokens.verifier().clone());
    let routers = [
        portal_registration::router(ports.clone()),
        portal_approval::router(ports.clone(), staff.clone()),
        portal_invitation::router(ports.clone(), staff.clone(), verifier.clone()),
        portal_deactivation::router(ports.clone(), staff, verifier),
        portal_oidc::router(
            ports.clone(),
            tokens.clone(),
            Arc::new(KeySource::ready(oidc_keys())),
        ),
        portal_password::router(ports, tokens),
        portal_pages::router(None),
    ];
    portal_http::app(routers.into_iter().fold(Router::new(), Router::merge))
}

/// One in-process portal per test: every router, on a store (the embedded one in memory
/// unless told), a recording mailer, a clock the test moves, staff tokens signed with the
/// kit's secret and real access tokens. It derefs to its [`Api`].
pub struct TestApp<S = EmbeddedStore> {
    api: Api<InProcess>,
    /// What every router was given.
    pub ports: Ports,
    /// The store, to look into (`snapshot()` on the embedded one) or write to directly.
    pub store: Arc<S>,
    /// What was sent, and whether sending fails.
    pub mailer: Arc<RecordingMailer>,
    /// The portal's time, moved by the test.
    pub clock: Arc<ManualClock>,
    /// The issuer of access tokens (and its JWKS).
    pub tokens: Arc<AccessTokens>,
}

/// How a [`TestApp`] starts.
#[derive(Default)]
pub struct Setup {
    at: Option<OffsetDateTime>,
    client_limit: u32,
    username_field: UsernameField,
    staff_provider: Option<ProviderConfig>,
}

impl Setup {
    /// The clock starts at `time` (by default: now, as access tokens are checked against
    /// the system clock).
    pub fn at(self, time: OffsetDateTime) -> Self {
        Self {
            at: Some(time),
            ..self
        }
    }

    /// At most `limit` requests a minute per client and public route (by default: off).
    pub fn client_limit(self, limit: u32) -> Self {
        Self {
            client_limit: limit,
            ..self
        }
    }

    /// Usernames from this contact field (by default: the email).
    pub fn username_field(self, field: UsernameField) -> Self {
        Self {
            username_field: field,
            ..self
        }
    }

    /// Staff may also sign in through this provider (`/staff/login`), and its tokens are
    /// accepted beside the kit's.
    pub fn staff_provider(self, provider: ProviderConfig) -> Self {
        Self {
            staff_provider: Some(provider),
            ..self
        }
    }

    /// On the embedded store, in memory.
    pub fn start(self) -> TestApp {
        self.start_on(Arc::new(EmbeddedStore::in_memory()))
    }

    pub fn start_on<S: Store + 'static>(self, store: Arc<S>) -> TestApp<S> {
        let mailer = Arc::new(RecordingMailer::default());
        let clock = Arc::new(ManualClock::new(
            self.at.unwrap_or_else(OffsetDateTime::now_utc),
        ));
        let mut ports = crate::ports(store.clone(), mailer.clone(), clock.clone());
        ports.settings = Arc::new(Settings {
            client_rate_limit: self.client_limit,
            username_field: self.username_field,
            ..(*ports.settings).clone()
        });
        let tokens = Arc::new(AccessTokens::new(AccessTokenConfig {
            issuer: "tests".into(),
            audience: "portal".into(),
            signing_key: PortalSigningKey::generate(),
        }));
        let transport = InProcess::new(all_routes(
            ports.clone(),
            tokens.clone(),
            self.staff_provider,
        ))
        .with_mailbox(Mailbox {
            ports: ports.clone(),
            mailer: mailer.clone(),
        })
        .with_clock(clock.clone());
        TestApp {
            api: Api::new(
                transport,
                staff_token(&[MANAGE_USERS, ASSIGN_ROLES, MANAGE_CLIENTS]),
            ),
            ports,
            store,
            mailer,
            clock,
            tokens,
        }
    }
}

impl TestApp {
    /// Now, on the embedded store, without a client limit.
    pub fn start() -> Self {
        Setup::default().start()
    }

    pub fn setup() -> Setup {
        Setup::default()
    }
}

impl<S> TestApp<S> {
    fn mailbox(&self) -> &Mailbox {
        self.api.transport().mailbox()
    }

    /// Everything the mailer sent, oldest first (nothing delivered first).
    pub fn emails(&self) -> Vec<OutboxMessage> {
        self.mailbox().sent()
    }

    /// What the mailer sent of this kind, oldest first (nothing delivered first).
    pub fn emails_of_kind(&self, kind: &str) -> Vec<OutboxMessage> {
        self.emails()
            .into_iter()
            .filter(|message| message.content.kind() == kind)
            .collect()
    }

    /// Everything sent to `to`, oldest first, once the outbox is delivered.
    pub async fn emails_to(&self, to: &str) -> Vec<OutboxMessage> {
        self.mailbox().to(to).await
    }

    /// Delivers what the outbox holds, as the mailer Lambda would.
    pub async fn deliver_outbox(&self) {
        self.mailbox().deliver().await;
    }
}

impl<S: Store> TestApp<S> {
    /// Gives `email` a portal account (invited, as approval does), straight in the store.
    pub async fn add_portal_user(&self, email: &str) {
        let (user, _) = crate::invited_portal_user(email, self.clock.now());
        self.store
            .create_portal_user(&user)
            .await
            .expect("store the user");
    }

    /// The stored request of the id an answer gave.
    pub async fn stored_registration(&self, id: &str) -> Registration {
        let id = RegistrationId::parse(id).expect("the id of a request");
        self.store
            .registration(&id)
            .await
            .expect("the store answers")
            .expect("the request is stored")
    }
}

impl<S> Deref for TestApp<S> {
    type Target = Api<InProcess>;

    fn deref(&self) -> &Api<InProcess> {
        &self.api
    }
}

//! The documents of an identity provider, served on a free port of this machine: its
//! discovery document and its keys (JWKS). For tests of how staff tokens are verified
//! and of how a deployed function finds the provider's keys; a sign-in through a real
//! provider is the browser tests' business (tests/browser, with `oidc-provider`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use serde_json::json;

pub struct ProviderDocs {
    /// `http://127.0.0.1:<port>`, as the discovery document names it.
    pub issuer: String,
    key_fetches: Arc<AtomicUsize>,
}

impl ProviderDocs {
    /// Serves `jwks` (a JWKS document) until the runtime ends.
    pub async fn serve(jwks: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let issuer = format!("http://{}", listener.local_addr().expect("bound"));
        let key_fetches = Arc::new(AtomicUsize::new(0));
        let discovery = json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
        });
        let counter = key_fetches.clone();
        let docs = Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move { axum::Json(discovery) }),
            )
            .route(
                "/jwks",
                get(move || async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    ([(header::CONTENT_TYPE, "application/json")], jwks)
                }),
            );
        tokio::spawn(async move { axum::serve(listener, docs).await });
        Self {
            issuer,
            key_fetches,
        }
    }

    /// How often the keys were fetched.
    pub fn key_fetches(&self) -> usize {
        self.key_fetches.load(Ordering::SeqCst)
    }
}

//! Portal access tokens: the short-lived bearer tokens `POST /sessions` hands to portal
//! users (EdDSA, 15 minutes, RFC 9068 `at+jwt`), signed with our own Ed25519 key, whose
//! public half `GET /.well-known/jwks.json` publishes; and the [`PortalCaller`] extractor
//! that routes for portal users take.
//!
//! A token proves who its user was when it was issued. Whether the account still works
//! is the handler's business: it compares the token's `ver` with the user's token version
//! in the store (deactivation bumps it).

mod config;
mod extract;
mod tokens;

pub use config::{AccessTokenConfig, AccessTokenVerifierConfig, PortalPublicKey, PortalSigningKey};
pub use extract::PortalCaller;
pub use tokens::{
    ACCESS_TOKEN_LIFETIME, AccessTokenClaims, AccessTokenSubject, AccessTokenVerifier, AccessTokens,
};

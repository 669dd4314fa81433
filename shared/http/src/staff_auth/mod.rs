//! Staff authentication: bearer tokens from the company's identity provider, verified
//! against a configured issuer, audience and key (a JWKS in production, an HS256 secret
//! locally), and the [`Staff`] extractor that every `/staff` route takes.

mod config;
mod dev_token;
mod extract;
mod jwks;
mod verifier;

pub use config::{StaffAuthConfig, StaffKey};
pub use dev_token::mint_dev_staff_token;
pub use extract::Staff;
pub use verifier::StaffVerifier;

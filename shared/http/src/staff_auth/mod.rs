//! Staff authentication: the company's identity provider (sign-in through it, its bearer
//! tokens for scripts, its keys from discovery), our own HS256 tokens on a laptop, the
//! staff session cookie, and the [`Staff`] extractor that every `/staff` route takes.

mod config;
mod dev_token;
mod extract;
mod jwks;
mod provider;
mod session_cookie;
mod verifier;

pub use config::{
    ClientSecret, DevTokens, GivenSecret, PermissionRule, ProviderConfig, StaffAuthConfig,
};
pub use dev_token::mint_dev_staff_token;
pub use extract::Staff;
pub use provider::{Discovery, StaffProvider};
pub use session_cookie::{SESSION_COOKIE, SIGN_IN_COOKIE, cookie_value, same_origin};
pub use verifier::StaffVerifier;

//! The portal pages that links lead to: emails and personal links name them from here.

/// Where an invited person sets their password (`#token=…`).
pub const WELCOME: &str = "/welcome";
/// Where a person chooses a new password (`#token=…`), or asks for a link.
pub const RESET: &str = "/reset";

//! The portal pages that links lead to: emails and personal links name them from here.

/// Where an invited person sets their password (`#token=…`).
pub const WELCOME: &str = "/welcome";
/// Where a person chooses a new password (`#token=…`), or asks for a link.
pub const RESET: &str = "/reset";

use crate::ids::OidcClientId;

/// `page`, naming the app (an OpenID client) the person goes on to once their password is
/// set: `/welcome?client_id=…`. Ids are hex, so nothing needs escaping.
pub fn for_app(page: &str, client_id: Option<&OidcClientId>) -> String {
    match client_id {
        Some(id) => format!("{page}?client_id={id}"),
        None => page.to_owned(),
    }
}

//! The whole OpenAPI document: every function's part, tagged with the function that serves
//! it. `portal-local openapi` prints it; `docs/openapi.json` is that output, committed and
//! served by the pages function (`tests/openapi.rs` keeps the two equal).

use portal_http::openapi::{finish, served_by};
use serde_json::Value;

pub fn document() -> Value {
    finish(
        "Portal onboarding",
        env!("CARGO_PKG_VERSION"),
        vec![
            served_by("registration", portal_registration::openapi()),
            served_by("approval", portal_approval::openapi()),
            served_by("invitation", portal_invitation::openapi()),
            served_by("deactivation", portal_deactivation::openapi()),
            served_by("password", portal_password::openapi()),
            served_by("oidc", portal_oidc::openapi()),
            served_by("pages", portal_pages::openapi()),
        ],
    )
}

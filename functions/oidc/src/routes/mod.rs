pub mod authorize;
pub mod discovery;
pub mod initiate;
pub mod logout;
pub mod token;
pub mod userinfo;

use portal_domain::Ports;

/// Our issuer: the portal's base URL, without a trailing slash.
pub fn issuer(ports: &Ports) -> &str {
    ports.settings.portal_base_url.trim_end_matches('/')
}

use std::collections::HashMap;

use portal_domain::user::PortalUser;
use serde_json::{Map, Value, json};

/// The parameters of a query or form body. RFC 6749 §3.1, §3.2: none may appear twice
/// (`None` then), so no two parts of the stack can read different values of one.
pub fn single_params(encoded: &[u8]) -> Option<HashMap<String, String>> {
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(encoded) {
        if params
            .insert(name.into_owned(), value.into_owned())
            .is_some()
        {
            return None;
        }
    }
    Some(params)
}

/// The claims of the granted scopes (OpenID Connect Core §5.4), in an ID token and from
/// userinfo: `email` gives the address; `profile` the names, the language, and the
/// portal's organization, roles and administrator flag.
pub fn scope_claims(user: &PortalUser, roles: &[String], scopes: &[String]) -> Map<String, Value> {
    let granted = |scope: &str| scopes.iter().any(|held| held == scope);
    let mut claims = Map::new();
    if granted("email")
        && let Some(email) = user.email()
    {
        // No `email_verified`: a person handed a personal link by staff never proved they
        // read the address staff typed, and nothing records which way an account began.
        // An app must not link accounts by this address alone.
        claims.insert("email".into(), json!(email.to_string()));
    }
    if granted("profile") {
        let first = user.first_name().map(ToString::to_string);
        let last = user.last_name().map(ToString::to_string);
        let name: Vec<&str> = [first.as_deref(), last.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !name.is_empty() {
            claims.insert("name".into(), json!(name.join(" ")));
        }
        if let Some(first) = first {
            claims.insert("given_name".into(), json!(first));
        }
        if let Some(last) = last {
            claims.insert("family_name".into(), json!(last));
        }
        claims.insert("locale".into(), json!(user.locale().to_string()));
        if let Some(org) = user.organization_id() {
            claims.insert("org".into(), json!(org));
        }
        claims.insert("roles".into(), json!(roles));
        claims.insert("org_admin".into(), json!(user.org_admin()));
    }
    claims
}

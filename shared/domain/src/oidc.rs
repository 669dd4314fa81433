//! We are an OpenID provider for the company's own portal apps: the clients staff register,
//! the authorization codes they trade for tokens, and the provider session that lets a
//! person already signed in go straight back to the next app. Codes and sessions are kept
//! under the hash of what the browser or the app holds, like every other secret.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use url::Url;

use crate::FieldErrors;
use crate::ids::{OidcClientId, PortalUserId};
use crate::secret_token::{constant_time_eq, token_hash};

/// RFC 9700 §2.1.1 and OpenID Connect: an authorization code lives for seconds, not minutes.
pub const CODE_LIFETIME: Duration = Duration::seconds(60);
/// How long the provider session signs a person in to the next app without a form.
pub const PROVIDER_SESSION_LIFETIME: Duration = Duration::hours(10);
/// A client names at most this many redirect URIs of each kind.
pub const MAX_REDIRECT_URIS: usize = 10;
const MAX_URI_LENGTH: usize = 500;
const MAX_NAME_LENGTH: usize = 100;

/// How a client proves who it is at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientType {
    /// A browser or mobile app: it cannot keep a secret, PKCE alone binds its codes.
    Public,
    /// A server: it has a secret as well (`client_secret_basic` or `client_secret_post`).
    Confidential,
}

/// A portal app registered by staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcClient {
    pub id: OidcClientId,
    pub name: String,
    pub client_type: ClientType,
    /// Compared exactly, character for character (RFC 9700 §4.1.3).
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Where the app starts a sign-in itself (OpenID Connect Core §4, "initiating login
    /// from a third party"): a person who set their password through a link naming this
    /// app is sent there, signed in at the provider, and the app's own authorization
    /// request (with its PKCE) comes straight back with a code.
    #[serde(default)]
    pub initiate_login_uri: Option<String>,
    /// SHA-256 of the secret: 32 random bytes need no slow hash. `None` for public clients.
    pub secret_hash: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What staff may set on a client; checked once, here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub initiate_login_uri: Option<String>,
}

impl ClientSettings {
    /// A name, at least one redirect URI, and only URIs a browser may be sent to safely:
    /// absolute, `https` (or `http` on a loopback address, for development and native
    /// apps, RFC 8252 §7.3), no fragment, no user info, no wildcard.
    pub fn parse(
        name: &str,
        redirect_uris: &[String],
        post_logout_redirect_uris: &[String],
        initiate_login_uri: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_LENGTH {
            errors.add("name", "must be 1 to 100 characters");
        }
        if redirect_uris.is_empty() {
            errors.add("redirect_uris", "needs at least one URI");
        }
        for (field, uris) in [
            ("redirect_uris", redirect_uris),
            ("post_logout_redirect_uris", post_logout_redirect_uris),
        ] {
            if uris.len() > MAX_REDIRECT_URIS {
                errors.add(field, "may hold at most 10 URIs");
            }
            if let Some(reason) = uris.iter().find_map(|uri| redirect_uri_problem(uri)) {
                errors.add(field, reason);
            }
        }
        let initiate_login_uri = initiate_login_uri
            .map(str::trim)
            .filter(|uri| !uri.is_empty());
        if let Some(reason) = initiate_login_uri.and_then(redirect_uri_problem) {
            errors.add(
                "initiate_login_uri",
                reason.replacen("holds a URI", "is a URI", 1),
            );
        }
        errors.finish(|| {
            Some(Self {
                name: name.to_owned(),
                redirect_uris: redirect_uris.to_vec(),
                post_logout_redirect_uris: post_logout_redirect_uris.to_vec(),
                initiate_login_uri: initiate_login_uri.map(str::to_owned),
            })
        })
    }
}

fn redirect_uri_problem(uri: &str) -> Option<&'static str> {
    if uri.len() > MAX_URI_LENGTH {
        return Some("holds a URI longer than 500 characters");
    }
    let Ok(parsed) = Url::parse(uri) else {
        return Some("holds a URI that is not absolute");
    };
    if uri.contains('#') {
        return Some("holds a URI with a fragment");
    }
    if uri.contains('*') || !parsed.username().is_empty() || parsed.password().is_some() {
        return Some("holds a URI with a wildcard or user info");
    }
    match parsed.scheme() {
        "https" => None,
        "http" if is_loopback(&parsed) => None,
        _ => Some("must use https (http only on localhost)"),
    }
}

fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

impl OidcClient {
    pub fn new(
        id: OidcClientId,
        settings: ClientSettings,
        client_type: ClientType,
        secret_hash: Option<String>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            name: settings.name,
            client_type,
            redirect_uris: settings.redirect_uris,
            post_logout_redirect_uris: settings.post_logout_redirect_uris,
            initiate_login_uri: settings.initiate_login_uri,
            secret_hash,
            created_at: now,
        }
    }

    pub fn with_settings(&self, settings: ClientSettings) -> Self {
        Self {
            name: settings.name,
            redirect_uris: settings.redirect_uris,
            post_logout_redirect_uris: settings.post_logout_redirect_uris,
            initiate_login_uri: settings.initiate_login_uri,
            ..self.clone()
        }
    }

    /// Exact string comparison: no normalizing, no prefix, no pattern.
    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|allowed| allowed == uri)
    }

    pub fn allows_post_logout_redirect(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris
            .iter()
            .any(|allowed| allowed == uri)
    }

    /// Whether `secret` is this confidential client's secret. A public client has none to
    /// present, and a secret presented for it is refused.
    pub fn secret_matches(&self, secret: Option<&str>) -> bool {
        match (&self.secret_hash, secret) {
            (Some(hash), Some(secret)) => constant_time_eq(hash, &token_hash(secret)),
            (None, None) => true,
            _ => false,
        }
    }
}

/// The scopes we know; others in a request are ignored (RFC 6749 §3.3 lets the server
/// grant less than asked), and the answer's `scope` says what was granted.
pub const SUPPORTED_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The granted scopes, in our order, or `None` when `openid` is not among the asked.
pub fn granted_scopes(requested: &str) -> Option<Vec<String>> {
    let asked: Vec<&str> = requested.split(' ').filter(|s| !s.is_empty()).collect();
    asked.contains(&"openid").then(|| {
        SUPPORTED_SCOPES
            .iter()
            .filter(|scope| asked.contains(scope))
            .map(|scope| (*scope).to_owned())
            .collect()
    })
}

/// RFC 7636 §4.1: 43 to 128 characters of the unreserved set.
pub fn is_valid_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    is_valid_pkce_value(verifier) && constant_time_eq(&computed, challenge)
}

pub use crate::mfa::AMR_PASSWORD;

/// A code handed to an app, waiting for its token request. It names the session its
/// redemption starts, so a second redemption can end that session (RFC 6749 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCode {
    pub code_hash: String,
    pub client_id: OidcClientId,
    pub redirect_uri: String,
    pub user_id: PortalUserId,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    #[serde(with = "time::serde::rfc3339")]
    pub auth_time: OffsetDateTime,
    pub amr: Vec<String>,
    /// The id of the session family its redemption starts.
    pub family_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub used_at: Option<OffsetDateTime>,
}

impl AuthorizationCode {
    pub fn used(&self, now: OffsetDateTime) -> Self {
        Self {
            used_at: Some(now),
            ..self.clone()
        }
    }
}

/// What an app's session (a refresh token family) was granted, kept on the family: the
/// refresh grant answers with the same scopes and `auth_time`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcGrant {
    pub client_id: OidcClientId,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub auth_time: OffsetDateTime,
    pub amr: Vec<String>,
}

/// A person signed in at the provider: the cookie's hash, whom it names, and under which
/// token version (a deactivation or a password reset bumps it, which ends this session).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSession {
    pub key_hash: String,
    pub user_id: PortalUserId,
    pub token_version: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub auth_time: OffsetDateTime,
    pub amr: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl ProviderSession {
    pub fn is_live(&self, token_version: u64, now: OffsetDateTime) -> bool {
        self.token_version == token_version && now < self.expires_at
    }

    /// `max_age` (OpenID Connect Core §3.1.2.1): the sign-in is older than asked for.
    pub fn older_than(&self, max_age: Option<u64>, now: OffsetDateTime) -> bool {
        max_age.is_some_and(|seconds| {
            now - self.auth_time > Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn uris(list: &[&str]) -> Vec<String> {
        list.iter().map(|uri| (*uri).to_owned()).collect()
    }

    #[test]
    fn redirect_uris_must_be_https_or_loopback_without_fragment_or_wildcard() {
        for good in [
            "https://app.example.com/callback",
            "http://localhost:3000/cb",
            "http://127.0.0.1/cb",
        ] {
            assert!(
                ClientSettings::parse("App", &uris(&[good]), &[], None).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "http://app.example.com/cb",
            "https://app.example.com/cb#x",
            "https://*.example.com/cb",
            "https://user:pw@app.example.com/cb",
            "/cb",
            "javascript:alert(1)",
        ] {
            assert!(
                ClientSettings::parse("App", &uris(&[bad]), &[], None).is_err(),
                "{bad}"
            );
            assert!(
                ClientSettings::parse("App", &uris(&["https://a.example/cb"]), &uris(&[bad]), None)
                    .is_err(),
                "{bad} after logout"
            );
        }
        assert!(ClientSettings::parse("App", &[], &[], None).is_err());
        let login =
            |uri| ClientSettings::parse("App", &uris(&["https://a.example/cb"]), &[], Some(uri));
        assert_eq!(
            login("https://a.example/login")
                .unwrap()
                .initiate_login_uri
                .as_deref(),
            Some("https://a.example/login")
        );
        assert!(login("http://a.example/login").is_err());
        assert_eq!(login(" ").unwrap().initiate_login_uri, None);
        assert!(ClientSettings::parse(" ", &uris(&["https://a.example/cb"]), &[], None).is_err());
    }

    #[test]
    fn a_redirect_uri_matches_only_exactly() {
        let settings =
            ClientSettings::parse("App", &uris(&["https://a.example/cb"]), &[], None).unwrap();
        let client = OidcClient::new(
            OidcClientId::parse("0123456789abcdef0123456789abcdef").unwrap(),
            settings,
            ClientType::Public,
            None,
            datetime!(2026-11-27 09:00 UTC),
        );
        assert!(client.allows_redirect("https://a.example/cb"));
        for other in [
            "https://a.example/cb/",
            "https://a.example/cb/x",
            "https://a.example:443/cb",
            "https://a.example:8443/cb",
            "https://a.example/cb#",
            "https://a.example/cb?x=1",
            "https://A.example/cb",
        ] {
            assert!(!client.allows_redirect(other), "{other}");
        }
    }

    #[test]
    fn scopes_need_openid_and_keep_only_the_known() {
        assert_eq!(granted_scopes("profile email"), None);
        assert_eq!(
            granted_scopes("email  openid admin"),
            Some(uris(&["openid", "email"]))
        );
    }

    #[test]
    fn pkce_s256_matches_the_rfc_7636_example() {
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(challenge, challenge));
        assert!(!pkce_matches("short", challenge));
    }

    #[test]
    fn a_secret_matches_only_its_confidential_client() {
        let settings =
            ClientSettings::parse("App", &uris(&["https://a.example/cb"]), &[], None).unwrap();
        let id = OidcClientId::parse("0123456789abcdef0123456789abcdef").unwrap();
        let now = datetime!(2026-11-27 09:00 UTC);
        let confidential = OidcClient::new(
            id.clone(),
            settings.clone(),
            ClientType::Confidential,
            Some(token_hash("s3cret")),
            now,
        );
        assert!(confidential.secret_matches(Some("s3cret")));
        assert!(!confidential.secret_matches(Some("s3cre")));
        assert!(!confidential.secret_matches(None));
        let public = OidcClient::new(id, settings, ClientType::Public, None, now);
        assert!(public.secret_matches(None));
        assert!(!public.secret_matches(Some("s3cret")));
    }

    #[test]
    fn a_provider_session_ends_with_the_token_version_its_lifetime_or_max_age() {
        let now = datetime!(2026-11-27 09:00 UTC);
        let session = ProviderSession {
            key_hash: "h".into(),
            user_id: PortalUserId::parse("0123456789abcdef0123456789abcdef").unwrap(),
            token_version: 2,
            auth_time: now,
            amr: uris(&[AMR_PASSWORD]),
            expires_at: now + PROVIDER_SESSION_LIFETIME,
        };
        assert!(session.is_live(2, now));
        assert!(!session.is_live(3, now));
        assert!(!session.is_live(2, now + PROVIDER_SESSION_LIFETIME));
        assert!(!session.older_than(None, now + Duration::hours(1)));
        assert!(!session.older_than(Some(60), now + Duration::seconds(60)));
        assert!(session.older_than(Some(60), now + Duration::seconds(61)));
        assert!(!session.older_than(Some(u64::MAX), now + Duration::hours(1)));
    }
}

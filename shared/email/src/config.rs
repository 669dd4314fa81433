use portal_domain::config::Variable;
use std::sync::Arc;

use portal_domain::sealed::Sealer;

const PORTAL_BASE_URL: Variable = Variable::required("PORTAL_BASE_URL");
const EMAIL_SENDER: Variable = Variable::required("EMAIL_SENDER");
const PRODUCT_NAME: Variable = Variable::optional("PRODUCT_NAME");
const SUPPORT_ADDRESS: Variable = Variable::optional("SUPPORT_ADDRESS");

const DEFAULT_PRODUCT_NAME: &str = "Customer portal";

/// What every email needs besides its message: who sends it and where links point.
#[derive(Clone, Debug)]
pub struct EmailConfig {
    /// Names the product in subjects and sign-offs.
    pub product_name: String,
    /// The `From` address (a verified SES identity in AWS).
    pub sender: String,
    /// Where people can ask for help; shown in every footer.
    pub support_address: String,
    /// The only base of links in emails, never taken from a request (`PORTAL_BASE_URL`).
    pub portal_base_url: String,
    /// Opens the codes and tokens sealed in the outbox (with the outbox seal key, the
    /// one the writers seal with). Its `Debug` form never shows the key.
    pub sealer: Arc<dyn Sealer>,
}

impl EmailConfig {
    /// What [`EmailConfig::from_env`] reads.
    pub const VARIABLES: &[Variable] =
        &[PORTAL_BASE_URL, EMAIL_SENDER, PRODUCT_NAME, SUPPORT_ADDRESS];

    /// Defaults for a laptop, where nothing leaves the machine.
    pub fn local(portal_base_url: &str, sealer: Arc<dyn Sealer>) -> Self {
        Self {
            product_name: DEFAULT_PRODUCT_NAME.to_owned(),
            sender: "portal@localhost".to_owned(),
            support_address: "support@localhost".to_owned(),
            portal_base_url: portal_base_url.to_owned(),
            sealer,
        }
    }

    /// The Lambda configuration: `PORTAL_BASE_URL` and `EMAIL_SENDER` are required,
    /// `SUPPORT_ADDRESS` defaults to the sender, `PRODUCT_NAME` to `Customer portal`.
    /// The caller gives the `sealer` of its ports (the outbox seal key).
    pub fn from_env(sealer: Arc<dyn Sealer>) -> Result<Self, String> {
        Self::from_vars(|name| std::env::var(name).ok(), sealer)
    }

    fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        sealer: Arc<dyn Sealer>,
    ) -> Result<Self, String> {
        // Every link people click comes from here, so a typo must stop the cold start.
        let portal_base_url = checked_base_url(&PORTAL_BASE_URL.require(&var)?)?;
        let sender = EMAIL_SENDER.require(&var)?;
        Ok(Self {
            product_name: PRODUCT_NAME
                .read(&var)
                .unwrap_or_else(|| DEFAULT_PRODUCT_NAME.to_owned()),
            support_address: SUPPORT_ADDRESS.read(&var).unwrap_or_else(|| sender.clone()),
            sender,
            portal_base_url,
            sealer,
        })
    }

    /// An absolute link to `path` (which starts with `/`) in the portal.
    pub(crate) fn link(&self, path: &str) -> String {
        format!("{}{path}", self.portal_base_url.trim_end_matches('/'))
    }
}

/// The portal's base URL, if links built on it are safe to send: `https://`, or plain
/// `http://` on a loopback address only (portal-local), since a token in a link sent
/// over plain HTTP can be read on the way. No query or fragment: paths are appended.
pub fn checked_base_url(raw: &str) -> Result<String, String> {
    let refuse = |why: &str| Err(format!("PORTAL_BASE_URL {raw:?} {why}"));
    let Ok(url) = url::Url::parse(raw.trim()) else {
        return refuse("is not an absolute URL such as https://portal.example.com");
    };
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => return refuse("has no host"),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return refuse("must use https:// (plain http:// only on a loopback address)"),
        _ => return refuse("must start with https://"),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return refuse("must not carry credentials, a query or a fragment");
    }
    Ok(raw.trim().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use portal_adapters::{OsRandomness, SealKey};
    use portal_domain::sealed::Sealer;

    use super::EmailConfig;

    fn key() -> Arc<dyn Sealer> {
        Arc::new(SealKey::generate(&OsRandomness))
    }

    fn vars<'a>(pairs: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn the_environment_needs_only_the_base_url_and_the_sender() {
        let config = EmailConfig::from_vars(
            vars(&[
                ("PORTAL_BASE_URL", "https://portal.example.com"),
                ("EMAIL_SENDER", "portal@example.com"),
            ]),
            key(),
        )
        .unwrap();
        assert_eq!(config.portal_base_url, "https://portal.example.com");
        assert_eq!(config.sender, "portal@example.com");
        assert_eq!(config.support_address, "portal@example.com");
        assert_eq!(config.product_name, "Customer portal");
    }

    #[test]
    fn a_missing_sender_or_a_base_url_without_scheme_is_refused() {
        let missing =
            EmailConfig::from_vars(vars(&[("PORTAL_BASE_URL", "https://p.example")]), key());
        assert_eq!(
            missing.unwrap_err(),
            "environment variable EMAIL_SENDER is not set"
        );
        let schemeless = EmailConfig::from_vars(
            vars(&[
                ("PORTAL_BASE_URL", "portal.example.com"),
                ("EMAIL_SENDER", "portal@example.com"),
            ]),
            key(),
        );
        assert!(schemeless.unwrap_err().contains("https://"));
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        for good in [
            "https://portal.example.com",
            "https://portal.example.com/customers/",
            "http://127.0.0.1:3000",
            "http://localhost:8080",
            "http://[::1]:3000",
        ] {
            assert!(super::checked_base_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://portal.example.com",
            "http://10.0.0.5:3000",
            "ftp://portal.example.com",
            "portal.example.com",
            "https://portal.example.com/?next=x",
            "https://portal.example.com/#x",
            "https://user:pass@portal.example.com",
        ] {
            assert!(super::checked_base_url(bad).is_err(), "{bad}");
        }
        let refused = EmailConfig::from_vars(
            vars(&[
                ("PORTAL_BASE_URL", "http://portal.example.com"),
                ("EMAIL_SENDER", "portal@example.com"),
            ]),
            key(),
        );
        assert!(refused.unwrap_err().contains("https://"));
    }

    #[test]
    fn links_do_not_double_the_slash_of_the_base_url() {
        let config = EmailConfig::local("https://portal.example.com/", key());
        assert_eq!(config.link("/login"), "https://portal.example.com/login");
        let config = EmailConfig::local("https://portal.example.com", key());
        assert_eq!(config.link("/login"), "https://portal.example.com/login");
    }
}

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use portal_domain::ports::Settings;
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_CLIENTS, MANAGE_USERS};
use portal_domain::types::UsernameField;

/// Serves every portal function on one local port. Every flag is also an environment variable.
#[derive(Parser)]
#[command(name = "portal-local", version)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Port on 127.0.0.1 (0 picks a free one; the banner says which).
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Folder of the embedded store file, the file outbox and the generated keys.
    #[arg(
        long,
        env = "PORTAL_DATA_DIR",
        default_value = ".portal-local",
        global = true
    )]
    pub data_dir: PathBuf,
    #[arg(long, env = "PORTAL_STORE", value_enum, default_value_t = StoreKind::Embedded)]
    pub store: StoreKind,
    /// DynamoDB endpoint for `--store dynamodb` (e.g. moto); the SDK's default otherwise.
    #[arg(long, env = "DYNAMODB_ENDPOINT")]
    pub dynamodb_endpoint: Option<String>,
    /// DynamoDB table, created if missing.
    #[arg(long, env = "TABLE_NAME", default_value = "portal")]
    pub table: String,
    /// Base of every link in emails; defaults to the address this process listens on.
    #[arg(long, env = "PORTAL_BASE_URL")]
    pub portal_base_url: Option<String>,
    /// Name this process `http://localhost:<port>` instead of `http://127.0.0.1:<port>`
    /// (the address it listens on, and links in emails): passkeys are bound to a domain
    /// name and cannot work at an IP address.
    #[arg(long)]
    pub localhost: bool,
    /// How long an invitation link works.
    #[arg(long, env = "INVITATION_TTL_HOURS", default_value_t = 72,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub invitation_ttl_hours: u16,
    /// The fewest characters a new password may have: 15 (NIST SP 800-63B rev. 4 for a
    /// password that is the only factor), at least 8.
    #[arg(long, env = "PASSWORD_MIN_LENGTH", default_value_t = 15,
          value_parser = clap::value_parser!(u16).range(8..=128))]
    pub password_min_length: u16,
    /// Requests a minute one client (the TCP peer) may send to one public route; 0 turns
    /// the limit off (for load tests and local scripts).
    #[arg(long, env = "CLIENT_RATE_LIMIT", default_value_t = Settings::DEFAULT_CLIENT_RATE_LIMIT)]
    pub client_rate_limit: u32,
    /// Which contact field is a new user's username: email, phone or external_ref.
    #[arg(long, env = "USERNAME_FIELD", default_value = "email",
          value_parser = |raw: &str| UsernameField::parse(raw))]
    pub username_field: UsernameField,
    /// Seals invitation links in the outbox: 32 bytes, base64url. Generated once into
    /// `<data-dir>/outbox-seal-key` when unset, so pending emails keep working links.
    #[arg(long, env = "OUTBOX_SEAL_KEY", hide_env_values = true)]
    pub outbox_seal_key: Option<String>,
    /// Ed25519 key that signs portal access tokens: the 32-byte seed, base64url. Generated
    /// once into `<data-dir>/signing-key` when unset.
    #[arg(
        long,
        env = "PORTAL_SIGNING_KEY",
        hide_env_values = true,
        global = true
    )]
    pub signing_key: Option<String>,
    /// RSA keys that sign ID tokens of the OpenID provider: PKCS#8 PEM, the signing one
    /// first. Generated once into `<data-dir>/oidc-keys.pem` when unset.
    #[arg(long, env = "PORTAL_OIDC_KEYS", hide_env_values = true)]
    pub oidc_keys: Option<String>,
    /// `iss` of portal access tokens.
    #[arg(long, env = "PORTAL_TOKEN_ISSUER", default_value = "portal-local")]
    pub token_issuer: String,
    /// `aud` of portal access tokens.
    #[arg(long, env = "PORTAL_TOKEN_AUDIENCE", default_value = "portal")]
    pub token_audience: String,
    /// HS256 secret of staff tokens (at least 32 bytes). Generated once into
    /// `<data-dir>/staff-jwt-secret` when unset.
    #[arg(long, env = "STAFF_JWT_SECRET", hide_env_values = true, global = true)]
    pub staff_jwt_secret: Option<String>,
    /// `iss` of staff tokens.
    #[arg(
        long,
        env = "STAFF_JWT_ISSUER",
        default_value = "portal-local",
        global = true
    )]
    pub staff_jwt_issuer: String,
    /// `aud` of staff tokens.
    #[arg(
        long,
        env = "STAFF_JWT_AUDIENCE",
        default_value = "portal-staff",
        global = true
    )]
    pub staff_jwt_audience: String,
    /// The company's OpenID provider for staff sign-in (`/staff/login`), e.g. a local
    /// Keycloak. Without it the console takes the banner's token.
    #[arg(long, env = "STAFF_OIDC_ISSUER")]
    pub staff_oidc_issuer: Option<String>,
    /// The console's client id at that provider.
    #[arg(long, env = "STAFF_OIDC_CLIENT_ID")]
    pub staff_oidc_client_id: Option<String>,
    /// The console's client secret at that provider.
    #[arg(long, env = "STAFF_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub staff_oidc_client_secret: Option<String>,
    /// The ID token claim that carries permissions (default `permissions`).
    #[arg(long, env = "STAFF_PERMISSIONS_CLAIM")]
    pub staff_permissions_claim: Option<String>,
    /// JSON: claim value → permissions (absent: the values are permissions).
    #[arg(long, env = "STAFF_PERMISSION_MAP")]
    pub staff_permission_map: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Prints a staff token signed with the configured secret, issuer and audience, then exits.
    StaffToken(StaffTokenArgs),
    /// Prints the public key (base64url) of the access-token signing key, then exits: the
    /// `PortalTokenPublicKey` parameter for `PORTAL_SIGNING_KEY`'s secret in AWS.
    TokenPublicKey,
    /// Prints the OpenAPI document of every route (what `docs/openapi.json` holds), then exits.
    Openapi,
    /// Registers an app with the OpenID provider and prints its `client_id` (and
    /// `client_secret`) as JSON, then exits. With the embedded store, run it while the
    /// portal is stopped (a running one reads the store file at start only).
    RegisterClient(RegisterClientArgs),
}

#[derive(clap::Args)]
pub struct RegisterClientArgs {
    /// What staff see in the console.
    #[arg(long, default_value = "Local app")]
    pub name: String,
    /// Where the provider may send the browser back with a code (repeat for several).
    #[arg(long = "redirect-uri", value_name = "URI", required = true)]
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may return to (repeat for several).
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    pub post_logout_redirect_uris: Vec<String>,
    /// Where the app starts a sign-in itself, for access links that name it.
    #[arg(long, value_name = "URI")]
    pub initiate_login_uri: Option<String>,
    /// A browser or mobile app without a secret (PKCE alone).
    #[arg(long)]
    pub public: bool,
}

#[derive(clap::Args)]
pub struct StaffTokenArgs {
    /// `sub` claim.
    #[arg(long, default_value = "local-staff")]
    pub subject: String,
    /// `name` claim.
    #[arg(long, default_value = "Local Staff")]
    pub name: String,
    /// A permission to grant (repeat the flag for several).
    #[arg(long = "permission", value_name = "PERMISSION",
          default_values_t = [MANAGE_USERS.to_owned(), ASSIGN_ROLES.to_owned(), MANAGE_CLIENTS.to_owned()])]
    pub permissions: Vec<String>,
    /// Lifetime in hours.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..))]
    pub hours: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    Embedded,
    Dynamodb,
}

impl Args {
    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join("store.jsonl")
    }

    pub fn outbox_path(&self) -> PathBuf {
        self.data_dir.join("outbox.jsonl")
    }

    pub fn seal_key_path(&self) -> PathBuf {
        self.data_dir.join("outbox-seal-key")
    }

    pub fn signing_key_path(&self) -> PathBuf {
        self.data_dir.join("signing-key")
    }

    pub fn oidc_keys_path(&self) -> PathBuf {
        self.data_dir.join("oidc-keys.pem")
    }

    pub fn staff_secret_path(&self) -> PathBuf {
        self.data_dir.join("staff-jwt-secret")
    }
}

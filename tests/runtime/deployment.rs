//! One deployment of the stack on moto: a fresh table, a verified SES sender and its
//! configuration set, the three secrets in Secrets Manager, the staff provider's documents, and each function's environment
//! exactly as `template.yaml` declares it (Globals plus the function's own), with test
//! values for the parameters (the secrets' ARNs among them: the binaries fetch the keys
//! from moto at cold start, as from Secrets Manager in AWS). A variable the template gives
//! a function but this file does not know fails the test, and so does one the binary
//! needs but the template does not give it.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use portal_adapters::OsRandomness;
use portal_adapters::SealKey;
use portal_http::{
    AccessTokenConfig, AccessTokenVerifier, AccessTokenVerifierConfig, AccessTokens,
    PortalSigningKey,
};
use portal_testkit::ProviderDocs;
use portal_testkit::moto::{dynamodb_endpoint, random_suffix, scan, ses_client, ses_endpoint};
use serde_json::{Value, json};
use serde_yaml::Value as Yaml;

use super::emulator::WORKSPACE;

pub const PORTAL_BASE_URL: &str = "https://portal.example.test";
const STAFF_AUDIENCE: &str = "portal-staff";
const STAFF_CLIENT_ID: &str = "portal-console";
const TOKEN_ISSUER: &str = "https://api.example.test";
const TOKEN_AUDIENCE: &str = "portal";
/// The identity provider's Ed25519 key (its seed): staff tokens are EdDSA, verified
/// against the keys its discovery document names, as in AWS.
const STAFF_SEED: [u8; 32] = [7; 32];
/// PKCS#8 v1 wrapping of an Ed25519 seed (RFC 8410), for jsonwebtoken.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

pub struct Deployment {
    pub table: String,
    pub sender: String,
    configuration_set: String,
    /// The ARNs of the secrets holding the seal key and the signing key.
    seal_key_secret: String,
    signing_key_secret: String,
    signing_key: String,
    client_secret_secret: String,
    oidc_keys_secret: String,
    /// The identity provider's discovery and keys, served on this machine.
    staff_provider: ProviderDocs,
    staff_kid: String,
}

impl Deployment {
    /// Creates the table, the SES identity and the secrets on the emulator
    /// `./scripts/test` started.
    pub async fn create() -> Self {
        let suffix = random_suffix();
        let table = format!("portal-runtime-{suffix}");
        let dynamodb = portal_store::connect_dynamodb(Some(&dynamodb_endpoint())).await;
        portal_store::table::create_table_if_missing(&dynamodb, &table)
            .await
            .expect("create the table on moto");
        let sender = format!("portal-{suffix}@acme.example");
        let configuration_set = format!("portal-{suffix}");
        // The SES sandbox sends only from a verified identity.
        ses_client(&ses_endpoint())
            .create_email_identity()
            .email_identity(&sender)
            .send()
            .await
            .expect("verify the sender on moto");
        ses_client(&ses_endpoint())
            .create_configuration_set()
            .configuration_set_name(&configuration_set)
            .send()
            .await
            .expect("create the configuration set on moto");
        let staff = AccessTokenVerifier::new(AccessTokenVerifierConfig {
            issuer: "the provider's".to_owned(),
            audience: STAFF_AUDIENCE.to_owned(),
            public_key: PortalSigningKey::from_seed(STAFF_SEED).public_key(),
        });
        let seal_key = SealKey::generate(&OsRandomness).to_base64();
        let seal_key_secret = create_secret(&format!("portal-{suffix}/seal-key"), &seal_key).await;
        let signing_key = PortalSigningKey::generate().to_base64url();
        let signing_key_secret =
            create_secret(&format!("portal-{suffix}/signing-key"), &signing_key).await;
        let client_secret_secret =
            create_secret(&format!("portal-{suffix}/staff-client"), "a client secret").await;
        let oidc_keys_secret = create_secret(
            &format!("portal-{suffix}/oidc-keys"),
            &portal_oidc::ProviderKeys::generate_pem(),
        )
        .await;
        Self {
            table,
            sender,
            configuration_set,
            seal_key_secret,
            signing_key_secret,
            signing_key,
            client_secret_secret,
            oidc_keys_secret,
            staff_provider: ProviderDocs::serve(staff.jwks().to_string()).await,
            staff_kid: staff.kid().to_owned(),
        }
    }

    /// The environment of the binary `function`: every variable `template.yaml` sets
    /// for it, the memory size Lambda announces, and the AWS variables a Lambda role
    /// gives, pointed at moto (`AWS_ENDPOINT_URL`, the one addition).
    pub fn environment(&self, function: &str) -> Vec<(String, String)> {
        let template = Template::read();
        let resource = template.function(function);
        let mut variables = Vec::new();
        for (name, value) in template
            .global_variables()
            .into_iter()
            .chain(variables_of(resource))
        {
            variables.retain(|(known, _): &(String, String)| *known != name);
            let value = match value {
                Some(literal) => literal,
                None => self.parameter(function, &name),
            };
            variables.push((name, value));
        }
        let memory = resource["Properties"]["MemorySize"]
            .as_u64()
            .or_else(|| template.globals()["MemorySize"].as_u64())
            .unwrap_or(128);
        let endpoint = dynamodb_endpoint();
        assert_eq!(
            endpoint,
            ses_endpoint(),
            "AWS_ENDPOINT_URL points every client at one emulator"
        );
        variables.extend(
            [
                ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory.to_string()),
                ("AWS_REGION", "us-east-1".to_owned()),
                ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
                ("AWS_ACCESS_KEY_ID", "test".to_owned()),
                ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
                ("AWS_SESSION_TOKEN", "test".to_owned()),
                ("AWS_ENDPOINT_URL", endpoint),
            ]
            .map(|(name, value)| (name.to_owned(), value)),
        );
        variables
    }

    /// The value this deployment gives a variable whose value the template takes from a
    /// parameter or a resource.
    fn parameter(&self, function: &str, name: &str) -> String {
        match name {
            "TABLE_NAME" => self.table.clone(),
            "PORTAL_BASE_URL" => PORTAL_BASE_URL.to_owned(),
            "EMAIL_SENDER" | "SUPPORT_ADDRESS" => self.sender.clone(),
            "PRODUCT_NAME" => "Customer portal".to_owned(),
            "OUTBOX_SEAL_KEY_SECRET_ARN" => self.seal_key_secret.clone(),
            "INVITATION_TTL_HOURS" => "72".to_owned(),
            "USERNAME_FIELD" => "email".to_owned(),
            "SES_CONFIGURATION_SET" => self.configuration_set.clone(),
            "STAFF_OIDC_ISSUER" => self.staff_provider.issuer.clone(),
            "STAFF_OIDC_CLIENT_ID" => STAFF_CLIENT_ID.to_owned(),
            "STAFF_OIDC_CLIENT_SECRET_ARN" => self.client_secret_secret.clone(),
            "STAFF_JWT_AUDIENCE" => STAFF_AUDIENCE.to_owned(),
            "STAFF_PERMISSIONS_CLAIM" => "permissions".to_owned(),
            "STAFF_PERMISSION_MAP" => String::new(),
            "PORTAL_SIGNING_KEY_SECRET_ARN" => self.signing_key_secret.clone(),
            "PORTAL_OIDC_KEYS_SECRET_ARN" => self.oidc_keys_secret.clone(),
            "PORTAL_TOKEN_PUBLIC_KEY" => self.signing_key().public_key().to_base64url(),
            "PORTAL_TOKEN_ISSUER" => TOKEN_ISSUER.to_owned(),
            "PORTAL_TOKEN_AUDIENCE" => TOKEN_AUDIENCE.to_owned(),
            // SES's rate from the template's parameter; moto takes any.
            "MAILER_RATE_PER_SECOND" => "50".to_owned(),
            other => panic!(
                "template.yaml gives {function} the variable {other}, which the runtime tests \
                 have no value for: add one in tests/runtime/deployment.rs"
            ),
        }
    }

    /// The function's `Timeout` in template.yaml (the mailer's deadline).
    pub fn timeout(&self, function: &str) -> Duration {
        let template = Template::read();
        let seconds = template.function(function)["Properties"]["Timeout"]
            .as_u64()
            .or_else(|| template.globals()["Timeout"].as_u64())
            .unwrap_or(3);
        Duration::from_secs(seconds)
    }

    /// A staff token from the identity provider, with these permissions, for an hour.
    pub fn staff_token(&self, permissions: &[&str]) -> String {
        let now = get_current_timestamp();
        let claims = json!({
            "iss": self.staff_provider.issuer,
            "aud": STAFF_AUDIENCE,
            "sub": "staff-runtime",
            "name": "Rita Runtime",
            "permissions": permissions,
            "iat": now,
            "exp": now + 3600,
        });
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.staff_kid.clone());
        let pkcs8 = [PKCS8_ED25519_PREFIX.as_slice(), &STAFF_SEED].concat();
        encode(&header, &claims, &EncodingKey::from_ed_der(&pkcs8)).expect("sign a staff token")
    }

    /// The portal's access tokens, as the password function issues them.
    pub fn access_tokens(&self) -> AccessTokens {
        AccessTokens::new(AccessTokenConfig {
            issuer: TOKEN_ISSUER.to_owned(),
            audience: TOKEN_AUDIENCE.to_owned(),
            signing_key: self.signing_key(),
        })
    }

    fn signing_key(&self) -> PortalSigningKey {
        PortalSigningKey::from_base64url(&self.signing_key).expect("our key")
    }

    /// The partition keys of the table's items that start with `prefix` (a Scan: tests only).
    pub async fn keys_starting_with(&self, prefix: &str) -> Vec<String> {
        let client = portal_store::connect_dynamodb(Some(&dynamodb_endpoint())).await;
        scan(&client, &self.table)
            .await
            .iter()
            .filter_map(|item| item.get("pk")?.as_s().ok())
            .filter(|pk| pk.starts_with(prefix))
            .cloned()
            .collect()
    }
}

/// Creates a Secrets Manager secret on moto whose string is `value`: its ARN. One JSON
/// call (the tests have no Secrets Manager client); moto picks the service from the
/// credential scope of the `Authorization` header and checks no signature.
async fn create_secret(name: &str, value: &str) -> String {
    let created: Value = reqwest::Client::new()
        .post(dynamodb_endpoint())
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "secretsmanager.CreateSecret")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/secretsmanager/aws4_request, \
             SignedHeaders=host, Signature=0",
        )
        .json(&json!({ "Name": name, "SecretString": value }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("create a secret on moto")
        .json()
        .await
        .expect("CreateSecret answers JSON");
    created["ARN"]
        .as_str()
        .unwrap_or_else(|| panic!("CreateSecret answered no ARN: {created}"))
        .to_owned()
}

struct Template(Yaml);

impl Template {
    fn read() -> Self {
        let path = format!("{WORKSPACE}/template.yaml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
        Self(serde_yaml::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}")))
    }

    fn globals(&self) -> &Yaml {
        &self.0["Globals"]["Function"]
    }

    fn global_variables(&self) -> Vec<(String, Option<String>)> {
        environment_variables(&self.globals()["Environment"]["Variables"])
    }

    /// The `AWS::Serverless::Function` whose binary is `binary`.
    fn function(&self, binary: &str) -> &Yaml {
        self.0["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(_, resource)| resource)
            .find(|resource| {
                resource["Type"] == "AWS::Serverless::Function"
                    && resource["Metadata"]["BuildProperties"]["Binary"] == binary
            })
            .unwrap_or_else(|| panic!("template.yaml has no function whose binary is {binary}"))
    }
}

fn variables_of(function: &Yaml) -> Vec<(String, Option<String>)> {
    environment_variables(&function["Properties"]["Environment"]["Variables"])
}

/// Each variable's name, and its value when the template writes it out (`RUST_LOG: info`);
/// `None` when it comes from a parameter or a resource (`!Ref`, `!If`, ...).
fn environment_variables(variables: &Yaml) -> Vec<(String, Option<String>)> {
    variables
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| {
            let literal = match value {
                Yaml::String(text) => Some(text.clone()),
                Yaml::Number(number) => Some(number.to_string()),
                Yaml::Bool(flag) => Some(flag.to_string()),
                _ => None,
            };
            Some((name.as_str()?.to_owned(), literal))
        })
        .collect()
}

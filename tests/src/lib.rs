//! Black-box helpers: spawn the real `portal-local` binary and talk to it over HTTP,
//! with one helper per endpoint.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Which store the spawned process runs on.
pub enum Backend {
    Embedded,
    /// DynamoDB on the moto server that `./scripts/test` starts.
    DynamoDb,
}

/// The staff token secret, issuer and audience the spawned process is configured with.
pub const STAFF_SECRET: &str = "black-box-staff-secret-black-box-staff-secret";
pub const STAFF_ISSUER: &str = "portal-local";
pub const STAFF_AUDIENCE: &str = "portal-staff";

pub struct LocalPortal {
    pub base_url: String,
    pub data_dir: TempDir,
    pub http: reqwest::Client,
    /// A staff token with both permissions.
    pub staff_token: String,
    /// Every line the process printed (banner and JSON logs).
    pub output: Arc<Mutex<Vec<String>>>,
    args: Vec<String>,
    child: Child,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl LocalPortal {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, &[]).await
    }

    /// Started with `extra` command-line flags (e.g. `["--client-rate-limit", "5"]`).
    pub async fn start_with(backend: Backend, extra: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut args = vec![
            "--data-dir".to_owned(),
            data_dir.path().display().to_string(),
        ];
        args.extend(extra.iter().map(|flag| (*flag).to_owned()));
        if let Backend::DynamoDb = backend {
            args.extend([
                "--store".to_owned(),
                "dynamodb".to_owned(),
                "--dynamodb-endpoint".to_owned(),
                dynamodb_endpoint(),
                "--table".to_owned(),
                format!("portal-test-{}", random_suffix()),
            ]);
        }
        let output = Arc::new(Mutex::new(Vec::new()));
        let (child, base_url) = spawn(&args, output.clone()).await;
        Self {
            base_url,
            data_dir,
            http: reqwest::Client::new(),
            staff_token: staff_token(&[MANAGE_USERS, ASSIGN_ROLES], Duration::from_secs(3600)),
            output,
            args,
            child,
        }
    }

    /// Stops the process and starts it again on the same data.
    pub async fn restart(&mut self) {
        self.child.kill().await.expect("kill portal-local");
        let (child, base_url) = spawn(&self.args, self.output.clone()).await;
        self.child = child;
        self.base_url = base_url;
    }

    /// One request; `token` goes in the `Authorization` header, `body` as JSON.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::read(request.send().await.expect("portal-local answers")).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(reqwest::Method::POST, path, None, Some(body))
            .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(reqwest::Method::GET, path, None, None).await
    }

    pub async fn staff_get(&self, path: &str) -> Reply {
        self.call(reqwest::Method::GET, path, Some(&self.staff_token), None)
            .await
    }

    pub async fn staff_post(&self, path: &str, body: Value) -> Reply {
        self.call(
            reqwest::Method::POST,
            path,
            Some(&self.staff_token),
            Some(body),
        )
        .await
    }

    /// Registers `email` and verifies the emailed code: a request in the staff queue.
    pub async fn verified_request(&self, email: &str) -> String {
        let submitted = self.register(person(email)).await;
        assert_eq!(submitted.status, StatusCode::ACCEPTED, "{}", submitted.body);
        let id = submitted.body["registration_id"]
            .as_str()
            .expect("an id")
            .to_owned();
        let code = self.code_from_outbox(email).await;
        let verified = self.verify(&id, &code).await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        id
    }

    /// The partition key and full text of every item in this process's DynamoDB table
    /// (`None` on the embedded store). A Scan, which only tests do.
    pub async fn dynamodb_items(&self) -> Option<Vec<(String, String)>> {
        let table = self
            .args
            .iter()
            .skip_while(|arg| *arg != "--table")
            .nth(1)?;
        let client = portal_store::connect_dynamodb(Some(&dynamodb_endpoint())).await;
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = client
                .scan()
                .table_name(table)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan the test table");
            for item in page.items() {
                let pk = item
                    .get("pk")
                    .and_then(|pk| pk.as_s().ok())
                    .cloned()
                    .unwrap_or_default();
                items.push((pk, format!("{item:?}")));
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return Some(items);
            }
        }
    }

    /// A request registered, verified, linked to a new contact and approved by staff:
    /// the invitation token from the emailed link.
    pub async fn invitation_for(&self, email: &str) -> String {
        let id = self.verified_request(email).await;
        let linked = self
            .staff_post(
                &format!("/staff/registrations/{id}/link-contact"),
                json!({ "create_contact": true }),
            )
            .await;
        assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
        let approved = self
            .staff_post(&format!("/staff/registrations/{id}/approve"), json!({}))
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
        let outbox = self.outbox().await;
        let invitation = outbox
            .iter()
            .rev()
            .find(|m| m["to"] == email && m["kind"] == "invitation")
            .expect("an invitation email");
        invitation_token(invitation)
    }

    pub fn printed(&self) -> String {
        self.output.lock().expect("output lock").join("\n")
    }

    pub async fn register(&self, body: Value) -> Reply {
        self.post("/registrations", body).await
    }

    pub async fn verify(&self, id: &str, code: &str) -> Reply {
        self.post(
            &format!("/registrations/{id}/verify"),
            json!({ "code": code }),
        )
        .await
    }

    pub async fn resend(&self, id: &str) -> Reply {
        self.post(&format!("/registrations/{id}/resend-code"), json!({}))
            .await
    }

    pub async fn outbox(&self) -> Vec<Value> {
        let reply = self.get("/dev/outbox").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body.as_array().expect("the outbox is a list").clone()
    }

    /// The newest email of `kind` to `to`, waiting up to five seconds for the background
    /// mailer (bulk invitations are left to it).
    pub async fn email_to(&self, to: &str, kind: &str) -> Value {
        for _ in 0..50 {
            let found = self
                .outbox()
                .await
                .into_iter()
                .rev()
                .find(|email| email["to"] == to && email["kind"] == kind);
            if let Some(email) = found {
                return email;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no {kind} email to {to} in the outbox")
    }

    /// How many emails of `kind` went to `to`.
    pub async fn emails_to(&self, to: &str, kind: &str) -> usize {
        self.outbox()
            .await
            .iter()
            .filter(|email| email["to"] == to && email["kind"] == kind)
            .count()
    }

    /// A request as a portal user with this access token.
    pub async fn as_user(
        &self,
        method: reqwest::Method,
        path: &str,
        access_token: &str,
        body: Option<Value>,
    ) -> Reply {
        self.call(method, path, Some(access_token), body).await
    }

    /// The code in the newest verification email to `email`, read from `/dev/outbox`.
    pub async fn code_from_outbox(&self, email: &str) -> String {
        let outbox = self.outbox().await;
        let message = outbox
            .iter()
            .rev()
            .find(|m| m["to"] == email && m["kind"] == "verification_code")
            .unwrap_or_else(|| panic!("no verification email to {email} in {outbox:?}"));
        six_digits(message["text"].as_str().expect("a text body"))
            .unwrap_or_else(|| panic!("no code in {message}"))
    }
}

impl Reply {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        Self { status, body }
    }
}

pub fn person(email: &str) -> Value {
    json!({
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": email,
        "phone": "+1 555 010 2000",
        "company": "Navy",
        "locale": "en"
    })
}

pub fn random_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    format!("{}-{nanos}", std::process::id())
}

/// A staff token signed like the spawned process expects.
pub fn staff_token(permissions: &[&str], lifetime: Duration) -> String {
    portal_http::mint_dev_staff_token(
        STAFF_SECRET.as_bytes(),
        STAFF_ISSUER,
        STAFF_AUDIENCE,
        "staff-1",
        "Sam Staff",
        permissions,
        lifetime,
    )
}

/// The token in an invitation link `<base>/welcome#token=<token>`.
pub fn invitation_token(email: &Value) -> String {
    let text = email["text"].as_str().expect("a text body");
    let start = text.find("#token=").expect("an invitation link") + "#token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The first run of exactly six digits.
fn six_digits(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_owned)
}

/// Moto's address, as exported by `./scripts/test`.
pub fn dynamodb_endpoint() -> String {
    std::env::var("PORTAL_TEST_DYNAMODB_ENDPOINT")
        .expect("PORTAL_TEST_DYNAMODB_ENDPOINT is not set: run ./scripts/test (it starts moto)")
}

/// `portal-local` sits next to the `deps` folder this test binary runs from.
fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let binary = profile_dir.join("portal-local");
    assert!(
        binary.exists(),
        "{} is missing: run ./scripts/test, or cargo build -p portal-local first",
        binary.display()
    );
    binary
}

async fn spawn(args: &[String], output: Arc<Mutex<Vec<String>>>) -> (Child, String) {
    let mut child = Command::new(binary())
        .args(args)
        .args(["--port", "0"])
        .env_remove("PORTAL_BASE_URL")
        .env("STAFF_JWT_SECRET", STAFF_SECRET)
        .env("STAFF_JWT_ISSUER", STAFF_ISSUER)
        .env("STAFF_JWT_AUDIENCE", STAFF_AUDIENCE)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn portal-local");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base_url = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        // Log lines may come first (e.g. from the AWS SDK's config loading).
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            output.lock().expect("output lock").push(line.clone());
            if let Some(address) = line.strip_prefix("portal-local listening on ") {
                return address.to_owned();
            }
        }
        panic!("portal-local exited before its banner")
    })
    .await
    .expect("portal-local printed no banner within 60 s");
    // Keep reading stdout, so the process never blocks on a full pipe and tests can
    // inspect what it logged.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            output.lock().expect("output lock").push(line);
        }
    });
    (child, base_url)
}

/// The SES endpoint of the emulator `./scripts/test` started.
pub fn ses_endpoint() -> String {
    std::env::var("PORTAL_TEST_SES_ENDPOINT")
        .expect("PORTAL_TEST_SES_ENDPOINT is not set: run ./scripts/test (it starts moto)")
}

/// The first recipient of every email moto's SES accepted, from its state dump (one
/// dump per call: it grows with the whole run, so read it once per test).
pub async fn ses_recipients() -> Vec<String> {
    let state: Value = reqwest::get(format!("{}/moto-api/data.json", ses_endpoint()))
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("moto's state")
        .json()
        .await
        .expect("moto's state is JSON");
    state["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["destinations"]["ToAddresses"][0].as_str())
        .map(str::to_owned)
        .collect()
}

//! Black-box helpers: spawn the real `portal-local` binary and talk to it over HTTP,
//! with one helper per endpoint.

use std::path::{Path, PathBuf};
use std::process::Stdio;

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

pub struct LocalPortal {
    pub base_url: String,
    pub data_dir: TempDir,
    pub http: reqwest::Client,
    args: Vec<String>,
    child: Child,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl LocalPortal {
    pub async fn start(backend: Backend) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut args = vec![
            "--data-dir".to_owned(),
            data_dir.path().display().to_string(),
        ];
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
        let (child, base_url) = spawn(&args).await;
        Self {
            base_url,
            data_dir,
            http: reqwest::Client::new(),
            args,
            child,
        }
    }

    /// Stops the process and starts it again on the same data.
    pub async fn restart(&mut self) {
        self.child.kill().await.expect("kill portal-local");
        let (child, base_url) = spawn(&self.args).await;
        self.child = child;
        self.base_url = base_url;
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .json(&body)
            .send()
            .await
            .expect("portal-local answers");
        Reply::read(response).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("portal-local answers");
        Reply::read(response).await
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

/// The first run of exactly six digits.
fn six_digits(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_owned)
}

/// Moto's address, as exported by `./scripts/test`.
fn dynamodb_endpoint() -> String {
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

async fn spawn(args: &[String]) -> (Child, String) {
    let mut child = Command::new(binary())
        .args(args)
        .args(["--port", "0"])
        .env_remove("PORTAL_BASE_URL")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn portal-local");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base_url = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        // Log lines may come first (e.g. from the AWS SDK's config loading).
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(address) = line.strip_prefix("portal-local listening on ") {
                return address.to_owned();
            }
        }
        panic!("portal-local exited before its banner")
    })
    .await
    .expect("portal-local printed no banner within 60 s");
    // Keep draining stdout so the process never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base_url)
}

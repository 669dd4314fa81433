//! The black-box tests' portal: the real `portal-local` binary, spawned, over HTTP.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portal_domain::staff::{ASSIGN_ROLES, MANAGE_CLIENTS, MANAGE_USERS};
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::moto::{dynamodb_endpoint, random_suffix, scan};
use crate::{Api, Http, STAFF_AUDIENCE, STAFF_ISSUER, STAFF_SECRET, staff_token};

/// Which store the spawned process runs on.
pub enum Backend {
    Embedded,
    /// DynamoDB on the moto server that `./scripts/test` starts.
    DynamoDb,
}

/// A spawned portal-local and its data. It derefs to its [`Api`] over HTTP.
pub struct LocalPortal {
    api: Api<Http>,
    pub base_url: String,
    pub data_dir: TempDir,
    /// Every line the process printed (banner and JSON logs).
    pub output: Arc<Mutex<Vec<String>>>,
    args: Vec<String>,
    child: Child,
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
            api: api(&base_url),
            base_url,
            data_dir,
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
        self.api = api(&base_url);
        self.base_url = base_url;
    }

    pub fn printed(&self) -> String {
        self.output.lock().expect("output lock").join("\n")
    }

    /// Every email in the outbox file, oldest first.
    pub async fn outbox(&self) -> Vec<Value> {
        self.transport().outbox().await
    }

    /// The emails of this kind, oldest first.
    pub async fn emails_of_kind(&self, kind: &str) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .filter(|email| email["kind"] == kind)
            .collect()
    }

    /// The newest email of `kind` to `to`, waiting up to five seconds for the background
    /// mailer (bulk invitations are left to it).
    pub async fn email_to(&self, to: &str, kind: &str) -> Value {
        for _ in 0..50 {
            if let Some(email) = self.transport().emails(to, kind).await.pop() {
                return email;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no {kind} email to {to} in the outbox")
    }

    /// How many emails of `kind` went to `to`.
    pub async fn emails_to(&self, to: &str, kind: &str) -> usize {
        self.transport().emails(to, kind).await.len()
    }

    /// The partition key and full text of every item in this process's DynamoDB table
    /// (`None` on the embedded store).
    pub async fn dynamodb_items(&self) -> Option<Vec<(String, String)>> {
        let table = self
            .args
            .iter()
            .skip_while(|arg| *arg != "--table")
            .nth(1)?;
        let client = portal_store::connect_dynamodb(Some(&dynamodb_endpoint())).await;
        let items = scan(&client, table).await.into_iter().map(|item| {
            let pk = item
                .get("pk")
                .and_then(|pk| pk.as_s().ok())
                .cloned()
                .unwrap_or_default();
            (pk, format!("{item:?}"))
        });
        Some(items.collect())
    }
}

impl Deref for LocalPortal {
    type Target = Api<Http>;

    fn deref(&self) -> &Api<Http> {
        &self.api
    }
}

fn api(base_url: &str) -> Api<Http> {
    Api::new(
        Http::new(base_url.to_owned()),
        staff_token(&[MANAGE_USERS, ASSIGN_ROLES, MANAGE_CLIENTS]),
    )
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
    let base_url = tokio::time::timeout(Duration::from_secs(60), async {
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

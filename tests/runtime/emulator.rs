//! cargo-lambda's emulator with this workspace's function binaries attached, the way
//! Lambda runs a `provided.al2023` function: the binary polls the Runtime API for the
//! next event and posts its answer back. `cargo lambda watch --only-lambda-apis` serves
//! the Runtime API (per function, under `/.rt/<name>`) and the Invoke API
//! (`POST /2015-03-31/functions/<name>/invocations`) without building or starting
//! anything itself; the binaries are the ones `cargo build` made from these crates.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// The workspace root: `cargo lambda watch` reads its metadata to know the functions.
pub const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The packages whose binaries are deployed (template.yaml's `BuildProperties.Binary`).
const FUNCTION_PACKAGES: [&str; 9] = [
    "portal-registration",
    "portal-approval",
    "portal-password",
    "portal-invitation",
    "portal-deactivation",
    "portal-mailer",
    "portal-importer",
    "portal-pages",
    "portal-oidc",
];

/// How long one invocation may take before the test gives up and prints the logs.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Emulator {
    port: u16,
    http: reqwest::Client,
    /// Everything the emulator and the functions printed, each line tagged with its source.
    log: Arc<Mutex<Vec<String>>>,
    functions: BTreeMap<String, Mutex<Child>>,
    _emulator: Child,
}

/// What the Invoke API answered: its status (200, or 500 when the function returned an
/// error) and the payload the function posted back.
pub struct Invocation {
    pub status: StatusCode,
    pub payload: Value,
}

impl Emulator {
    /// Starts `cargo lambda watch --only-lambda-apis` on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        let cargo_lambda = cargo_lambda();
        let port = free_port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut emulator = Command::new(&cargo_lambda)
            .args(["lambda", "watch", "--only-lambda-apis", "--quiet"])
            .args(["--invoke-address", "127.0.0.1", "--invoke-port"])
            .arg(port.to_string())
            .current_dir(WORKSPACE)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", cargo_lambda.display()));
        collect(emulator.stdout.take(), "emulator", &log);
        collect(emulator.stderr.take(), "emulator", &log);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if let Ok(Some(status)) = emulator.try_wait() {
                panic!("cargo lambda watch exited ({status}):\n{}", lines(&log));
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "cargo lambda watch did not listen on port {port} within 30 s:\n{}",
                lines(&log)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            port,
            http: reqwest::Client::new(),
            log,
            functions: BTreeMap::new(),
            _emulator: emulator,
        }
    }

    /// The address a function's `AWS_LAMBDA_RUNTIME_API` points at.
    pub fn runtime_api(&self, function: &str) -> String {
        format!("http://127.0.0.1:{}/.rt/{function}", self.port)
    }

    /// Starts the binary `function` with exactly `environment` (nothing inherited, as in
    /// Lambda) plus the Runtime API variables Lambda sets. `runtime_api` overrides where
    /// it polls (see `deadline_shim`).
    pub fn attach(
        &mut self,
        function: &str,
        environment: &[(String, String)],
        runtime_api: Option<String>,
    ) {
        let binary = binary(function);
        let runtime_api = runtime_api.unwrap_or_else(|| self.runtime_api(function));
        let mut child = Command::new(&binary)
            .env_clear()
            .envs(environment.iter().map(|(name, value)| (name, value)))
            .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
            .env("AWS_LAMBDA_FUNCTION_NAME", function)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("LAMBDA_TASK_ROOT", "/var/task")
            .env("TZ", ":UTC")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        collect(child.stdout.take(), function, &self.log);
        collect(child.stderr.take(), function, &self.log);
        self.functions
            .insert(function.to_owned(), Mutex::new(child));
    }

    /// Invokes `function` with `payload` through the Invoke API, as `aws lambda invoke`
    /// (or `cargo lambda invoke`) would.
    pub async fn invoke(&self, function: &str, payload: &Value) -> Invocation {
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{function}/invocations",
            self.port
        );
        let request = self.http.post(url).json(payload).send();
        tokio::pin!(request);
        let started = tokio::time::Instant::now();
        let response = loop {
            tokio::select! {
                response = &mut request => break response,
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
            if let Some(status) = self.exited(function) {
                panic!(
                    "the {function} binary exited ({status}) before answering:\n{}",
                    self.printed()
                );
            }
            if started.elapsed() > INVOKE_TIMEOUT {
                panic!(
                    "{function} did not answer within {INVOKE_TIMEOUT:?}:\n{}",
                    self.printed()
                );
            }
        };
        let response = response.unwrap_or_else(|error| {
            panic!("the emulator did not answer: {error}\n{}", self.printed())
        });
        let status = response.status();
        let text = response.text().await.expect("the invocation's payload");
        let payload = serde_json::from_str(&text).unwrap_or_else(|error| {
            panic!(
                "{function} answered {status} with a payload that is not JSON ({error}): {text}\n{}",
                self.printed()
            )
        });
        Invocation { status, payload }
    }

    /// How the binary `function` exited, waiting for it as long as an invocation may
    /// take: for a cold start that must fail.
    pub async fn exit_status(&self, function: &str) -> std::process::ExitStatus {
        let started = tokio::time::Instant::now();
        loop {
            if let Some(status) = self.exited(function) {
                return status;
            }
            assert!(
                started.elapsed() < INVOKE_TIMEOUT,
                "{function} still runs after {INVOKE_TIMEOUT:?}:\n{}",
                self.printed()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every line the emulator and the functions printed so far.
    pub fn printed(&self) -> String {
        lines(&self.log)
    }

    fn exited(&self, function: &str) -> Option<std::process::ExitStatus> {
        let child = self.functions.get(function)?;
        child.lock().expect("child lock").try_wait().ok().flatten()
    }
}

/// The emulator's Runtime API, with one difference: `Lambda-Runtime-Deadline-Ms` is the
/// epoch time `timeout` from now, as in AWS. cargo-lambda 1.9.2 sends the constant
/// 600000 there (ten minutes after 1970), so a function that paces itself to its
/// deadline (the mailer) would believe it had already run out of time.
pub async fn deadline_shim(upstream: String, timeout: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the deadline shim");
    let address = listener.local_addr().expect("the shim's address");
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let http = http.clone();
        let upstream = upstream.clone();
        async move { forward(&http, &upstream, request, timeout).await }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

async fn forward(
    http: &reqwest::Client,
    upstream: &str,
    request: axum::extract::Request,
    timeout: Duration,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the runtime request's body");
    let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut headers = parts.headers;
    headers.remove(axum::http::header::HOST);
    // The long poll for the next event waits as long as it takes.
    let answer = http
        .request(parts.method, format!("{upstream}{path}"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .expect("the emulator's Runtime API answers");
    let mut response = axum::http::Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if name
            .as_str()
            .eq_ignore_ascii_case("lambda-runtime-deadline-ms")
        {
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("clock after 1970")
                + timeout;
            response = response.header(name, deadline.as_millis().to_string());
        } else {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.expect("the Runtime API's body");
    response
        .body(axum::body::Body::from(bytes))
        .expect("a response")
}

/// `PORTAL_TEST_CARGO_LAMBDA`, exported by `./scripts/test` after it installed the
/// pinned cargo-lambda into `.venv-lambda`.
fn cargo_lambda() -> PathBuf {
    let path = std::env::var_os("PORTAL_TEST_CARGO_LAMBDA")
        .map(PathBuf::from)
        .expect(
            "PORTAL_TEST_CARGO_LAMBDA is not set: run ./scripts/test (it installs the pinned \
         cargo-lambda into .venv-lambda), or `source scripts/runtime-emulator.sh` first",
        );
    assert!(
        path.is_file(),
        "PORTAL_TEST_CARGO_LAMBDA={} does not exist: run ./scripts/test (it installs the \
         pinned cargo-lambda into .venv-lambda)",
        path.display()
    );
    path
}

/// The path of the binary `function`, built once per test process: `cargo build` is a
/// quick no-op after `cargo test --workspace` built the same binaries, and keeps a
/// narrowed run (`./scripts/test -p portal-tests`) from testing stale ones.
fn binary(function: &str) -> PathBuf {
    static BINARIES: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    let binaries = BINARIES.get_or_init(build_functions);
    binaries.get(function).cloned().unwrap_or_else(|| {
        panic!(
            "no binary {function} among {:?}",
            binaries.keys().collect::<Vec<_>>()
        )
    })
}

fn build_functions() -> BTreeMap<String, PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command
        .args([
            "build",
            "--quiet",
            "--bins",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(WORKSPACE)
        .stderr(Stdio::inherit());
    for package in FUNCTION_PACKAGES {
        command.args(["-p", package]);
    }
    // What cargo set for this test process only. Some build scripts watch these (ring
    // reruns when CARGO_MANIFEST_DIR changes), which would rebuild half the tree here
    // and again in the next plain `cargo build`.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "OUT_DIR",
            ]
            .contains(&name.as_ref())
        {
            command.env_remove(name.as_ref());
        }
    }
    let output = command.output().expect("run cargo build");
    assert!(
        output.status.success(),
        "cargo build of the functions failed"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter_map(|artifact| {
            let name = artifact["target"]["name"].as_str()?.to_owned();
            let executable = artifact["executable"].as_str()?;
            Some((name, PathBuf::from(executable)))
        })
        .collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Reads `stream` line by line into `log`, so no process blocks on a full pipe.
fn collect(
    stream: Option<impl AsyncRead + Unpin + Send + 'static>,
    source: &str,
    log: &Arc<Mutex<Vec<String>>>,
) {
    let Some(stream) = stream else { return };
    let (source, log) = (source.to_owned(), log.clone());
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            log.lock()
                .expect("log lock")
                .push(format!("[{source}] {line}"));
        }
    });
}

fn lines(log: &Mutex<Vec<String>>) -> String {
    log.lock().expect("log lock").join("\n")
}

//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-tests
//! --bench import` with PORTAL_TEST_DYNAMODB_ENDPOINT pointing at moto. An import of people
//! from an .xlsx file into an organization: `POST /staff/imports` (the file read whole and
//! the job stored), then the worker, a chunk of 100 rows at a time, as the importer Lambda
//! runs it (`run_open_imports`).
//! 1. 10 000 rows on the embedded store, in memory and on its file journal, without and with
//!    invitations: the upload request alone, the worker, upload to `done`, rows per second,
//!    the time per chunk (the worker's time over its chunks); median of 3 rounds.
//! 2. 1 000 rows on DynamoDB (moto: one call at a time, and each transaction costs in
//!    proportion to the table, so a chunk takes longer the more rows came before it and
//!    10 000 rows would take an hour or more): the same times, each chunk's time, and the
//!    DynamoDB calls per row by kind, the upload's and the worker's apart.
//!
//! Every run must end `done` with every row invited (or added, without invitations) and one
//! invitation queued in the outbox per row, so a broken run is never reported as fast.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use portal_domain::import::CHUNK_ROWS;
use portal_domain::ports::Store;
use portal_domain::use_cases::run_open_imports;
use portal_store::{DynamoStore, EmbeddedStore};
use portal_testkit::{PEOPLE_HEADER, StatusCode, TestApp, bench, numbered_people, people_xlsx};

const EMBEDDED_ROWS: usize = 10_000;
const MOTO_ROWS: usize = 1_000;
const ROUNDS: usize = 3;
/// The bound on a 10 000-row import on the embedded store, upload to `done`.
const IMPORT_BOUND: Duration = Duration::from_secs(30);
/// API Gateway's limit on one request.
const REQUEST_BOUND: Duration = Duration::from_secs(29);
/// Lambda's request payload limit; a binary body counts after base64 (4 bytes per 3).
const LAMBDA_PAYLOAD: usize = 6 * 1024 * 1024;

fn main() {
    bench::run(async {
        let endpoint = bench::moto_endpoint("import", "PORTAL_TEST_DYNAMODB_ENDPOINT");
        let mut summary = Vec::new();
        let file = people_xlsx(
            &PEOPLE_HEADER,
            &numbered_people(0, EMBEDDED_ROWS, "import.example"),
        );
        println!(
            "import: the file of {EMBEDDED_ROWS} rows is {} bytes of .xlsx ({} after base64; Lambda takes {LAMBDA_PAYLOAD})",
            file.len(),
            file.len().div_ceil(3) * 4
        );
        for invitations in [false, true] {
            summary.push(on_the_embedded_store(&file, Journal::InMemory, invitations).await);
            summary.push(on_the_embedded_store(&file, Journal::File, invitations).await);
        }
        for invitations in [false, true] {
            summary.push(on_moto(&endpoint, invitations).await);
        }
        print_summary(&summary);
    });
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Journal {
    InMemory,
    File,
}

/// One import's times.
#[derive(Clone, Copy, Debug)]
struct Times {
    /// `POST /staff/imports`: the file read whole, the job and its chunks stored.
    upload: Duration,
    /// The worker, every chunk (not a request).
    worker: Duration,
    /// From sending the upload to reading the job back `done`.
    total: Duration,
}

/// The median round of a setting, and the longest upload of its rounds.
struct Line {
    store: String,
    rows: usize,
    invitations: bool,
    median: Times,
    longest_upload: Duration,
    dynamodb: Option<Dynamodb>,
}

/// What only the DynamoDB run measures.
#[derive(Clone, Copy)]
struct Dynamodb {
    upload_calls_per_row: f64,
    worker_calls_per_row: f64,
    longest_chunk: Duration,
}

async fn on_the_embedded_store(file: &[u8], journal: Journal, invitations: bool) -> Line {
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = match journal {
            Journal::InMemory => EmbeddedStore::in_memory(),
            Journal::File => EmbeddedStore::open(&dir.path().join("store.jsonl")).expect("store"),
        };
        let app = TestApp::setup().start_on(Arc::new(store));
        rounds.push(import(&app, file, EMBEDDED_ROWS, invitations, None).await);
        if journal == Journal::File {
            report_journal(&dir.path().join("store.jsonl"));
        }
    }
    let store = match journal {
        Journal::InMemory => "embedded, in memory",
        Journal::File => "embedded, file journal",
    };
    line(store, EMBEDDED_ROWS, invitations, rounds, None)
}

/// The journal's size after a round (every chunk is written twice: its rows, its results).
fn report_journal(path: &Path) {
    let bytes = std::fs::metadata(path).expect("the journal").len();
    println!(
        "  journal after the round: {:.1} MB",
        bytes as f64 / 1_000_000.0
    );
}

async fn on_moto(endpoint: &str, invitations: bool) -> Line {
    let calls = CallCounter::default();
    let base = portal_store::connect_dynamodb(Some(endpoint)).await;
    let config = base
        .config()
        .to_builder()
        .interceptor(calls.clone())
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let table = format!(
        "portal-bench-import-{}",
        portal_testkit::moto::random_suffix()
    );
    portal_store::table::create_table_if_missing(&client, &table)
        .await
        .expect("create table");
    let app = TestApp::setup().start_on(Arc::new(DynamoStore::new(client.clone(), table.clone())));
    let file = people_xlsx(
        &PEOPLE_HEADER,
        &numbered_people(0, MOTO_ROWS, "moto.example"),
    );
    let times = import(&app, &file, MOTO_ROWS, invitations, Some(&calls)).await;
    let (counted, chunks) = calls.take();
    let longest_chunk = chunks.iter().copied().max().unwrap_or_default();
    let per_row = |part: &str| {
        let of_part: Vec<(&str, Calls)> = counted
            .iter()
            .filter(|((at, _), _)| at == part)
            .map(|((_, kind), calls)| (kind.as_str(), *calls))
            .collect();
        let total: usize = of_part.iter().map(|(_, calls)| calls.count).sum();
        let seconds: f64 = of_part.iter().map(|(_, calls)| calls.seconds).sum();
        let detail: Vec<String> = of_part
            .iter()
            .map(|(kind, calls)| {
                let items = if calls.items > 0 {
                    format!(
                        ", {:.1} items each",
                        calls.items as f64 / calls.count as f64
                    )
                } else {
                    String::new()
                };
                format!(
                    "{kind} {} ({:.3}/row; {:.1} ms each{items}, {:.1} s in all)",
                    calls.count,
                    calls.count as f64 / MOTO_ROWS as f64,
                    1000.0 * calls.seconds / calls.count as f64,
                    calls.seconds
                )
            })
            .collect();
        println!(
            "  dynamodb, {part}: {total} calls, {:.3} per row, {seconds:.1} s waiting on moto: {}",
            total as f64 / MOTO_ROWS as f64,
            detail.join(", ")
        );
        total as f64 / MOTO_ROWS as f64
    };
    let dynamodb = Dynamodb {
        upload_calls_per_row: per_row("upload"),
        worker_calls_per_row: per_row("worker"),
        longest_chunk,
    };
    let chunk_times: Vec<String> = chunks
        .iter()
        .map(|chunk| format!("{:.2}", chunk.as_secs_f64()))
        .collect();
    println!(
        "  each chunk, in order (s; the first includes claiming the job): {}; the table holds {} items after the import",
        chunk_times.join(" "),
        portal_testkit::moto::scan(&client, &table).await.len()
    );
    // The emulator may be shared: what it holds for this table is let go of.
    client
        .delete_table()
        .table_name(&table)
        .send()
        .await
        .expect("delete the table");
    line(
        "DynamoDB (moto)",
        MOTO_ROWS,
        invitations,
        vec![times],
        Some(dynamodb),
    )
}

/// Uploads `file` into a new organization, runs the worker until the job is done, and
/// checks it ended with every row invited (or added) and the emails queued.
async fn import<S: Store + 'static>(
    app: &TestApp<S>,
    file: &[u8],
    rows: usize,
    invitations: bool,
    calls: Option<&CallCounter>,
) -> Times {
    let organization = app.new_organization("Importers", &["orders.viewer"]).await;
    let send = if invitations { "true" } else { "false" };
    let fields = [
        ("organization_id", organization.as_str()),
        ("send_invitations", send),
    ];
    if let Some(calls) = calls {
        calls.count_as("upload");
    }

    let started = Instant::now();
    let reply = app.start_import("people.xlsx", file, &fields).await;
    let upload = started.elapsed();
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert_eq!(reply.body["total"], rows, "{}", reply.body);
    let id = reply.id("import_id");

    if let Some(calls) = calls {
        calls.count_as("worker");
    }
    let worker_started = Instant::now();
    // As the importer Lambda runs it, with a deadline the run never reaches.
    let deadline = app.ports.clock.now() + time::Duration::hours(1);
    let ran = run_open_imports(&app.ports, "bench", deadline)
        .await
        .expect("run the import");
    let worker = worker_started.elapsed();
    if let Some(calls) = calls {
        calls.count_as("after");
    }
    let job = app.import(&id).await;
    let total = started.elapsed();

    assert_eq!(ran, 1, "one open job");
    assert_eq!(job.body["status"], "done", "{}", job.body);
    assert_eq!(job.body["processed"], rows, "{}", job.body);
    let (invited, added) = if invitations { (rows, 0) } else { (0, rows) };
    let counts = &job.body["counts"];
    assert_eq!(counts["invited"], invited, "{}", job.body);
    assert_eq!(counts["added"], added, "{}", job.body);
    assert_eq!(counts["already_member"], 0, "{}", job.body);
    assert_eq!(counts["invalid"], 0, "{}", job.body);
    let queued = app
        .store
        .due_emails(app.ports.clock.now() + time::Duration::hours(1), rows * 2)
        .await
        .expect("the outbox")
        .len();
    assert_eq!(queued, invited, "one invitation queued per invited row");

    let times = Times {
        upload,
        worker,
        total,
    };
    println!(
        "import: {rows} rows, invitations {send}: upload {:.3} s, worker {:.3} s ({:.1} ms per chunk of {CHUNK_ROWS}), upload to done {:.3} s: {:.0} rows/s",
        upload.as_secs_f64(),
        worker.as_secs_f64(),
        per_chunk(worker, rows).as_secs_f64() * 1000.0,
        total.as_secs_f64(),
        rows as f64 / total.as_secs_f64()
    );
    times
}

fn per_chunk(worker: Duration, rows: usize) -> Duration {
    worker / u32::try_from(rows.div_ceil(CHUNK_ROWS)).expect("few chunks")
}

fn line(
    store: &str,
    rows: usize,
    invitations: bool,
    mut rounds: Vec<Times>,
    dynamodb: Option<Dynamodb>,
) -> Line {
    let longest_upload = rounds
        .iter()
        .map(|times| times.upload)
        .max()
        .expect("a round");
    rounds.sort_by_key(|times| times.total);
    let median = rounds[rounds.len() / 2];
    println!(
        "{store}, {rows} rows, invitations {invitations}: upload to done {:.2} s (median of {}; min {:.2}, max {:.2}), {:.0} rows/s",
        median.total.as_secs_f64(),
        rounds.len(),
        rounds[0].total.as_secs_f64(),
        rounds[rounds.len() - 1].total.as_secs_f64(),
        rows as f64 / median.total.as_secs_f64()
    );
    Line {
        store: store.to_owned(),
        rows,
        invitations,
        median,
        longest_upload,
        dynamodb,
    }
}

fn print_summary(lines: &[Line]) {
    println!();
    println!(
        "| store | rows | invitations | upload (longest) | worker | per chunk (longest) | upload to done | rows/s | DynamoDB calls/row: upload + worker |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for line in lines {
        let Times {
            upload,
            worker,
            total,
        } = line.median;
        let (longest_chunk, calls) = match line.dynamodb {
            Some(dynamodb) => (
                format!(" ({:.2} s)", dynamodb.longest_chunk.as_secs_f64()),
                format!(
                    "{:.3} + {:.3}",
                    dynamodb.upload_calls_per_row, dynamodb.worker_calls_per_row
                ),
            ),
            None => (String::new(), "–".to_owned()),
        };
        println!(
            "| {} | {} | {} | {:.3} s ({:.3}) | {:.2} s | {:.1} ms{longest_chunk} | {:.2} s | {:.0} | {calls} |",
            line.store,
            line.rows,
            if line.invitations { "yes" } else { "no" },
            upload.as_secs_f64(),
            line.longest_upload.as_secs_f64(),
            worker.as_secs_f64(),
            per_chunk(worker, line.rows).as_secs_f64() * 1000.0,
            total.as_secs_f64(),
            line.rows as f64 / total.as_secs_f64(),
        );
    }
    for line in lines.iter().filter(|line| line.rows == EMBEDDED_ROWS) {
        println!(
            "{}, invitations {}: {EMBEDDED_ROWS} rows upload to done {} {IMPORT_BOUND:?}; its one request (the upload, longest {:.3} s) {} {REQUEST_BOUND:?}",
            line.store,
            line.invitations,
            if line.median.total < IMPORT_BOUND {
                "under"
            } else {
                "NOT under"
            },
            line.longest_upload.as_secs_f64(),
            if line.longest_upload < REQUEST_BOUND {
                "under"
            } else {
                "NOT under"
            },
        );
    }
}

/// Counts DynamoDB requests by part of the import and operation (the `x-amz-target` header
/// names it; a retry counts again), with the time they took and, for transactions, their
/// items.
#[derive(Clone, Debug, Default)]
struct CallCounter(Arc<Mutex<Counts>>);

#[derive(Debug, Default)]
struct Counts {
    part: String,
    /// When the counter was made: times are kept as seconds since.
    base: Option<Instant>,
    /// The operations sent and not yet answered, with their items (an answer does not name
    /// its operation).
    in_flight: Vec<(String, usize)>,
    calls: BTreeMap<(String, String), Calls>,
    /// When the worker started, then when each chunk's results were written (the only
    /// transaction of two items: the job and the chunk).
    chunk_marks: Vec<f64>,
}

/// What the calls of one kind in one part cost.
#[derive(Clone, Copy, Debug, Default)]
struct Calls {
    count: usize,
    /// Items written, for TransactWriteItems.
    items: usize,
    /// Seconds from sending to the answer, summed: the sum of the answers' times less the
    /// sum of the sends', which needs no pairing of concurrent calls of one kind.
    seconds: f64,
}

impl CallCounter {
    /// Counts what follows as `part`.
    fn count_as(&self, part: &str) {
        let mut counts = self.0.lock().expect("lock");
        if part == "worker" {
            let now = counts.now();
            counts.chunk_marks = vec![now];
        }
        counts.part = part.to_owned();
    }

    /// The counts so far, by part and operation, and each chunk's time, cleared.
    fn take(&self) -> (BTreeMap<(String, String), Calls>, Vec<Duration>) {
        let mut counts = self.0.lock().expect("lock");
        let chunks = counts
            .chunk_marks
            .windows(2)
            .map(|pair| Duration::from_secs_f64(pair[1] - pair[0]))
            .collect();
        counts.chunk_marks.clear();
        (std::mem::take(&mut counts.calls), chunks)
    }
}

impl Counts {
    fn now(&mut self) -> f64 {
        self.base
            .get_or_insert_with(Instant::now)
            .elapsed()
            .as_secs_f64()
    }

    fn calls(&mut self, kind: &str) -> &mut Calls {
        let part = self.part.clone();
        self.calls.entry((part, kind.to_owned())).or_default()
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let kind = request
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown")
            .trim_start_matches("DynamoDB_20120810.")
            .to_owned();
        let items = match kind.as_str() {
            "TransactWriteItems" => request.body().bytes().map_or(0, |body| {
                body.windows(11)
                    .filter(|window| window == b"\"TableName\"")
                    .count()
            }),
            _ => 0,
        };
        let mut counts = self.0.lock().expect("lock");
        let now = counts.now();
        let calls = counts.calls(&kind);
        calls.count += 1;
        calls.items += items;
        calls.seconds -= now;
        counts.in_flight.push((kind, items));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let mut counts = self.0.lock().expect("lock");
        let now = counts.now();
        let (kind, items) = counts.in_flight.pop().expect("a call was sent");
        // Calls run side by side only with calls of their own kind (the upload's puts), so
        // whichever answered, it was of this kind.
        assert!(
            counts.in_flight.iter().all(|(other, _)| *other == kind),
            "calls of two kinds at once: {kind} and {:?}",
            counts.in_flight
        );
        counts.calls(&kind).seconds += now;
        if kind == "TransactWriteItems" && items == 2 && counts.part == "worker" {
            counts.chunk_marks.push(now);
        }
        Ok(())
    }
}

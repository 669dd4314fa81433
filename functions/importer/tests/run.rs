//! The importer's two triggers run a job to its end, and leave one held by another worker.

use portal_domain::clock::Clock;
use portal_domain::ids::ImportId;
use portal_importer::{Job, run};
use portal_testkit::{PEOPLE_HEADER, TestApp, numbered_people, people_csv};

async fn started(app: &TestApp, rows: usize) -> String {
    let file = people_csv(&PEOPLE_HEADER, &numbered_people(0, rows, "example.com"));
    let reply = app.start_import("people.csv", &file, &[]).await;
    reply.id("import_id")
}

#[tokio::test]
async fn a_stream_record_runs_its_job_to_the_end() {
    let app = TestApp::start();
    let id = started(&app, 250).await;
    let deadline = app.clock.now() + time::Duration::minutes(10);

    let ran = run(
        &app.ports,
        &Job::Run(vec![ImportId::parse(&id).unwrap()]),
        "a",
        deadline,
    )
    .await;

    assert_eq!(ran.unwrap(), 1);
    let job = app.import(&id).await;
    assert_eq!(job.body["status"], "done");
    assert_eq!(job.body["counts"]["added"], 250);
}

#[tokio::test]
async fn a_sweep_runs_every_open_job_and_a_past_deadline_lets_them_go() {
    let app = TestApp::start();
    let first = started(&app, 120).await;
    let second = started(&app, 10).await;
    let now = app.clock.now();

    // Out of time: nothing is run, and nothing is held.
    run(&app.ports, &Job::Sweep, "a", now).await.unwrap();
    let named = Job::Run(vec![ImportId::parse(&first).unwrap()]);
    run(&app.ports, &named, "a", now).await.unwrap();
    let waiting = app.import(&first).await;
    assert_eq!(waiting.body["status"], "queued");
    // Another worker takes it at once, without waiting for a lease to lapse.
    run(
        &app.ports,
        &Job::Sweep,
        "b",
        now + time::Duration::minutes(10),
    )
    .await
    .unwrap();

    for id in [first, second] {
        let job = app.import(&id).await;
        assert_eq!(job.body["status"], "done", "{}", job.body);
    }
}

//! Import jobs: stored with their chunks, run a chunk at a time under version checks.

use portal_adapters::OsRandomness;
use portal_domain::StoreError;
use portal_domain::ids::Id;
use portal_domain::import::{ImportChunk, ImportJob, ImportRequest, ImportRow, RowResult};
use portal_domain::use_cases::MemberOutcome;

use crate::support::{Subject, now, staff};

fn job(rows: u32) -> (ImportJob, Vec<ImportChunk>) {
    let request = ImportRequest {
        file_name: "people.csv".into(),
        rows: (0..rows)
            .map(|row| ImportRow {
                row: row + 2,
                email: Some(format!("person{row}@example.com")),
                ..ImportRow::default()
            })
            .collect(),
        organization_id: None,
        send_invitations: false,
    };
    ImportJob::new(Id::generate(&OsRandomness), &request, staff(), now())
}

fn results(chunk: &ImportChunk) -> Vec<RowResult> {
    chunk
        .rows
        .iter()
        .map(|row| RowResult {
            row: row.row,
            email: row.email.clone(),
            outcome: MemberOutcome::Added,
            portal_user_id: None,
            reason: None,
        })
        .collect()
}

fn with_results(chunk: &ImportChunk) -> ImportChunk {
    ImportChunk {
        results: Some(results(chunk)),
        ..chunk.clone()
    }
}

pub async fn an_import_reads_back_with_its_chunks_in_order_and_is_open(store: &impl Subject) {
    let (job, chunks) = job(250);
    let (other, other_chunks) = job_of_one();

    store.create_import(&job, &chunks).await.unwrap();
    store.create_import(&other, &other_chunks).await.unwrap();

    assert_eq!(store.import(&job.id).await.unwrap(), Some(job.clone()));
    assert_eq!(store.import_chunks(&job.id, 0, 10).await.unwrap(), chunks);
    assert_eq!(
        store.import_chunks(&job.id, 1, 1).await.unwrap(),
        chunks[1..2].to_vec()
    );
    assert_eq!(
        store.import_chunks(&job.id, 3, 10).await.unwrap(),
        Vec::new()
    );
    let open: Vec<_> = store
        .open_imports(10)
        .await
        .unwrap()
        .into_iter()
        .map(|job| job.id)
        .collect();
    assert!(
        open.contains(&job.id) && open.contains(&other.id),
        "{open:?}"
    );
    assert_eq!(store.open_imports(1).await.unwrap().len(), 1);
}

fn job_of_one() -> (ImportJob, Vec<ImportChunk>) {
    job(1)
}

pub async fn a_second_import_with_the_same_id_is_refused(store: &impl Subject) {
    let (job, chunks) = job(1);
    store.create_import(&job, &chunks).await.unwrap();
    let before = store.everything().await;

    let again = store.create_import(&job, &[]).await;

    assert!(
        matches!(again, Err(StoreError::ConditionFailed)),
        "{again:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn a_chunk_is_finished_once_with_the_jobs_next_version(store: &impl Subject) {
    let (job, chunks) = job(150);
    store.create_import(&job, &chunks).await.unwrap();
    let held = job.claimed("worker-a", now()).unwrap();
    store.update_import(&held).await.unwrap();

    let first = with_results(&chunks[0]);
    let next = held.chunk_done(first.results.as_ref().unwrap(), now());
    store.finish_import_chunk(&next, &first).await.unwrap();

    assert_eq!(store.import(&job.id).await.unwrap(), Some(next.clone()));
    assert_eq!(
        store.import_chunks(&job.id, 0, 1).await.unwrap(),
        vec![first.clone()]
    );
    let before = store.everything().await;
    // The same chunk again, even over the job's current version, is refused.
    let twice = next.chunk_done(first.results.as_ref().unwrap(), now());
    let again = store.finish_import_chunk(&twice, &first).await;
    assert!(
        matches!(again, Err(StoreError::ConditionFailed)),
        "{again:?}"
    );
    // A worker whose lease was taken over writes nothing.
    let second = with_results(&chunks[1]);
    let stale = held.chunk_done(second.results.as_ref().unwrap(), now());
    let late = store.finish_import_chunk(&stale, &second).await;
    assert!(matches!(late, Err(StoreError::ConditionFailed)), "{late:?}");
    let stale_claim = store.update_import(&held.released()).await;
    assert!(
        matches!(stale_claim, Err(StoreError::ConditionFailed)),
        "{stale_claim:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn a_done_import_is_no_longer_open(store: &impl Subject) {
    let (job, chunks) = job(3);
    store.create_import(&job, &chunks).await.unwrap();
    let held = job.claimed("worker-a", now()).unwrap();
    store.update_import(&held).await.unwrap();

    let only = with_results(&chunks[0]);
    let done = held.chunk_done(only.results.as_ref().unwrap(), now());
    store.finish_import_chunk(&done, &only).await.unwrap();

    assert!(!done.is_open());
    let open = store.open_imports(10).await.unwrap();
    assert!(open.iter().all(|open| open.id != job.id), "{open:?}");
}

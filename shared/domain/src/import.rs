//! An import of people from a file (Creatio's "Import users from Excel"), as a job: the
//! rows are stored in chunks when the file arrives, and a worker takes the job under a
//! lease, chunk after chunk, each chunk's results written with the job's progress in one
//! transaction. A worker that stops (a crash, a timeout) leaves its lease to lapse, and
//! the next one carries on at the first chunk without results: a finished chunk is never
//! done again.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::audit::Actor;
use crate::ids::{ImportId, OrganizationId, PortalUserId};
use crate::use_cases::MemberOutcome;

/// Rows a chunk holds: one chunk is one round of reads and bulk writes.
pub const CHUNK_ROWS: usize = 100;

/// How long a worker holds a job without finishing a chunk before another may take it.
pub const LEASE: Duration = Duration::seconds(60);

/// Tries of one chunk that fail on the store (not on a rule) before the job is `failed`.
pub const MAX_FAILURES: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Queued,
    Running,
    Done,
    /// The store kept failing on one chunk; the rows before it are imported.
    Failed,
}

/// How many rows ended how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportCounts {
    pub invited: u32,
    pub added: u32,
    pub already_member: u32,
    pub invalid: u32,
}

impl ImportCounts {
    fn count(&mut self, outcome: MemberOutcome) {
        match outcome {
            MemberOutcome::Invited => self.invited += 1,
            MemberOutcome::Added => self.added += 1,
            MemberOutcome::AlreadyMember => self.already_member += 1,
            MemberOutcome::Invalid => self.invalid += 1,
        }
    }
}

/// Who holds a job, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportClaim {
    pub owner: String,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJob {
    pub id: ImportId,
    pub status: ImportStatus,
    pub file_name: String,
    /// Rows of the file (blank ones aside).
    pub total: u32,
    pub processed: u32,
    pub counts: ImportCounts,
    pub organization_id: Option<OrganizationId>,
    pub send_invitations: bool,
    pub chunks: u32,
    /// The first chunk without results.
    pub next_chunk: u32,
    /// The staff member who uploaded the file: new contacts and users record them.
    pub created_by: Actor,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    pub claim: Option<ImportClaim>,
    /// Failed tries of the current chunk.
    pub failures: u32,
    pub version: u64,
}

/// A row as the file gave it (trimmed), with why it cannot be used, if it cannot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The row's number in the file, as a spreadsheet shows it (the header is row 1).
    pub row: u32,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub roles: Vec<String>,
    pub external_ref: Option<String>,
    pub problem: Option<String>,
}

/// How one row ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowResult {
    pub row: u32,
    pub email: Option<String>,
    pub outcome: MemberOutcome,
    pub portal_user_id: Option<PortalUserId>,
    pub reason: Option<String>,
}

/// Up to [`CHUNK_ROWS`] rows of a job, in file order, with their results once done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportChunk {
    pub import_id: ImportId,
    pub index: u32,
    pub rows: Vec<ImportRow>,
    pub results: Option<Vec<RowResult>>,
}

/// What staff chose when uploading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRequest {
    pub file_name: String,
    pub rows: Vec<ImportRow>,
    pub organization_id: Option<OrganizationId>,
    pub send_invitations: bool,
}

impl ImportJob {
    /// The job and its chunks for `request`.
    pub fn new(
        id: ImportId,
        request: &ImportRequest,
        created_by: Actor,
        now: OffsetDateTime,
    ) -> (Self, Vec<ImportChunk>) {
        let chunks: Vec<ImportChunk> = request
            .rows
            .chunks(CHUNK_ROWS)
            .zip(0..)
            .map(|(rows, index)| ImportChunk {
                import_id: id.clone(),
                index,
                rows: rows.to_vec(),
                results: None,
            })
            .collect();
        let job = Self {
            id,
            status: ImportStatus::Queued,
            file_name: request.file_name.clone(),
            total: u32::try_from(request.rows.len()).unwrap_or(u32::MAX),
            processed: 0,
            counts: ImportCounts::default(),
            organization_id: request.organization_id.clone(),
            send_invitations: request.send_invitations,
            chunks: u32::try_from(chunks.len()).unwrap_or(u32::MAX),
            next_chunk: 0,
            created_by,
            created_at: now,
            finished_at: None,
            claim: None,
            failures: 0,
            version: 1,
        };
        (job, chunks)
    }

    pub fn is_open(&self) -> bool {
        matches!(self.status, ImportStatus::Queued | ImportStatus::Running)
    }

    /// The next version held by `owner` for a [`LEASE`], if the job is open and nobody
    /// else holds it now.
    pub fn claimed(&self, owner: &str, now: OffsetDateTime) -> Option<Self> {
        let held_by_another = self
            .claim
            .as_ref()
            .is_some_and(|claim| claim.owner != owner && claim.until > now);
        if !self.is_open() || held_by_another {
            return None;
        }
        Some(Self {
            status: ImportStatus::Running,
            claim: Some(ImportClaim {
                owner: owner.to_owned(),
                until: now + LEASE,
            }),
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The next version with the current chunk's `results` counted, the lease renewed,
    /// and `done` once it was the last chunk.
    pub fn chunk_done(&self, results: &[RowResult], now: OffsetDateTime) -> Self {
        let mut next = Self {
            processed: self.processed + u32::try_from(results.len()).unwrap_or(u32::MAX),
            next_chunk: self.next_chunk + 1,
            failures: 0,
            version: self.version + 1,
            ..self.clone()
        };
        for result in results {
            next.counts.count(result.outcome);
        }
        if let Some(claim) = &mut next.claim {
            claim.until = now + LEASE;
        }
        if next.next_chunk >= next.chunks {
            next.status = ImportStatus::Done;
            next.finished_at = Some(now);
            next.claim = None;
        }
        next
    }

    /// The next version after a try of the current chunk failed on the store: released
    /// for another try, or `failed` after [`MAX_FAILURES`].
    pub fn chunk_failed(&self, now: OffsetDateTime) -> Self {
        let mut next = Self {
            failures: self.failures + 1,
            claim: None,
            version: self.version + 1,
            ..self.clone()
        };
        if next.failures >= MAX_FAILURES {
            next.status = ImportStatus::Failed;
            next.finished_at = Some(now);
        }
        next
    }

    /// The next version let go of (a worker out of time), for the next worker at once.
    pub fn released(&self) -> Self {
        Self {
            claim: None,
            version: self.version + 1,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

    fn job(rows: usize) -> (ImportJob, Vec<ImportChunk>) {
        let request = ImportRequest {
            file_name: "people.csv".into(),
            rows: (0..rows)
                .map(|row| ImportRow {
                    row: u32::try_from(row).unwrap() + 2,
                    ..ImportRow::default()
                })
                .collect(),
            organization_id: None,
            send_invitations: false,
        };
        let actor = Actor {
            subject: "staff".into(),
            name: None,
        };
        ImportJob::new(crate::testing::id("i"), &request, actor, NOW)
    }

    fn results(chunk: &ImportChunk, outcome: MemberOutcome) -> Vec<RowResult> {
        chunk
            .rows
            .iter()
            .map(|row| RowResult {
                row: row.row,
                email: None,
                outcome,
                portal_user_id: None,
                reason: None,
            })
            .collect()
    }

    #[test]
    fn rows_are_chunked_in_file_order() {
        let (job, chunks) = job(250);
        assert_eq!((job.total, job.chunks), (250, 3));
        let sizes: Vec<usize> = chunks.iter().map(|chunk| chunk.rows.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(chunks[1].rows[0].row, 102);
        assert_eq!(job.status, ImportStatus::Queued);
    }

    #[test]
    fn a_job_is_held_by_one_worker_until_its_lease_lapses() {
        let (job, _) = job(1);
        let held = job.claimed("a", NOW).unwrap();
        assert_eq!(held.status, ImportStatus::Running);
        assert_eq!(held.version, 2);
        assert!(held.claimed("b", NOW + Duration::seconds(59)).is_none());
        assert!(held.claimed("a", NOW + Duration::seconds(59)).is_some());
        assert!(held.claimed("b", NOW + LEASE).is_some());
    }

    #[test]
    fn each_chunk_done_counts_its_rows_and_the_last_finishes_the_job() {
        let (job, chunks) = job(150);
        let held = job.claimed("a", NOW).unwrap();
        let first = held.chunk_done(&results(&chunks[0], MemberOutcome::Invited), NOW);
        assert_eq!((first.processed, first.next_chunk), (100, 1));
        assert_eq!(first.status, ImportStatus::Running);
        let last = first.chunk_done(&results(&chunks[1], MemberOutcome::Invalid), NOW);
        assert_eq!(last.status, ImportStatus::Done);
        assert_eq!(last.finished_at, Some(NOW));
        assert_eq!(last.claim, None);
        assert_eq!(
            last.counts,
            ImportCounts {
                invited: 100,
                invalid: 50,
                ..ImportCounts::default()
            }
        );
        assert!(last.claimed("b", NOW).is_none());
    }

    #[test]
    fn a_chunk_that_keeps_failing_fails_the_job() {
        let (job, _) = job(1);
        let mut current = job.claimed("a", NOW).unwrap();
        for _ in 1..MAX_FAILURES {
            current = current.chunk_failed(NOW);
            assert_eq!(current.status, ImportStatus::Running);
            assert_eq!(current.claim, None);
            current = current.claimed("a", NOW).unwrap();
        }
        let failed = current.chunk_failed(NOW);
        assert_eq!(failed.status, ImportStatus::Failed);
        assert!(!failed.is_open());
    }
}

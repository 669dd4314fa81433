//! Import jobs and their chunks in process, with the same rules as on DynamoDB.

use async_trait::async_trait;
use portal_domain::StoreError;
use portal_domain::ids::ImportId;
use portal_domain::import::{ImportChunk, ImportJob};
use portal_domain::ports::ImportStore;

use super::EmbeddedStore;
use super::state::{Change, State, chunk_key};

#[async_trait]
impl ImportStore for EmbeddedStore {
    async fn create_import(
        &self,
        job: &ImportJob,
        chunks: &[ImportChunk],
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            if state.imports.contains_key(&job.id) {
                return Err(StoreError::ConditionFailed);
            }
            let mut changes: Vec<Change> =
                chunks.iter().cloned().map(Change::ImportChunk).collect();
            changes.push(Change::Import(job.clone()));
            Ok(changes)
        })
    }

    async fn import(&self, id: &ImportId) -> Result<Option<ImportJob>, StoreError> {
        Ok(self.read(|state| state.imports.get(id).cloned()))
    }

    async fn update_import(&self, next: &ImportJob) -> Result<(), StoreError> {
        self.commit(|state| {
            expect_previous_version(state, next)?;
            Ok(vec![Change::Import(next.clone())])
        })
    }

    async fn open_imports(&self, limit: u32) -> Result<Vec<ImportJob>, StoreError> {
        Ok(self.read(|state| {
            let mut open: Vec<ImportJob> = state
                .imports
                .values()
                .filter(|job| job.is_open())
                .cloned()
                .collect();
            open.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            open.truncate(limit as usize);
            open
        }))
    }

    async fn import_chunks(
        &self,
        id: &ImportId,
        from: u32,
        limit: u32,
    ) -> Result<Vec<ImportChunk>, StoreError> {
        Ok(self.read(|state| {
            state
                .import_chunks
                .range(chunk_key(id, from)..)
                .take_while(|(_, chunk)| chunk.import_id == *id)
                .take(limit as usize)
                .map(|(_, chunk)| chunk.clone())
                .collect()
        }))
    }

    async fn finish_import_chunk(
        &self,
        next: &ImportJob,
        chunk: &ImportChunk,
    ) -> Result<(), StoreError> {
        #[cfg(feature = "testing")]
        self.refusing_chunk_results()?;
        self.commit(|state| {
            expect_previous_version(state, next)?;
            match state
                .import_chunks
                .get(&chunk_key(&chunk.import_id, chunk.index))
            {
                Some(stored) if stored.results.is_none() => {}
                _ => return Err(StoreError::ConditionFailed),
            }
            Ok(vec![
                Change::ImportChunk(chunk.clone()),
                Change::Import(next.clone()),
            ])
        })
    }
}

/// `ConditionFailed` unless the stored job is the version `next` was made from.
fn expect_previous_version(state: &State, next: &ImportJob) -> Result<(), StoreError> {
    match state.imports.get(&next.id) {
        Some(stored) if stored.version + 1 == next.version => Ok(()),
        _ => Err(StoreError::ConditionFailed),
    }
}

#[cfg(feature = "testing")]
impl EmbeddedStore {
    /// Refuses the next `count` chunk results as if the store were down: a worker then
    /// stops with the chunk's members written and its results not, as one that crashed
    /// right there would. For the tests that show a job resumes without duplicates.
    pub fn refuse_chunk_results(&self, count: u32) {
        self.refused_chunk_results
            .store(count, std::sync::atomic::Ordering::SeqCst);
    }

    fn refusing_chunk_results(&self) -> Result<(), StoreError> {
        use std::sync::atomic::Ordering;
        let refused =
            self.refused_chunk_results
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                    left.checked_sub(1)
                });
        match refused {
            Ok(_) => Err(StoreError::Unavailable(
                "chunk results refused by the test".into(),
            )),
            Err(_) => Ok(()),
        }
    }
}

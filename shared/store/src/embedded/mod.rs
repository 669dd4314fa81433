//! The store port in process, for laptops and tests: all state under one mutex, so every
//! port method is atomic, optionally persisted in an append-only journal.

mod accounts;
mod approval;
mod contacts;
mod imports;
mod journal;
mod membership;
mod oidc;
mod outbox;
mod ports;
mod queue;
mod staff_sessions;
mod state;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use portal_domain::StoreError;

use self::journal::Journal;
use self::state::{Change, State};
use crate::OutboxStatus;

pub struct EmbeddedStore {
    inner: Mutex<Inner>,
    /// Chunk results to refuse as if the store were down (see
    /// [`EmbeddedStore::refuse_chunk_results`]).
    #[cfg(feature = "testing")]
    refused_chunk_results: std::sync::atomic::AtomicU32,
}

struct Inner {
    state: State,
    /// `None` in memory.
    journal: Option<Journal>,
}

impl EmbeddedStore {
    /// A store kept in `path` (created if missing): what was committed before a restart is
    /// there again. One process at a time may hold the file.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let mut state = State::default();
        let journal = Journal::open(path, |changes| state.apply(changes))?;
        Ok(Self::with(state, Some(journal)))
    }

    /// A store that forgets everything when dropped.
    pub fn in_memory() -> Self {
        Self::with(State::default(), None)
    }

    fn with(state: State, journal: Option<Journal>) -> Self {
        Self {
            inner: Mutex::new(Inner { state, journal }),
            #[cfg(feature = "testing")]
            refused_chunk_results: Default::default(),
        }
    }

    /// The whole state as JSON, in a stable order: equal states give equal values, so a
    /// test can show that a refused request changed nothing.
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(&self.lock().state)
            .expect("the state is plain data and always serializes")
    }

    /// Whether a message is still waiting for delivery; `None` if there is no such message.
    pub async fn outbox_status(&self, id: &str) -> Result<Option<OutboxStatus>, StoreError> {
        Ok(self.lock().state.outbox.get(id).map(|entry| entry.status))
    }

    fn read<T>(&self, read: impl FnOnce(&State) -> T) -> T {
        read(&self.lock().state)
    }

    /// One transition: `decide` checks its conditions against the current state and names
    /// the entities' new states; they are journaled, then applied. A refusal or a failed
    /// append changes nothing.
    fn commit(
        &self,
        decide: impl FnOnce(&State) -> Result<Vec<Change>, StoreError>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let Inner { state, journal } = &mut *inner;
        let changes = decide(state)?;
        // An idempotent write that found its work done (a second revocation) changes nothing.
        if changes.is_empty() {
            return Ok(());
        }
        if let Some(journal) = journal {
            journal.append(&changes)?;
        }
        state.apply(changes);
        Ok(())
    }

    /// A panic while the lock was held cannot have left the state half-changed (it is only
    /// changed by `apply`, after every check), so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

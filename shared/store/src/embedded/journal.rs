//! The embedded store's file: one JSON line per committed transition, listing the full new
//! state of every entity it changed. Appending is one `write` per transition (no rewrite of
//! the file), and replaying the lines in order rebuilds the state.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use portal_domain::StoreError;

use super::state::Change;

pub(super) struct Journal {
    file: File,
    path: PathBuf,
    /// Reused for every line, so a commit does not allocate for serialization.
    line: Vec<u8>,
    /// Set when an append failed: the file may end in a partial line, and anything appended
    /// after it would be unreadable, so the store refuses writes until it is reopened.
    broken: Option<String>,
}

impl Journal {
    /// Opens (creating it and its directory if needed) and hands every committed transition
    /// to `replay`, oldest first. Locks the file, so two processes cannot interleave lines.
    pub fn open(path: &Path, mut replay: impl FnMut(Vec<Change>)) -> io::Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        file.try_lock().map_err(|error| match error {
            TryLockError::WouldBlock => io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("{} is in use by another process", path.display()),
            ),
            TryLockError::Error(error) => error,
        })?;

        let mut reader = BufReader::new(&file);
        let mut line = Vec::new();
        let mut committed = 0u64;
        let mut number = 0usize;
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            if read == 0 {
                break;
            }
            if line.last() != Some(&b'\n') {
                // The process stopped in the middle of an append: that transition never
                // committed. Cut it off so the next line starts clean.
                tracing::warn!(path = %path.display(), "dropping an incomplete last journal line");
                file.set_len(committed)?;
                break;
            }
            number += 1;
            let changes = serde_json::from_slice(&line).map_err(|error| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} line {number}: {error}", path.display()),
                )
            })?;
            replay(changes);
            committed += read as u64;
        }

        Ok(Self {
            file,
            path: path.to_owned(),
            line: Vec::new(),
            broken: None,
        })
    }

    /// Records one transition; it counts as committed once this returns `Ok`.
    pub fn append(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        if let Some(reason) = &self.broken {
            return Err(StoreError::Unavailable(format!(
                "journal {} failed earlier ({reason}); reopen the store",
                self.path.display()
            )));
        }
        self.line.clear();
        serde_json::to_writer(&mut self.line, changes)
            .map_err(|error| StoreError::Unavailable(format!("journal record: {error}")))?;
        self.line.push(b'\n');
        // No fsync: a local store only needs to survive the process, not the machine.
        if let Err(error) = self.file.write_all(&self.line) {
            self.broken = Some(error.to_string());
            return Err(StoreError::Unavailable(format!(
                "journal {}: {error}",
                self.path.display()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::state::{State, UsernameGuard};
    use portal_domain::types::EmailAddress;

    fn guard(n: u32) -> Change {
        Change::Username(UsernameGuard {
            username: portal_domain::types::Username::of_email(
                &EmailAddress::parse(&format!("user{n}@example.com")).unwrap(),
            ),
            portal_user_id: portal_domain::testing::id(&format!("u{n}")),
        })
    }

    fn replayed(path: &Path) -> State {
        let mut state = State::default();
        Journal::open(path, |changes| state.apply(changes)).unwrap();
        state
    }

    #[test]
    fn appended_transitions_replay_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/store.jsonl");
        let mut journal = Journal::open(&path, |_| panic!("a new journal is empty")).unwrap();
        journal.append(&[guard(1), guard(2)]).unwrap();
        journal.append(&[guard(3)]).unwrap();
        drop(journal);
        assert_eq!(replayed(&path).usernames.len(), 3);
    }

    #[test]
    fn an_incomplete_last_line_is_dropped_and_later_appends_stay_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.jsonl");
        let mut journal = Journal::open(&path, |_| {}).unwrap();
        journal.append(&[guard(1)]).unwrap();
        drop(journal);
        OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(br#"[{"username":{"usern"#)
            .unwrap();

        let mut state = State::default();
        let mut journal = Journal::open(&path, |changes| state.apply(changes)).unwrap();
        assert_eq!(state.usernames.len(), 1);
        journal.append(&[guard(2)]).unwrap();
        drop(journal);
        assert_eq!(replayed(&path).usernames.len(), 2);
    }

    #[test]
    fn a_corrupt_complete_line_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.jsonl");
        std::fs::write(&path, "[]\nnot json\n").unwrap();
        let error = Journal::open(&path, |_| {}).err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("line 2"), "{error}");
    }

    #[test]
    fn a_journal_open_in_another_store_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.jsonl");
        let _first = Journal::open(&path, |_| {}).unwrap();
        let error = Journal::open(&path, |_| {}).err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::WouldBlock);
    }
}

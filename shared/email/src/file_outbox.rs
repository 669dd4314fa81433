//! The mailer of `portal-local`: every email becomes one JSON line in a file, which
//! `GET /dev/outbox` and the black-box tests read back.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use portal_domain::outbox::OutboxMessage;
use portal_domain::ports::{MailError, Mailer};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

use crate::{EmailConfig, render};

/// One line of the outbox file, as `GET /dev/outbox` shows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DeliveredEmail {
    pub id: String,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// When the message was written to the outbox (RFC 3339), not when it was appended.
    pub created_at: String,
}

pub struct FileOutbox {
    path: PathBuf,
    config: EmailConfig,
    /// Opened on the first send and kept open: one `write` per send, no reopening.
    /// A std mutex because nothing awaits while it is held.
    file: Mutex<Option<File>>,
}

impl FileOutbox {
    pub fn new(path: impl Into<PathBuf>, config: EmailConfig) -> Self {
        Self {
            path: path.into(),
            config,
            file: Mutex::new(None),
        }
    }

    /// Every email sent so far, oldest first; none when the file does not exist yet.
    pub fn read_all(&self) -> io::Result<Vec<DeliveredEmail>> {
        // Holding the lock means no line is read half-written.
        let _writing = self.lock();
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        let mut emails = Vec::new();
        for line in BufReader::new(file).lines() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            emails.push(serde_json::from_str(&line).map_err(io::Error::other)?);
        }
        Ok(emails)
    }

    fn append(&self, line: &[u8]) -> io::Result<()> {
        let mut file = self.lock();
        if file.is_none() {
            if let Some(dir) = self.path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let opened = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            *file = Some(opened);
        }
        let file = file.as_mut().expect("opened above");
        // One unbuffered write of the whole line: nothing lingers in a buffer to flush.
        file.write_all(line)?;
        file.flush()
    }

    fn lock(&self) -> MutexGuard<'_, Option<File>> {
        // A panic while appending leaves at worst a torn last line; keep going.
        self.file.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Mailer for FileOutbox {
    async fn send(&self, message: &OutboxMessage) -> Result<(), MailError> {
        // A message that cannot be rendered (an invitation whose seal does not open) is
        // refused before anything is written or sent, so it stays pending in the outbox.
        let rendered = render(message, &self.config)?;
        let created_at = message
            .created_at
            .format(&Rfc3339)
            .map_err(|error| MailError(format!("created_at cannot be formatted: {error}")))?;
        let email = DeliveredEmail {
            id: message.id.clone(),
            kind: message.content.kind().to_owned(),
            to: message.to.to_string(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            created_at,
        };
        let mut line = serde_json::to_vec(&email).map_err(|error| MailError(error.to_string()))?;
        line.push(b'\n');
        self.append(&line).map_err(|error| {
            MailError(format!(
                "cannot append to the outbox {}: {error}",
                self.path.display()
            ))
        })
    }
}

//! The staff review queue, kept alike by both adapters: requests listed by status, newest
//! first, a page at a time. Both use these list names, positions and cursors, so they order
//! and page identically and a cursor does not tell which adapter made it.

use portal_domain::StoreError;
use portal_domain::page::Page;
use portal_domain::registration::{QUEUE_SEARCH_READS_PER_MATCH, Registration, RegistrationStatus};

use crate::{cursor, sortable};

/// The list of requests in `status` (in DynamoDB, the index partition).
pub(crate) fn list(status: RegistrationStatus) -> String {
    format!("REGSTATUS#{}", status.as_str())
}

/// A request's place on its list; lists are read from the greatest place down.
pub(crate) fn position(registration: &Registration) -> String {
    sortable::by_creation(registration.created_at(), registration.id().as_str())
}

pub(crate) use crate::cursor::Resume;

/// Reads a cursor that a page of `status`'s list handed out: the page starts right after
/// (older than) the request it names.
pub(crate) fn resume(status: RegistrationStatus, cursor: &str) -> Result<Resume, StoreError> {
    cursor::resume(&list(status), cursor)
}

/// How many requests to read for a page of `limit`: one more, only to learn whether a
/// next page exists, so the last page never hands out a cursor to an empty one.
pub(crate) fn read_limit(limit: u32) -> u32 {
    limit.saturating_add(1)
}

/// A page from the requests read (in list order, at most [`read_limit`]); see
/// [`cursor::page`].
pub(crate) fn page(
    status: RegistrationStatus,
    read: Vec<Registration>,
    limit: u32,
    cut_short: bool,
) -> Page<Registration> {
    cursor::page(&list(status), read, limit, cut_short, position)
}

/// A search's page, gathered from the requests read in list order.
pub(crate) struct SearchPage<'a> {
    status: RegistrationStatus,
    key: &'a str,
    limit: usize,
    reads_left: u32,
    found: Vec<Registration>,
    last_read: Option<String>,
}

impl<'a> SearchPage<'a> {
    pub fn new(status: RegistrationStatus, key: &'a str, limit: u32) -> Self {
        Self {
            status,
            key,
            limit: limit as usize,
            reads_left: limit.saturating_mul(QUEUE_SEARCH_READS_PER_MATCH),
            found: Vec::new(),
            last_read: None,
        }
    }

    /// How many more requests this page may read.
    pub fn reads_left(&self) -> u32 {
        self.reads_left
    }

    /// Takes the next request read; `false` once the page is decided: one match more than
    /// it shows (so there is a next page), or no reads left.
    pub fn read(&mut self, registration: Registration) -> bool {
        self.reads_left = self.reads_left.saturating_sub(1);
        self.last_read = Some(position(&registration));
        if registration.matches(self.key) {
            self.found.push(registration);
        }
        self.found.len() <= self.limit && self.reads_left > 0
    }

    /// The page; `list_ended` when nothing is left after the last request read.
    pub fn finish(self, list_ended: bool) -> Page<Registration> {
        let list = list(self.status);
        if self.found.len() > self.limit {
            // The next page starts at the match this one could not show.
            return cursor::page(&list, self.found, self.limit as u32, false, position);
        }
        let next_cursor = self
            .last_read
            .filter(|_| !list_ended)
            .map(|last| cursor::encode(&list, &last));
        Page {
            items: self.found,
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use portal_adapters::OsRandomness;
    use portal_domain::registration::RegistrationForm;
    use portal_domain::types::{EmailAddress, Locale, PersonName};
    use portal_domain::verification_code::VerificationCode;
    use time::macros::datetime;

    use portal_domain::ids::RegistrationId;

    use super::*;

    /// A request whose id is `digit` 32 times, so ids sort as their digits.
    fn registration(digit: char) -> Registration {
        let form = RegistrationForm {
            first_name: PersonName::parse("Ada").unwrap(),
            last_name: PersonName::parse("Lovelace").unwrap(),
            email: EmailAddress::parse("ada@example.com").unwrap(),
            phone: None,
            company: None,
            locale: Locale::default(),
        };
        let code = VerificationCode::generate(&OsRandomness);
        let now = datetime!(2026-03-01 09:00:00 UTC);
        let id = RegistrationId::parse(&digit.to_string().repeat(32)).unwrap();
        Registration::submit(id, form, &code, false, now)
    }

    #[test]
    fn the_cursor_of_a_full_page_resumes_after_its_last_request() {
        let status = RegistrationStatus::PendingVerification;
        let read = vec![registration('3'), registration('2'), registration('1')];

        let page = page(status, read, 2, false);

        assert_eq!(page.items.len(), 2);
        let resume = resume(status, page.next_cursor.as_deref().unwrap()).unwrap();
        assert_eq!(resume.id, "2".repeat(32));
        assert_eq!(resume.position, position(&registration('2')));
    }

    #[test]
    fn the_last_page_has_no_cursor_unless_the_read_was_cut_short() {
        let status = RegistrationStatus::New;
        let read = || vec![registration('2'), registration('1')];

        assert_eq!(page(status, read(), 2, false).next_cursor, None);
        assert_eq!(page(status, Vec::new(), 2, true).next_cursor, None);
        assert!(page(status, read(), 2, true).next_cursor.is_some());
    }

    #[test]
    fn a_cursor_of_another_status_or_with_a_foreign_position_is_invalid() {
        let cursor = cursor::encode(&list(RegistrationStatus::New), "r1");
        let other_status = page(
            RegistrationStatus::Resolved,
            vec![registration('2'), registration('1')],
            1,
            false,
        )
        .next_cursor
        .unwrap();
        for cursor in [cursor, other_status] {
            assert!(matches!(
                resume(RegistrationStatus::New, &cursor),
                Err(StoreError::InvalidCursor)
            ));
        }
    }
}

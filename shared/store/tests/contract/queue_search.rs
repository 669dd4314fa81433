//! Searching the review queue: the requests of one status whose name, email or company
//! contains the text, newest first, a page at a time, each read bounded.

use portal_adapters::OsRandomness;
use portal_domain::ids::RegistrationId;
use portal_domain::page::{Page, PageRequest};
use portal_domain::registration::{Registration, RegistrationStatus};
use portal_domain::types::EmailAddress;
use time::Duration;

use crate::support::{Subject, form, new_email, now, request_from, verified_in, verified_request};

const NEW: RegistrationStatus = RegistrationStatus::New;

/// A verified request of this person, `seconds` after an hour ago.
async fn person(
    store: &impl Subject,
    first: &str,
    last: &str,
    email: &EmailAddress,
    company: Option<&str>,
    seconds: i64,
) -> Registration {
    let at = now() - Duration::hours(1) + Duration::seconds(seconds);
    let id = RegistrationId::generate(&OsRandomness);
    verified_request(
        store,
        request_from(id, form(first, last, email, company), at),
        at,
    )
    .await
}

/// Every page of a search, following the cursors to the end.
async fn all_pages(store: &impl Subject, key: &str, limit: u32) -> Vec<Page<Registration>> {
    let mut pages: Vec<Page<Registration>> = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .search_registrations(NEW, key, &PageRequest { limit, cursor })
            .await
            .unwrap();
        assert!(page.items.len() <= limit as usize);
        cursor = page.next_cursor.clone();
        pages.push(page);
        assert!(pages.len() <= 100, "the cursors go round in circles");
        if cursor.is_none() {
            return pages;
        }
    }
}

fn ids(pages: &[Page<Registration>]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|page| page.items.iter().map(|r| r.id().to_string()))
        .collect()
}

pub async fn a_queue_search_finds_requests_by_name_email_or_company(store: &impl Subject) {
    let grace_email = new_email();
    let grace = person(store, "Grace", "Hopper", &grace_email, Some("US Navy"), 1).await;
    let ada = person(
        store,
        "Ada",
        "Lovelace",
        &new_email(),
        Some("Analytical  Engines"),
        2,
    )
    .await;
    let alan = person(store, "Alan", "Turing", &new_email(), None, 3).await;
    let local_part = grace_email.to_string();
    let local_part = local_part.split('@').next().unwrap();

    for (key, found) in [
        ("hopper", vec![&grace]),
        ("grace hop", vec![&grace]),
        ("analytical engines", vec![&ada]),
        (local_part, vec![&grace]),
        ("a", vec![&alan, &ada, &grace]),
        ("turing", vec![&alan]),
        ("nobody", vec![]),
    ] {
        let pages = all_pages(store, key, 50).await;
        let expected: Vec<String> = found.iter().map(|r| r.id().to_string()).collect();
        assert_eq!(ids(&pages), expected, "{key}");
    }
    // Another status's list is not searched.
    let pending = store
        .search_registrations(
            RegistrationStatus::PendingVerification,
            "hopper",
            &PageRequest {
                limit: 50,
                cursor: None,
            },
        )
        .await
        .unwrap();
    assert!(pending.items.is_empty() && pending.next_cursor.is_none());
}

pub async fn a_queue_search_pages_through_every_match_once_newest_first(store: &impl Subject) {
    let mut matching = Vec::new();
    for n in 0..15 {
        if n % 2 == 0 {
            let found = person(store, "Mary", "Jackson", &new_email(), None, n).await;
            matching.push(found.id().to_string());
        } else {
            verified_in(store, now() - Duration::hours(1) + Duration::seconds(n)).await;
        }
    }
    matching.reverse();

    let pages = all_pages(store, "jackson", 3).await;

    assert_eq!(ids(&pages), matching);
}

pub async fn a_queue_search_reads_a_bounded_number_of_requests_per_page(store: &impl Subject) {
    // The one match is older than 25 requests that are not: a page of one reads at most 10.
    let needle = person(store, "Katherine", "Johnson", &new_email(), None, 0).await;
    for n in 1..=25 {
        verified_in(store, now() - Duration::hours(1) + Duration::seconds(n)).await;
    }

    let first = store
        .search_registrations(
            NEW,
            "johnson",
            &PageRequest {
                limit: 1,
                cursor: None,
            },
        )
        .await
        .unwrap();
    let pages = all_pages(store, "johnson", 1).await;

    assert!(first.items.is_empty(), "nothing among the first 10 read");
    assert!(first.next_cursor.is_some(), "with a cursor to read on");
    assert_eq!(ids(&pages), [needle.id().to_string()]);
    assert!(
        pages.len() >= 3,
        "26 requests take at least 3 pages of 10 reads"
    );
}

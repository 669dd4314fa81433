//! The review queue: newest first, a page at a time, nothing lost or repeated, each
//! status its own list, and only the queue's own cursors accepted.

use portal_domain::StoreError;
use portal_domain::page::{Page, PageRequest};
use portal_domain::registration::{Registration, RegistrationStatus};
use time::Duration;

use crate::support::{Subject, new_email, now, request, verified_in};

const QUEUED: usize = 120;

/// `new` verified and `unverified` unverified requests, their creation times interleaved
/// a second apart, and the ids of each list as it must read: newest first.
async fn queue(store: &impl Subject, new: usize, unverified: usize) -> (Vec<String>, Vec<String>) {
    let start = now() - Duration::hours(1);
    let mut verified_ids = Vec::new();
    for n in 0..new {
        let at = start + Duration::seconds(2 * n as i64);
        verified_ids.push(verified_in(store, at).await.id().to_string());
    }
    let mut unverified_ids = Vec::new();
    for n in 0..unverified {
        let request = request(&new_email(), start + Duration::seconds(2 * n as i64 + 1));
        store.submit(&request).await.unwrap();
        unverified_ids.push(request.registration.id().to_string());
    }
    verified_ids.reverse();
    unverified_ids.reverse();
    (verified_ids, unverified_ids)
}

/// Every page of a list, following the cursors to the end.
async fn all_pages(
    store: &impl Subject,
    status: RegistrationStatus,
    limit: u32,
) -> Vec<Page<Registration>> {
    let mut pages: Vec<Page<Registration>> = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .registrations_by_status(status, &PageRequest { limit, cursor })
            .await
            .unwrap();
        cursor = page.next_cursor.clone();
        pages.push(page);
        assert!(pages.len() <= QUEUED + 1, "the cursors go round in circles");
        if cursor.is_none() {
            return pages;
        }
    }
}

fn ids(pages: &[Page<Registration>]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|page| {
            page.items
                .iter()
                .map(|registration| registration.id().to_string())
        })
        .collect()
}

pub async fn the_queue_pages_newest_first_without_losing_or_repeating_a_request(
    store: &impl Subject,
) {
    let (new, unverified) = queue(store, QUEUED, 9).await;

    for limit in [50, 7, 40] {
        let pages = all_pages(store, RegistrationStatus::New, limit).await;

        assert_eq!(ids(&pages), new, "pages of {limit}");
        // Full pages, and no empty page after the last one (40 divides 120).
        assert_eq!(
            pages.len(),
            QUEUED.div_ceil(limit as usize),
            "pages of {limit}"
        );
        let (last, full) = pages.split_last().unwrap();
        assert!(full.iter().all(|page| page.items.len() == limit as usize));
        assert!(!last.items.is_empty());
        let listed: Vec<&Registration> = pages.iter().flat_map(|page| &page.items).collect();
        assert!(
            listed
                .windows(2)
                .all(|w| w[0].created_at() > w[1].created_at())
        );
        assert!(listed.iter().all(|r| r.status() == RegistrationStatus::New));
    }
    let pages = all_pages(store, RegistrationStatus::PendingVerification, 50).await;
    assert_eq!(ids(&pages), unverified);
}

pub async fn a_list_without_requests_is_one_empty_page(store: &impl Subject) {
    queue(store, 1, 1).await;

    let page = store
        .registrations_by_status(RegistrationStatus::Resolved, &PageRequest::first(50))
        .await
        .unwrap();

    assert_eq!(page.items, Vec::new());
    assert_eq!(page.next_cursor, None);
}

pub async fn a_cursor_of_another_list_or_no_cursor_at_all_is_refused(store: &impl Subject) {
    queue(store, 2, 2).await;
    let first = store
        .registrations_by_status(RegistrationStatus::New, &PageRequest::first(1))
        .await
        .unwrap();
    let cursor = first.next_cursor.expect("a second new request");
    let foreign = [
        (RegistrationStatus::PendingVerification, cursor.clone()),
        (RegistrationStatus::Resolved, cursor),
    ];
    let garbage = ["", "not a cursor!", "bm90IGEgY3Vyc29y", "%%%", "AAAA"]
        .map(|cursor| (RegistrationStatus::New, cursor.to_owned()));

    for (status, cursor) in foreign.into_iter().chain(garbage) {
        let page = PageRequest {
            limit: 10,
            cursor: Some(cursor.clone()),
        };
        let result = store.registrations_by_status(status, &page).await;
        assert!(
            matches!(result, Err(StoreError::InvalidCursor)),
            "{cursor:?} on {status:?}: {result:?}"
        );
    }
}

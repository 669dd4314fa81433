//! Delivery of the outbox: claims, the sent mark, backoff and the dead list. Every step is
//! conditional on who holds the message, so no two deliverers both send it.

use portal_domain::StoreError;
use portal_domain::audit::{AuditAction, AuditEvent};
use portal_domain::outbox::{
    CLAIM_LEASE, DeliveryClaim, DeliveryFailure, FIRST_TRY_LEASE, FIRST_TRY_OWNER,
};
use portal_domain::page::PageRequest;
use portal_store::OutboxStatus;
use time::{Duration, OffsetDateTime};

use crate::support::{Request, Subject, join_all, new_email, now, request, staff};

fn claim(owner: &str, now: OffsetDateTime) -> DeliveryClaim {
    DeliveryClaim {
        owner: owner.to_owned(),
        until: now + CLAIM_LEASE,
    }
}

/// A submitted request whose email the mailer has to deliver (no first try).
async fn submitted_for_mailer(store: &impl Subject, at: OffsetDateTime) -> Request {
    let mut request = request(&new_email(), at);
    request.email = request.email.for_mailer();
    store.submit(&request).await.unwrap();
    request
}

fn retry_at(at: OffsetDateTime) -> DeliveryFailure {
    DeliveryFailure::RetryAt {
        at,
        error: "SES said no".into(),
    }
}

pub async fn a_new_email_is_held_for_its_first_try_until_the_claim_lapses(store: &impl Subject) {
    let at = now();
    let request = request(&new_email(), at);
    store.submit(&request).await.unwrap();
    let id = &request.email.id;

    assert_eq!(
        store.due_emails(at, 10).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store
            .claim_email(id, &claim("mailer", at), at)
            .await
            .unwrap(),
        None
    );

    // The committer died before sending: its claim lapses and the mailer takes over.
    let later = at + FIRST_TRY_LEASE + Duration::seconds(1);
    assert_eq!(store.due_emails(later, 10).await.unwrap(), vec![id.clone()]);
    let claimed = store
        .claim_email(id, &claim("mailer", later), later)
        .await
        .unwrap()
        .expect("a lapsed claim can be taken");
    assert_eq!(claimed.message, request.email);
    assert_eq!(claimed.attempts, 2, "the first try counts");
}

pub async fn emails_left_to_the_mailer_are_due_at_once_oldest_first(store: &impl Subject) {
    let at = now();
    let newest = submitted_for_mailer(store, at).await;
    let oldest = submitted_for_mailer(store, at - Duration::minutes(2)).await;
    let middle = submitted_for_mailer(store, at - Duration::minutes(1)).await;

    let due = store.due_emails(at, 10).await.unwrap();
    assert_eq!(due, [&oldest, &middle, &newest].map(|r| r.email.id.clone()));
    let first_two = store.due_emails(at, 2).await.unwrap();
    assert_eq!(first_two, due[..2]);
}

pub async fn an_email_is_marked_sent_once_by_its_holder(store: &impl Subject) {
    let at = now();
    let request = request(&new_email(), at);
    store.submit(&request).await.unwrap();
    let id = &request.email.id;

    store
        .mark_email_sent(id, FIRST_TRY_OWNER, at)
        .await
        .unwrap();
    let again = store.mark_email_sent(id, FIRST_TRY_OWNER, at).await;

    assert!(
        matches!(again, Err(StoreError::ConditionFailed)),
        "{again:?}"
    );
    assert_eq!(store.email_status(id).await, Some(OutboxStatus::Sent));
    let far = at + Duration::days(1);
    assert_eq!(
        store.due_emails(far, 10).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store
            .claim_email(id, &claim("mailer", far), far)
            .await
            .unwrap(),
        None
    );
}

pub async fn only_the_holder_marks_or_releases_an_email(store: &impl Subject) {
    let at = now();
    let request = request(&new_email(), at);
    store.submit(&request).await.unwrap();
    let id = &request.email.id;
    let before = store.everything().await;

    let marked = store.mark_email_sent(id, "someone-else", at).await;
    let released = store.release_email(id, "someone-else", &retry_at(at)).await;

    assert!(
        matches!(marked, Err(StoreError::ConditionFailed)),
        "{marked:?}"
    );
    assert!(
        matches!(released, Err(StoreError::ConditionFailed)),
        "{released:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn marking_an_unknown_email_sent_is_refused_and_creates_nothing(store: &impl Subject) {
    let at = now();
    let marked = store
        .mark_email_sent("no-such-message", FIRST_TRY_OWNER, at)
        .await;
    let released = store
        .release_email("no-such-message", FIRST_TRY_OWNER, &retry_at(at))
        .await;
    let claimed = store
        .claim_email("no-such-message", &claim("mailer", at), at)
        .await;

    assert!(
        matches!(marked, Err(StoreError::ConditionFailed)),
        "{marked:?}"
    );
    assert!(
        matches!(released, Err(StoreError::ConditionFailed)),
        "{released:?}"
    );
    assert!(matches!(claimed, Ok(None)), "{claimed:?}");
    assert_eq!(store.email_status("no-such-message").await, None);
}

pub async fn of_concurrent_claims_on_one_email_exactly_one_wins(store: &impl Subject) {
    let at = now();
    let request = submitted_for_mailer(store, at).await;
    let claims: Vec<_> = (0..8).map(|n| claim(&format!("mailer-{n}"), at)).collect();

    let claims = join_all(
        claims
            .iter()
            .map(|claim| store.claim_email(&request.email.id, claim, at))
            .collect(),
    )
    .await;

    let winners: Vec<_> = claims.into_iter().filter_map(Result::unwrap).collect();
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(winners[0].attempts, 1);
}

pub async fn a_released_email_waits_for_its_next_try(store: &impl Subject) {
    let at = now();
    let request = request(&new_email(), at);
    store.submit(&request).await.unwrap();
    let id = &request.email.id;
    let next_try = at + Duration::minutes(5);

    store
        .release_email(id, FIRST_TRY_OWNER, &retry_at(next_try))
        .await
        .unwrap();

    assert_eq!(store.email_status(id).await, Some(OutboxStatus::Pending));
    let early = next_try - Duration::seconds(1);
    assert_eq!(
        store.due_emails(early, 10).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store
            .claim_email(id, &claim("m", early), early)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.due_emails(next_try, 10).await.unwrap(),
        vec![id.clone()]
    );
    let claimed = store.claim_email(id, &claim("m", next_try), next_try).await;
    assert_eq!(claimed.unwrap().map(|c| c.attempts), Some(2));
}

pub async fn a_dead_email_is_listed_for_staff_and_never_claimed_again(store: &impl Subject) {
    let at = now();
    let request = request(&new_email(), at);
    store.submit(&request).await.unwrap();
    let id = &request.email.id;

    store
        .release_email(
            id,
            FIRST_TRY_OWNER,
            &DeliveryFailure::Dead {
                at,
                error: "address rejected".into(),
            },
        )
        .await
        .unwrap();

    assert_eq!(store.email_status(id).await, Some(OutboxStatus::Dead));
    let far = at + Duration::days(30);
    assert_eq!(
        store.due_emails(far, 10).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store.claim_email(id, &claim("m", far), far).await.unwrap(),
        None
    );
    let dead = store.dead_emails(&PageRequest::first(10)).await.unwrap();
    assert_eq!(dead.next_cursor, None);
    assert_eq!(dead.items.len(), 1);
    let listed = &dead.items[0];
    assert_eq!(listed.message, request.email);
    assert_eq!(listed.attempts, 1);
    assert_eq!(listed.last_error, "address rejected");
    assert_eq!(listed.died_at, at);
}

pub async fn dead_emails_page_newest_first_without_losing_or_repeating_one(store: &impl Subject) {
    let at = now();
    let mut ids = Vec::new();
    for minutes in 0..5 {
        let request = submitted_for_mailer(store, at - Duration::minutes(minutes)).await;
        let id = request.email.id.clone();
        let claimed = store.claim_email(&id, &claim("m", at), at).await.unwrap();
        assert!(claimed.is_some());
        let dead = DeliveryFailure::Dead {
            at,
            error: "no".into(),
        };
        store.release_email(&id, "m", &dead).await.unwrap();
        ids.push(id);
    }

    let mut listed = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let read = store.dead_emails(&page).await.unwrap();
        listed.extend(read.items.into_iter().map(|dead| dead.message.id));
        match read.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(listed, ids, "newest first, each once");

    let bad = PageRequest {
        limit: 2,
        cursor: Some("not-a-cursor".into()),
    };
    let refused = store.dead_emails(&bad).await;
    assert!(
        matches!(refused, Err(StoreError::InvalidCursor)),
        "{refused:?}"
    );
}

/// A submitted request's email, given up on at `at`: its id.
async fn dead_in(store: &impl Subject, at: OffsetDateTime) -> String {
    let request = request(&new_email(), at);
    store.submit(&request).await.unwrap();
    let dead = DeliveryFailure::Dead {
        at,
        error: "address rejected".into(),
    };
    let id = request.email.id.clone();
    store
        .release_email(&id, FIRST_TRY_OWNER, &dead)
        .await
        .unwrap();
    id
}

fn requeue(at: OffsetDateTime) -> AuditEvent {
    AuditEvent::new(&staff(), AuditAction::EmailRequeued, None, at)
}

pub async fn a_requeued_email_is_due_again_with_fresh_tries_and_remembers_the_requeue(
    store: &impl Subject,
) {
    let at = now();
    let id = dead_in(store, at).await;
    let later = at + Duration::minutes(5);

    store.requeue_email(&id, &requeue(later)).await.unwrap();

    assert_eq!(store.email_status(&id).await, Some(OutboxStatus::Pending));
    assert!(
        store
            .dead_emails(&PageRequest::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(store.due_emails(later, 10).await.unwrap(), vec![id.clone()]);
    let claimed = store
        .claim_email(&id, &claim("m", later), later)
        .await
        .unwrap()
        .expect("claimable again");
    assert_eq!(claimed.attempts, 1, "the tries start again");
    // It dies again: the listing shows the requeue.
    let again = DeliveryFailure::Dead {
        at: later,
        error: "still rejected".into(),
    };
    store.release_email(&id, "m", &again).await.unwrap();
    let dead = store.dead_emails(&PageRequest::first(10)).await.unwrap();
    assert_eq!(dead.items[0].requeues, vec![requeue(later)]);
    assert_eq!(dead.items[0].last_error, "still rejected");
}

pub async fn only_a_dead_email_is_requeued_and_only_once(store: &impl Subject) {
    let at = now();
    let pending = request(&new_email(), at);
    store.submit(&pending).await.unwrap();
    let before = store.everything().await;
    for id in [pending.email.id.as_str(), "unknown"] {
        let result = store.requeue_email(id, &requeue(at)).await;
        assert!(
            matches!(result, Err(StoreError::ConditionFailed)),
            "{id}: {result:?}"
        );
    }
    assert_eq!(store.everything().await, before);

    let id = dead_in(store, at).await;
    let event = requeue(at);
    let (first, second) = tokio::join!(
        store.requeue_email(&id, &event),
        store.requeue_email(&id, &event),
    );
    let outcomes = [first.is_ok(), second.is_ok()];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "{first:?} {second:?}"
    );
}

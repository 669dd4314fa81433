//! Staff sign-ins and sessions: a sign-in is taken once, a session ends for good.

use portal_domain::StoreError;
use portal_domain::secret_token::token_hash;
use portal_domain::staff_session::{SIGN_IN_LIFETIME, StaffSession, StaffSignIn};
use time::Duration;

use crate::support::{Subject, join_all, new_email, now};

/// A unique hash per call, so tests on one moto table never meet.
fn fresh_hash() -> String {
    token_hash(new_email().as_ref())
}

fn sign_in() -> StaffSignIn {
    StaffSignIn {
        state_hash: fresh_hash(),
        nonce: "nonce-1".into(),
        pkce_verifier: "verifier-1".into(),
        return_to: "/staff#people".into(),
        expires_at: now() + SIGN_IN_LIFETIME,
    }
}

fn session() -> StaffSession {
    StaffSession {
        key_hash: fresh_hash(),
        subject: "ada".into(),
        name: Some("Ada Admin".into()),
        permissions: vec!["portal.users.manage".into()],
        id_token: Some("header.claims.signature".into()),
        started_at: now(),
        last_seen: now(),
    }
}

pub async fn a_sign_in_is_taken_once(store: &impl Subject) {
    let sign_in = sign_in();
    store.save_staff_sign_in(&sign_in).await.unwrap();

    let first = store.take_staff_sign_in(&sign_in.state_hash).await.unwrap();
    let second = store.take_staff_sign_in(&sign_in.state_hash).await.unwrap();

    assert_eq!(first, Some(sign_in));
    assert_eq!(second, None);
}

pub async fn of_two_racing_callbacks_one_takes_the_sign_in(store: &impl Subject) {
    let sign_in = sign_in();
    store.save_staff_sign_in(&sign_in).await.unwrap();

    let taken = join_all(vec![
        store.take_staff_sign_in(&sign_in.state_hash),
        store.take_staff_sign_in(&sign_in.state_hash),
    ])
    .await;

    let winners = taken
        .into_iter()
        .filter(|t| matches!(t, Ok(Some(_))))
        .count();
    assert_eq!(winners, 1);
}

pub async fn an_unknown_state_takes_nothing_and_writes_nothing(store: &impl Subject) {
    let before = store.everything().await;
    assert_eq!(store.take_staff_sign_in(&fresh_hash()).await.unwrap(), None);
    assert_eq!(store.everything().await, before);
}

pub async fn a_session_reads_back_and_a_touch_records_the_request(store: &impl Subject) {
    let session = session();
    store.start_staff_session(&session).await.unwrap();
    assert_eq!(
        store.staff_session(&session.key_hash).await.unwrap(),
        Some(session.clone())
    );

    let touched = StaffSession {
        last_seen: session.last_seen + Duration::minutes(3),
        ..session.clone()
    };
    store.touch_staff_session(&touched).await.unwrap();

    assert_eq!(
        store.staff_session(&session.key_hash).await.unwrap(),
        Some(touched)
    );
    assert!(matches!(
        store.start_staff_session(&session).await,
        Err(StoreError::ConditionFailed)
    ));
}

pub async fn an_ended_session_is_gone_and_a_touch_does_not_bring_it_back(store: &impl Subject) {
    let session = session();
    store.start_staff_session(&session).await.unwrap();

    store.end_staff_session(&session.key_hash).await.unwrap();
    // Twice: ending is idempotent.
    store.end_staff_session(&session.key_hash).await.unwrap();

    assert_eq!(store.staff_session(&session.key_hash).await.unwrap(), None);
    assert!(matches!(
        store.touch_staff_session(&session).await,
        Err(StoreError::ConditionFailed)
    ));
    assert_eq!(store.staff_session(&session.key_hash).await.unwrap(), None);
}

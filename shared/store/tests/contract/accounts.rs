//! Accounts: accepting an invitation, logins, refresh token rotation, session revocation
//! and password resets, each one atomic write or nothing at all.

use portal_adapters::OsRandomness;
use portal_domain::StoreError;
use portal_domain::login::{FAILURES_PER_LOCK, LoginEvent, LoginGuard};
use portal_domain::outbox::OutboxMessage;
use portal_domain::password_reset::PasswordReset;
use portal_domain::random::new_id;
use portal_domain::session::{RefreshStatus, RefreshToken};
use portal_domain::throttle::ThrottleWindow;
use portal_domain::types::Username;
use portal_domain::user::PortalUser;
use portal_store::OutboxStatus;
use time::{Duration, OffsetDateTime};

use crate::support::{
    Subject, accepted, active_in, client, invited_in, join_all, new_email, now,
    password_changed_email, portal_user, reset_email, reset_for, reset_window, session, staff,
    unknown,
};

pub async fn an_invitation_is_accepted_once_and_a_second_accept_writes_nothing(
    store: &impl Subject,
) {
    let invited = invited_in(store).await;
    let next = accepted(&invited);
    let first = session(&next);

    store
        .accept_invitation(&next, Some(&first), None)
        .await
        .unwrap();

    assert_eq!(
        store.portal_user(next.id()).await.unwrap().as_ref(),
        Some(&next)
    );
    let family = store.session_family(&first.family.id).await.unwrap();
    assert_eq!(family, Some(first.family.clone()));
    let token = store
        .refresh_token(&first.refresh.token_hash)
        .await
        .unwrap();
    assert_eq!(token, Some(first.refresh.clone()));
    let before = store.everything().await;

    // The same invitation, accepted again from the version that was current before.
    let again = accepted(&invited);
    let second = session(&again);
    let result = store.accept_invitation(&again, Some(&second), None).await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
    assert_eq!(store.session_family(&second.family.id).await.unwrap(), None);
}

pub async fn a_user_is_found_by_invitation_and_by_username(store: &impl Subject) {
    let invited = invited_in(store).await;
    let user = Some(invited.user.clone());

    let by_invitation = store.portal_user_by_invitation(&invited.token.hash()).await;
    let by_username = store
        .portal_user_by_username(invited.user.username().unwrap())
        .await;

    assert_eq!(by_invitation.unwrap(), user);
    assert_eq!(by_username.unwrap(), user);
    let nobody = store.portal_user_by_invitation("no-such-hash").await;
    assert_eq!(nobody.unwrap(), None);
    assert_eq!(
        store
            .portal_user_by_username(&Username::of_email(&new_email()))
            .await
            .unwrap(),
        None
    );
    // The token itself is no key: only its hash finds the user.
    let by_token = store
        .portal_user_by_invitation(invited.token.as_str())
        .await;
    assert_eq!(by_token.unwrap(), None);
}

pub async fn a_user_created_directly_is_found_by_username(store: &impl Subject) {
    let user = portal_user(&new_email());
    store.create_portal_user(&user).await.unwrap();

    let found = store
        .portal_user_by_username(user.username().unwrap())
        .await
        .unwrap();

    assert_eq!(found, Some(user));
}

pub async fn a_successful_login_updates_the_user_records_it_and_begins_a_session(
    store: &impl Subject,
) {
    let (user, _) = active_in(store).await;
    let next = user.login_succeeded(now());
    let event = LoginEvent::new(user.id(), true, &client(), now());
    let begun = session(&next);

    store
        .record_login_success(&next, &event, Some(&begun))
        .await
        .unwrap();

    assert_eq!(store.portal_user(user.id()).await.unwrap(), Some(next));
    assert_eq!(
        store.recent_logins(user.id(), 10).await.unwrap(),
        vec![event]
    );
    let token = store
        .refresh_token(&begun.refresh.token_hash)
        .await
        .unwrap();
    assert_eq!(token, Some(begun.refresh));
    let family = store.session_family(&begun.family.id).await.unwrap();
    assert_eq!(family, Some(begun.family));
}

/// The OpenID provider's login: recorded like any other, without a refresh token family.
pub async fn a_login_without_a_session_records_it_and_writes_no_session(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let next = user.login_succeeded(now());
    let event = LoginEvent::new(user.id(), true, &client(), now());
    let before = store.everything().await;

    store
        .record_login_success(&next, &event, None)
        .await
        .unwrap();

    assert_eq!(store.portal_user(user.id()).await.unwrap(), Some(next));
    assert_eq!(
        store.recent_logins(user.id(), 10).await.unwrap(),
        vec![event]
    );
    // Every refresh token names its family: none more than before.
    let refresh_tokens = |everything: &str| everything.matches("family_id").count();
    assert_eq!(
        refresh_tokens(&store.everything().await),
        refresh_tokens(&before)
    );
}

pub async fn a_failed_login_is_recorded_without_touching_the_user(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let event = LoginEvent::new(user.id(), false, &client(), now());

    store.record_login_failure(&event).await.unwrap();

    assert_eq!(
        store.portal_user(user.id()).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store.recent_logins(user.id(), 10).await.unwrap(),
        vec![event]
    );
}

pub async fn a_login_from_a_stale_user_version_is_refused_and_writes_nothing(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let first = user.login_succeeded(now());
    store
        .record_login_success(
            &first,
            &LoginEvent::new(user.id(), true, &client(), now()),
            Some(&session(&first)),
        )
        .await
        .unwrap();
    let before = store.everything().await;
    let stale = user.login_succeeded(now());
    let begun = session(&stale);

    let event = LoginEvent::new(user.id(), true, &client(), now());
    let result = store
        .record_login_success(&stale, &event, Some(&begun))
        .await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

/// Counts `n` attempts against `key`'s guard at `at`, one after the other.
async fn count_attempts(store: &impl Subject, key: &str, n: u32, at: OffsetDateTime) {
    for _ in 0..n {
        let guard = guard_of(store, key).await;
        let reservation = guard.reserve(at).expect("not locked");
        store.reserve_login_attempt(&reservation).await.unwrap();
    }
}

async fn guard_of(store: &impl Subject, key: &str) -> LoginGuard {
    store
        .login_guard(key)
        .await
        .unwrap()
        .unwrap_or_else(|| LoginGuard::fresh(key.to_owned()))
}

pub async fn attempts_are_counted_per_username_known_or_not(store: &impl Subject) {
    let key = LoginGuard::key_of(&Username::of_email(&new_email()));
    assert_eq!(store.login_guard(&key).await.unwrap(), None);

    count_attempts(store, &key, 3, now()).await;

    let guard = store.login_guard(&key).await.unwrap().unwrap();
    assert_eq!((guard.failures, guard.lock_at), (3, FAILURES_PER_LOCK));
    let other = LoginGuard::key_of(&Username::of_email(&new_email()));
    assert_eq!(store.login_guard(&other).await.unwrap(), None);
}

pub async fn parallel_attempts_are_each_counted_and_none_passes_the_lock(store: &impl Subject) {
    let key = LoginGuard::key_of(&Username::of_email(&new_email()));
    let fresh = LoginGuard::fresh(key.clone());
    let reservation = fresh.reserve(now()).unwrap();

    // Thirty attempts, all read before any was counted.
    let results = join_all(
        (0..30)
            .map(|_| store.reserve_login_attempt(&reservation))
            .collect(),
    )
    .await;

    let counted = results.iter().filter(|result| result.is_ok()).count();
    assert_eq!(counted as u32, FAILURES_PER_LOCK, "{results:?}");
    assert!(
        results
            .iter()
            .all(|result| matches!(result, Ok(()) | Err(StoreError::ConditionFailed)))
    );
    let guard = store.login_guard(&key).await.unwrap().unwrap();
    assert_eq!(guard.failures, FAILURES_PER_LOCK);
    assert!(guard.locked_for(now()).is_some());
}

pub async fn after_a_lock_ends_one_attempt_begins_the_next_step(store: &impl Subject) {
    let key = LoginGuard::key_of(&Username::of_email(&new_email()));
    let start = now() - Duration::hours(1);
    count_attempts(store, &key, FAILURES_PER_LOCK, start).await;
    let locked = guard_of(store, &key).await;
    let stale_before_lock = LoginGuard {
        failures: 0,
        ..locked.clone()
    }
    .reserve(start)
    .unwrap();
    assert!(matches!(
        store.reserve_login_attempt(&stale_before_lock).await,
        Err(StoreError::ConditionFailed)
    ));
    let step = locked.reserve(now()).expect("the first lock has ended");
    assert!(step.next_step);

    store.reserve_login_attempt(&step).await.unwrap();
    let second = store.reserve_login_attempt(&step).await;

    assert!(
        matches!(second, Err(StoreError::ConditionFailed)),
        "{second:?}"
    );
    let guard = guard_of(store, &key).await;
    assert_eq!(guard.failures, FAILURES_PER_LOCK + 1);
    assert_eq!(guard.lock_at, 2 * FAILURES_PER_LOCK);
}

pub async fn a_successful_login_forgets_the_usernames_failures(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let key = LoginGuard::key_of(user.username().unwrap());
    count_attempts(store, &key, 4, now()).await;
    let next = user.login_succeeded(now());

    store
        .record_login_success(
            &next,
            &LoginEvent::new(user.id(), true, &client(), now()),
            Some(&session(&next)),
        )
        .await
        .unwrap();

    assert_eq!(store.login_guard(&key).await.unwrap(), None);
}

pub async fn recent_logins_are_the_users_own_newest_first_and_limited(store: &impl Subject) {
    let (ada, _) = active_in(store).await;
    let (other, _) = active_in(store).await;
    let start = now() - Duration::minutes(10);
    let mut events = Vec::new();
    for minute in 0..3 {
        let at = start + Duration::minutes(minute);
        let event = LoginEvent::new(ada.id(), false, &client(), at);
        store.record_login_failure(&event).await.unwrap();
        events = [vec![event], events].concat();
    }
    // Two events of one instant are both kept.
    for _ in 0..2 {
        let event = LoginEvent::new(other.id(), false, &client(), start);
        store.record_login_failure(&event).await.unwrap();
    }

    let newest_two = store.recent_logins(ada.id(), 2).await.unwrap();
    let all = store.recent_logins(ada.id(), 10).await.unwrap();

    assert_eq!(newest_two, events[..2].to_vec());
    assert_eq!(all, events);
    assert_eq!(store.recent_logins(other.id(), 10).await.unwrap().len(), 2);
    assert_eq!(store.recent_logins(ada.id(), 0).await.unwrap(), Vec::new());
    let nobody = store.recent_logins(&unknown(), 10).await.unwrap();
    assert_eq!(nobody, Vec::new());
}

/// The next token of `old`'s family, as a refresh issues it.
fn successor(old: &RefreshToken) -> RefreshToken {
    let family = portal_domain::session::SessionFamily {
        id: old.family_id.clone(),
        user_id: old.user_id.clone(),
        token_version: 1,
        created_at: old.issued_at,
        expires_at: old.expires_at,
        revoked_at: None,
        oidc: None,
        amr: portal_domain::mfa::password_amr(),
    };
    RefreshToken::issue(&OsRandomness, &family, now()).0
}

pub async fn a_refresh_token_rotates_once(store: &impl Subject) {
    let (_, begun) = active_in(store).await;
    let rotated = begun.refresh.rotated(now());
    let new = successor(&begun.refresh);

    store.rotate_refresh_token(&rotated, &new).await.unwrap();

    let old = store
        .refresh_token(&rotated.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.status, RefreshStatus::Rotated);
    assert_eq!(old, rotated);
    assert_eq!(
        store.refresh_token(&new.token_hash).await.unwrap(),
        Some(new)
    );
    let before = store.everything().await;

    let late = successor(&begun.refresh);
    let again = store
        .rotate_refresh_token(&begun.refresh.rotated(now()), &late)
        .await;

    assert!(
        matches!(again, Err(StoreError::ConditionFailed)),
        "{again:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn of_ten_concurrent_rotations_of_one_token_exactly_one_wins(store: &impl Subject) {
    let (_, begun) = active_in(store).await;
    let attempts: Vec<_> = (0..10)
        .map(|_| (begun.refresh.rotated(now()), successor(&begun.refresh)))
        .collect();

    let results = join_all(
        attempts
            .iter()
            .map(|(rotated, new)| store.rotate_refresh_token(rotated, new))
            .collect(),
    )
    .await;

    let winners: Vec<_> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_ok())
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (index, result) in results.iter().enumerate() {
        let stored = store
            .refresh_token(&attempts[index].1.token_hash)
            .await
            .unwrap();
        match result {
            Ok(()) => assert_eq!(stored.as_ref(), Some(&attempts[index].1)),
            Err(StoreError::ConditionFailed) => assert_eq!(stored, None),
            Err(error) => panic!("a losing rotation failed otherwise: {error:?}"),
        }
    }
}

pub async fn rotating_in_a_revoked_family_is_refused_and_writes_nothing(store: &impl Subject) {
    let (_, begun) = active_in(store).await;
    store
        .revoke_session_family(&begun.family.id, now())
        .await
        .unwrap();
    let before = store.everything().await;
    let new = successor(&begun.refresh);

    let result = store
        .rotate_refresh_token(&begun.refresh.rotated(now()), &new)
        .await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
    let old = store
        .refresh_token(&begun.refresh.token_hash)
        .await
        .unwrap();
    assert_eq!(old, Some(begun.refresh));
}

pub async fn revoking_a_family_twice_is_fine_and_keeps_the_first_time(store: &impl Subject) {
    let (_, begun) = active_in(store).await;
    let first = now();

    store
        .revoke_session_family(&begun.family.id, first)
        .await
        .unwrap();
    let again = store
        .revoke_session_family(&begun.family.id, first + Duration::minutes(1))
        .await;

    assert!(again.is_ok(), "{again:?}");
    let family = store
        .session_family(&begun.family.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(family.revoked_at, Some(first));
    assert_eq!(family.id, begun.family.id);
    assert_eq!(family.token_version, begun.family.token_version);
}

pub async fn revoking_an_unknown_family_is_fine_and_creates_nothing(store: &impl Subject) {
    let before = store.everything().await;
    let unknown = new_id(&OsRandomness);

    let result = store.revoke_session_family(&unknown, now()).await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(store.everything().await, before);
    assert_eq!(store.session_family(&unknown).await.unwrap(), None);
}

pub async fn a_reset_request_stores_the_link_and_its_pending_email(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let reset = reset_for(&user, now());
    let email = reset_email(&user, &reset);

    store
        .request_password_reset(&reset, Some(&email), &reset_window(&user, now()))
        .await
        .unwrap();

    let stored = store.password_reset(&reset.token_hash).await.unwrap();
    assert_eq!(stored, Some(reset));
    assert_eq!(
        store.email_status(&email.id).await,
        Some(OutboxStatus::Pending)
    );
}

pub async fn a_reset_request_without_an_email_is_counted_all_the_same(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let window = reset_window(&user, now());
    for _ in 0..window.limit - 1 {
        let unused = reset_for(&user, now());
        store
            .request_password_reset(&unused, None, &window)
            .await
            .unwrap();
    }
    let reset = reset_for(&user, now());
    let email = reset_email(&user, &reset);
    store
        .request_password_reset(&reset, Some(&email), &window)
        .await
        .unwrap();

    let over = store
        .request_password_reset(&reset_for(&user, now()), None, &window)
        .await;

    assert!(matches!(over, Err(StoreError::Throttled)), "{over:?}");
}

pub async fn the_reset_request_over_the_window_limit_is_throttled_and_writes_nothing(
    store: &impl Subject,
) {
    let (user, _) = active_in(store).await;
    let window = reset_window(&user, now());
    for _ in 0..window.limit {
        let reset = reset_for(&user, now());
        let email = reset_email(&user, &reset);
        store
            .request_password_reset(&reset, Some(&email), &window)
            .await
            .unwrap();
    }
    let before = store.everything().await;
    let over = reset_for(&user, now());
    let email = reset_email(&user, &over);

    let result = store
        .request_password_reset(&over, Some(&email), &window)
        .await;

    assert!(matches!(result, Err(StoreError::Throttled)), "{result:?}");
    assert_eq!(store.everything().await, before);
    assert_eq!(store.password_reset(&over.token_hash).await.unwrap(), None);
}

pub async fn a_reset_is_completed_once_and_unlocks_the_username(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let key = LoginGuard::key_of(user.username().unwrap());
    count_attempts(store, &key, FAILURES_PER_LOCK, now()).await;
    let reset = reset_for(&user, now());
    store
        .request_password_reset(
            &reset,
            Some(&reset_email(&user, &reset)),
            &reset_window(&user, now()),
        )
        .await
        .unwrap();
    let used = portal_domain::password_reset::PasswordReset {
        used_at: Some(now()),
        ..reset.clone()
    };
    let next = user.change_password("$argon2id$v=19$new".into(), now());
    let email = password_changed_email(&user);

    store
        .complete_password_reset(&used, &next, &email)
        .await
        .unwrap();

    assert_eq!(
        store.portal_user(user.id()).await.unwrap(),
        Some(next.clone())
    );
    let stored = store
        .password_reset(&reset.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.used_at.is_some());
    assert_eq!(stored, used);
    assert_eq!(store.login_guard(&key).await.unwrap(), None);
    assert_eq!(
        store.email_status(&email.id).await,
        Some(OutboxStatus::Pending)
    );
    let before = store.everything().await;

    // The same link again, even for the user as it is now.
    let again = next.change_password("$argon2id$v=19$newer".into(), now());
    let again_email = password_changed_email(&user);
    let result = store
        .complete_password_reset(&used, &again, &again_email)
        .await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn a_reset_completed_from_a_stale_user_version_is_refused_and_stays_unused(
    store: &impl Subject,
) {
    let (user, _) = active_in(store).await;
    let reset = reset_for(&user, now());
    store
        .request_password_reset(
            &reset,
            Some(&reset_email(&user, &reset)),
            &reset_window(&user, now()),
        )
        .await
        .unwrap();
    // A login moved the user on after the reset page read it.
    let moved = user.login_succeeded(now());
    let event = LoginEvent::new(user.id(), true, &client(), now());
    store
        .record_login_success(&moved, &event, Some(&session(&moved)))
        .await
        .unwrap();
    let before = store.everything().await;
    let used = portal_domain::password_reset::PasswordReset {
        used_at: Some(now()),
        ..reset.clone()
    };
    let stale = user.change_password("$argon2id$v=19$new".into(), now());
    let email = password_changed_email(&user);

    let result = store.complete_password_reset(&used, &stale, &email).await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
    let stored = store.password_reset(&reset.token_hash).await.unwrap();
    assert_eq!(stored, Some(reset));
    assert_eq!(store.email_status(&email.id).await, None);
}

pub async fn a_clients_requests_are_counted_and_refused_once_its_window_is_full(
    store: &impl Subject,
) {
    let client = "192.0.2.1";
    let route = format!("/sessions-{}", new_id(&OsRandomness));
    let window = ThrottleWindow::client_requests(&route, client, 3, now());
    for _ in 0..3 {
        store.count_request(&window).await.unwrap();
    }
    let before = store.everything().await;

    let over = store.count_request(&window).await;

    assert!(matches!(over, Err(StoreError::Throttled)), "{over:?}");
    assert_eq!(store.everything().await, before);
    let elsewhere = ThrottleWindow::client_requests("/other", client, 3, now());
    store.count_request(&elsewhere).await.unwrap();
}

pub async fn an_unlock_forgets_the_usernames_failures_from_the_current_user_only(
    store: &impl Subject,
) {
    let (user, _) = active_in(store).await;
    let key = LoginGuard::key_of(user.username().unwrap());
    count_attempts(store, &key, FAILURES_PER_LOCK, now()).await;
    let staff = portal_domain::audit::Actor {
        subject: "staff-1".into(),
        name: None,
    };
    let next = user.unlock(&staff, now());
    let stale = user.unlock(&staff, now());

    store.unlock_login(&next).await.unwrap();
    let again = store.unlock_login(&stale).await;

    assert_eq!(store.login_guard(&key).await.unwrap(), None);
    assert_eq!(store.portal_user(user.id()).await.unwrap(), Some(next));
    assert!(
        matches!(again, Err(StoreError::ConditionFailed)),
        "{again:?}"
    );
}

/// Staff sending access information to an active user: the user's next version (its link
/// version bumped), the new link and its email.
fn password_link(user: &PortalUser) -> (PortalUser, PasswordReset, OutboxMessage) {
    let next = user
        .issue_password_link(&staff(), "by email", now())
        .expect("an active user gets a link");
    let reset = reset_for(&next, now());
    let email = reset_email(&next, &reset);
    (next, reset, email)
}

pub async fn a_password_link_is_stored_with_the_user_and_its_email_at_once(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let (next, reset, email) = password_link(&user);

    store
        .issue_password_link(&next, &reset, Some(&email))
        .await
        .unwrap();

    assert_eq!(store.portal_user(user.id()).await.unwrap(), Some(next));
    assert_eq!(
        store.password_reset(&reset.token_hash).await.unwrap(),
        Some(reset)
    );
    assert_eq!(
        store.email_status(&email.id).await,
        Some(OutboxStatus::Pending)
    );
}

pub async fn a_personal_password_link_is_stored_without_an_email(store: &impl Subject) {
    let (user, _) = active_in(store).await;
    let (next, reset, _) = password_link(&user);

    store
        .issue_password_link(&next, &reset, None)
        .await
        .unwrap();

    assert_eq!(store.portal_user(user.id()).await.unwrap(), Some(next));
    assert!(
        store
            .password_reset(&reset.token_hash)
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn a_password_link_from_a_stale_user_version_is_refused_and_writes_nothing(
    store: &impl Subject,
) {
    let (user, _) = active_in(store).await;
    let (first, reset, email) = password_link(&user);
    store
        .issue_password_link(&first, &reset, Some(&email))
        .await
        .unwrap();
    let before = store.everything().await;
    // Made from the version before the first link: the store has moved on.
    let (stale, reset, email) = password_link(&user);

    let result = store
        .issue_password_link(&stale, &reset, Some(&email))
        .await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

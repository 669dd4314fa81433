//! The store contract: one set of tests, run against every adapter (the embedded store in
//! memory and on a file, and DynamoDB on moto), so they all behave the same.

mod support;

#[path = "contract/accounts.rs"]
mod accounts;
#[path = "contract/approval.rs"]
mod approval;
#[path = "contract/contacts.rs"]
mod contacts;
#[path = "contract/imports.rs"]
mod imports;
#[path = "contract/membership.rs"]
mod membership;
#[path = "contract/name_only.rs"]
mod name_only;
#[path = "contract/oidc.rs"]
mod oidc;
#[path = "contract/outbox.rs"]
mod outbox;
#[path = "contract/queue_search.rs"]
mod queue_search;
#[path = "contract/review_queue.rs"]
mod review_queue;
#[path = "contract/second_factors.rs"]
mod second_factors;
#[path = "contract/staff_sessions.rs"]
mod staff_sessions;

use portal_adapters::OsRandomness;
use portal_domain::StoreError;
use portal_domain::ids::RegistrationId;
use portal_domain::types::Username;
use portal_domain::verification_code::{RESEND_INTERVAL, VerificationCode};
use portal_store::OutboxStatus;
use support::{
    Subject, code_email, new_email, now, portal_user, request, request_with_id, unknown, verified,
    window, wrong_code,
};

use accounts::*;
use approval::*;
use contacts::*;
use imports::*;
use membership::*;
use name_only::*;
use oidc::*;
use outbox::*;
use queue_search::*;
use review_queue::*;
use second_factors::*;
use staff_sessions::*;

/// Instantiates every contract test for every adapter.
macro_rules! contract {
    ($($test:ident),* $(,)?) => {
        mod embedded_in_memory {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(&super::support::in_memory().store).await;
                }
            )*
        }
        mod embedded_on_file {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(&super::support::on_file().store).await;
                }
            )*
        }
        mod dynamodb_on_moto {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(&super::support::on_moto().await.store).await;
                }
            )*
        }
    };
}

contract!(
    a_login_without_a_session_records_it_and_writes_no_session,
    a_queue_search_finds_requests_by_name_email_or_company,
    a_queue_search_pages_through_every_match_once_newest_first,
    a_queue_search_reads_a_bounded_number_of_requests_per_page,
    a_sign_in_is_taken_once,
    of_two_racing_callbacks_one_takes_the_sign_in,
    an_unknown_state_takes_nothing_and_writes_nothing,
    a_session_reads_back_and_a_touch_records_the_request,
    an_ended_session_is_gone_and_a_touch_does_not_bring_it_back,
    a_submitted_request_reads_back_equal_with_its_email_pending,
    a_second_submit_with_the_same_id_is_refused_and_writes_nothing,
    the_submit_over_the_window_limit_is_throttled_and_not_stored,
    advancing_from_the_stored_version_replaces_the_request,
    advancing_from_a_stale_version_is_refused_and_changes_nothing,
    advancing_an_unknown_request_is_refused_and_creates_nothing,
    of_two_concurrent_advances_from_one_version_exactly_one_wins,
    advancing_with_an_email_writes_it_as_pending,
    a_created_portal_user_is_found_by_username,
    a_second_user_with_a_taken_username_is_refused,
    unknown_ids_read_as_nothing,
    // outbox
    a_new_email_is_held_for_its_first_try_until_the_claim_lapses,
    emails_left_to_the_mailer_are_due_at_once_oldest_first,
    an_email_is_marked_sent_once_by_its_holder,
    only_the_holder_marks_or_releases_an_email,
    marking_an_unknown_email_sent_is_refused_and_creates_nothing,
    of_concurrent_claims_on_one_email_exactly_one_wins,
    a_released_email_waits_for_its_next_try,
    a_dead_email_is_listed_for_staff_and_never_claimed_again,
    dead_emails_page_newest_first_without_losing_or_repeating_one,
    a_requeued_email_is_due_again_with_fresh_tries_and_remembers_the_requeue,
    only_a_dead_email_is_requeued_and_only_once,
    // review_queue
    the_queue_pages_newest_first_without_losing_or_repeating_a_request,
    a_list_without_requests_is_one_empty_page,
    a_cursor_of_another_list_or_no_cursor_at_all_is_refused,
    // imports
    an_import_reads_back_with_its_chunks_in_order_and_is_open,
    a_second_import_with_the_same_id_is_refused,
    a_chunk_is_finished_once_with_the_jobs_next_version,
    a_done_import_is_no_longer_open,
    // contacts
    a_created_contact_is_found_by_id_email_and_name,
    a_second_contact_with_a_taken_email_is_refused_and_not_stored,
    contacts_are_found_by_the_start_of_their_name_email_or_company,
    a_search_cursor_of_another_search_is_refused,
    an_edited_contact_moves_its_guards_and_search_entries,
    an_edit_to_a_taken_email_or_reference_is_refused_and_changes_nothing,
    an_edit_of_a_moved_contact_is_refused_and_changes_nothing,
    an_edit_of_a_contact_that_got_a_portal_user_meanwhile_is_refused,
    linking_an_existing_contact_resolves_the_request,
    linking_a_missing_contact_is_refused_and_changes_nothing,
    linking_a_contact_that_got_a_portal_user_is_refused_and_changes_nothing,
    linking_from_a_stale_version_is_refused_and_changes_nothing,
    linking_a_new_contact_creates_it_with_the_request,
    linking_a_new_contact_with_a_taken_email_is_refused_and_writes_nothing,
    // approval
    an_approval_processes_the_request_and_creates_the_invited_user,
    of_two_concurrent_approvals_from_one_version_exactly_one_wins,
    a_second_approval_for_a_contact_with_a_user_is_refused_and_writes_nothing,
    an_approval_with_a_taken_username_is_refused_and_writes_nothing,
    an_approval_into_a_missing_organization_is_refused_and_writes_nothing,
    an_approval_from_a_stale_version_is_refused_and_writes_nothing,
    an_approval_stores_the_invitation_tokens_hash_and_never_the_token,
    // name_only
    contacts_known_by_name_alone_take_no_address,
    a_confirmed_address_goes_to_the_user_and_the_contact_in_one_write,
    a_confirmed_address_another_contact_has_is_refused_and_changes_nothing,
    a_confirmed_address_another_user_signs_in_with_is_refused_and_changes_nothing,
    a_confirmed_address_for_a_moved_contact_is_refused_and_changes_nothing,
    // accounts
    an_invitation_is_accepted_once_and_a_second_accept_writes_nothing,
    a_user_is_found_by_invitation_and_by_username,
    a_user_created_directly_is_found_by_username,
    a_successful_login_updates_the_user_records_it_and_begins_a_session,
    a_failed_login_is_recorded_without_touching_the_user,
    a_login_from_a_stale_user_version_is_refused_and_writes_nothing,
    attempts_are_counted_per_username_known_or_not,
    parallel_attempts_are_each_counted_and_none_passes_the_lock,
    after_a_lock_ends_one_attempt_begins_the_next_step,
    a_successful_login_forgets_the_usernames_failures,
    an_unlock_forgets_the_usernames_failures_from_the_current_user_only,
    recent_logins_are_the_users_own_newest_first_and_limited,
    a_refresh_token_rotates_once,
    of_ten_concurrent_rotations_of_one_token_exactly_one_wins,
    rotating_in_a_revoked_family_is_refused_and_writes_nothing,
    revoking_a_family_twice_is_fine_and_keeps_the_first_time,
    revoking_an_unknown_family_is_fine_and_creates_nothing,
    a_reset_request_stores_the_link_and_its_pending_email,
    a_reset_request_without_an_email_is_counted_all_the_same,
    a_clients_requests_are_counted_and_refused_once_its_window_is_full,
    the_reset_request_over_the_window_limit_is_throttled_and_writes_nothing,
    a_reset_is_completed_once_and_unlocks_the_username,
    a_reset_completed_from_a_stale_user_version_is_refused_and_stays_unused,
    a_password_link_is_stored_with_the_user_and_its_email_at_once,
    a_personal_password_link_is_stored_without_an_email,
    a_password_link_from_a_stale_user_version_is_refused_and_writes_nothing,
    // membership
    an_organization_reads_back_equal_and_its_id_is_never_taken_twice,
    organizations_are_listed_by_name_and_found_by_the_start_of_it,
    an_organizations_cursor_of_another_search_is_refused,
    a_renamed_organization_moves_on_the_list,
    an_organization_update_from_a_stale_version_is_refused_and_writes_nothing,
    members_page_oldest_first_without_losing_or_repeating_one,
    every_user_is_listed_oldest_first_whatever_their_organization,
    a_members_cursor_of_another_list_is_refused,
    contacts_and_users_are_found_in_bulk_and_unknown_ones_left_out,
    each_member_is_written_or_refused_on_its_own,
    refused_members_write_nothing,
    members_of_a_missing_organization_are_refused_and_the_others_written,
    a_hundred_and_fifty_members_in_one_call_all_land_and_are_found_in_bulk,
    no_members_is_no_outcomes,
    updating_a_user_from_a_stale_version_is_refused_and_writes_nothing,
    a_new_invitation_is_found_by_its_hash_and_its_email_is_pending,
    a_moved_user_is_listed_in_its_new_organization_only,
    moving_a_user_into_a_missing_organization_is_refused_and_writes_nothing,
    // second factors
    second_factors_and_a_sign_in_step_read_back_with_the_user,
    of_two_racing_second_steps_from_one_version_exactly_one_is_recorded,
    passkeys_their_ceremonies_and_spent_sign_ins_read_back_with_the_user,
    of_two_racing_passkey_sign_ins_from_one_version_exactly_one_is_recorded,
    an_organizations_policy_and_a_sessions_amr_read_back,
    an_invitation_accepted_without_a_session_writes_none,
    // oidc
    an_oidc_client_is_created_listed_by_name_updated_and_deleted,
    no_oidc_clients_is_an_empty_list,
    a_redeemed_authorization_code_is_used_and_its_session_begun_once,
    redeeming_an_unknown_code_is_refused_and_writes_nothing,
    of_two_racing_redemptions_of_one_code_exactly_one_wins,
    a_provider_session_is_started_read_and_ended_for_good,
);

async fn a_submitted_request_reads_back_equal_with_its_email_pending(store: &impl Subject) {
    let request = request(&new_email(), now());

    store.submit(&request).await.unwrap();

    let stored = store.registration(request.registration.id()).await.unwrap();
    assert_eq!(stored, Some(request.registration));
    assert_eq!(
        store.email_status(&request.email.id).await,
        Some(OutboxStatus::Pending)
    );
}

async fn a_second_submit_with_the_same_id_is_refused_and_writes_nothing(store: &impl Subject) {
    let (email, now) = (new_email(), now());
    let first = request(&email, now);
    store.submit(&first).await.unwrap();
    let again = request_with_id(first.registration.id().clone(), &email, now);

    let result = store.submit(&again).await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    let stored = store.registration(first.registration.id()).await.unwrap();
    assert_eq!(stored, Some(first.registration));
    assert_eq!(store.email_status(&again.email.id).await, None);
    // The refused submit did not count against the window either: it still takes the rest.
    for _ in 1..window(&email, now).limit {
        store.submit(&request(&email, now)).await.unwrap();
    }
}

async fn the_submit_over_the_window_limit_is_throttled_and_not_stored(store: &impl Subject) {
    let (email, now) = (new_email(), now());
    for _ in 0..window(&email, now).limit {
        store.submit(&request(&email, now)).await.unwrap();
    }
    let over = request(&email, now);

    let result = store.submit(&over).await;

    assert!(
        matches!(result, Err(StoreError::Throttled)),
        "the submit over the limit was not throttled: {result:?}"
    );
    assert_eq!(
        store.registration(over.registration.id()).await.unwrap(),
        None
    );
    assert_eq!(store.email_status(&over.email.id).await, None);
}

async fn advancing_from_the_stored_version_replaces_the_request(store: &impl Subject) {
    let request = request(&new_email(), now());
    store.submit(&request).await.unwrap();
    let next = verified(&request, now());

    store.advance_registration(&next, None).await.unwrap();

    let stored = store.registration(next.id()).await.unwrap().unwrap();
    assert_eq!(stored.version(), request.registration.version() + 1);
    assert_eq!(stored.expires_at(), None);
    assert_eq!(stored, next);
}

async fn advancing_from_a_stale_version_is_refused_and_changes_nothing(store: &impl Subject) {
    let request = request(&new_email(), now());
    store.submit(&request).await.unwrap();
    let winner = verified(&request, now());
    store.advance_registration(&winner, None).await.unwrap();
    let stale = wrong_code(&request, now());
    let stale_email = code_email(&stale, &VerificationCode::generate(&OsRandomness));

    let alone = store.advance_registration(&stale, None).await;
    let with_email = store.advance_registration(&stale, Some(&stale_email)).await;

    assert!(
        matches!(alone, Err(StoreError::ConditionFailed)),
        "{alone:?}"
    );
    assert!(
        matches!(with_email, Err(StoreError::ConditionFailed)),
        "{with_email:?}"
    );
    assert_eq!(store.registration(winner.id()).await.unwrap(), Some(winner));
    assert_eq!(store.email_status(&stale_email.id).await, None);
}

async fn advancing_an_unknown_request_is_refused_and_creates_nothing(store: &impl Subject) {
    let never_submitted = request(&new_email(), now());
    let next = verified(&never_submitted, now());

    let result = store.advance_registration(&next, None).await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.registration(next.id()).await.unwrap(), None);
}

async fn of_two_concurrent_advances_from_one_version_exactly_one_wins(store: &impl Subject) {
    let request = request(&new_email(), now());
    store.submit(&request).await.unwrap();
    let right = verified(&request, now());
    let wrong = wrong_code(&request, now());

    let (right_result, wrong_result) = tokio::join!(
        store.advance_registration(&right, None),
        store.advance_registration(&wrong, None),
    );

    let stored = store.registration(request.registration.id()).await.unwrap();
    match (right_result, wrong_result) {
        (Ok(()), Err(StoreError::ConditionFailed)) => assert_eq!(stored, Some(right)),
        (Err(StoreError::ConditionFailed), Ok(())) => assert_eq!(stored, Some(wrong)),
        other => panic!("expected exactly one advance to win, got {other:?}"),
    }
}

async fn advancing_with_an_email_writes_it_as_pending(store: &impl Subject) {
    let request = request(&new_email(), now());
    store.submit(&request).await.unwrap();
    let code = VerificationCode::generate(&OsRandomness);
    let next = request
        .registration
        .resend(&code, now() + RESEND_INTERVAL)
        .unwrap();
    let email = code_email(&next, &code);

    store
        .advance_registration(&next, Some(&email))
        .await
        .unwrap();

    assert_eq!(store.registration(next.id()).await.unwrap(), Some(next));
    assert_eq!(
        store.email_status(&email.id).await,
        Some(OutboxStatus::Pending)
    );
}

async fn a_created_portal_user_is_found_by_username(store: &impl Subject) {
    let user = portal_user(&new_email());

    store.create_portal_user(&user).await.unwrap();

    let found = store
        .portal_user_id_by_username(user.username().unwrap())
        .await;
    assert_eq!(found.unwrap(), Some(user.id().clone()));
}

async fn a_second_user_with_a_taken_username_is_refused(store: &impl Subject) {
    let username = new_email();
    let first = portal_user(&username);
    store.create_portal_user(&first).await.unwrap();

    let result = store.create_portal_user(&portal_user(&username)).await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    let found = store
        .portal_user_id_by_username(&Username::of_email(&username))
        .await;
    assert_eq!(found.unwrap(), Some(first.id().clone()));
}

async fn unknown_ids_read_as_nothing(store: &impl Subject) {
    let nothing = RegistrationId::generate(&OsRandomness);
    assert_eq!(store.registration(&nothing).await.unwrap(), None);
    let nobody = store
        .portal_user_id_by_username(&Username::of_email(&new_email()))
        .await;
    assert_eq!(nobody.unwrap(), None);
    assert_eq!(store.portal_user(&unknown()).await.unwrap(), None);
    assert_eq!(store.email_status("no-such-message").await, None);
    assert_eq!(store.contact(&unknown()).await.unwrap(), None);
    assert_eq!(store.contact_by_email(&new_email()).await.unwrap(), None);
    let named = store.contacts_named("nobody by this name", 10).await;
    assert_eq!(named.unwrap(), Vec::new());
    assert_eq!(store.invited_user("no-such-hash").await, None);
}

/// What only the embedded store can show: its whole state, across a restart.
mod embedded {
    use portal_domain::StoreError;
    use portal_domain::login::{LoginEvent, LoginGuard};
    use portal_domain::oidc::{PROVIDER_SESSION_LIFETIME, ProviderSession};
    use portal_domain::outbox::FIRST_TRY_OWNER;
    use portal_domain::page::PageRequest;
    use portal_domain::ports::{
        AccountStore, ContactStore, MembershipStore, OidcStore, OutboxStore, PortalUserStore,
        RegistrationStore,
    };
    use portal_domain::registration::{RegistrationStatus, Verification};
    use portal_domain::user::{AccessChange, Grant};
    use portal_store::EmbeddedStore;

    use super::oidc::{code_and_session, oidc_client};
    use super::support::{
        Subject, active_in, approval, client, invitee, linked_in, new_contact, new_email, now,
        on_file, organization_in, portal_user, request, request_with_id, reset_email, reset_for,
        reset_window, staff, verified, window, wrong_attempt, wrong_code,
    };

    #[tokio::test]
    async fn a_reopened_store_has_the_state_it_was_closed_with() {
        let fixture = on_file();
        let (email, now) = (new_email(), now());
        let first = request(&email, now);
        fixture.store.submit(&first).await.unwrap();
        let next = verified(&first, now);
        fixture
            .store
            .advance_registration(&next, None)
            .await
            .unwrap();
        fixture
            .store
            .mark_email_sent(&first.email.id, FIRST_TRY_OWNER, now)
            .await
            .unwrap();
        fixture
            .store
            .create_portal_user(&portal_user(&email))
            .await
            .unwrap();
        let before = fixture.store.snapshot();
        let journal = fixture.journal();
        drop(fixture.store);

        let reopened = EmbeddedStore::open(&journal).unwrap();

        assert_eq!(reopened.snapshot(), before);
        // The throttle counter came back too: one submit is already counted.
        for _ in 1..window(&email, now).limit {
            reopened.submit(&request(&email, now)).await.unwrap();
        }
        let over = reopened.submit(&request(&email, now)).await;
        assert!(matches!(over, Err(StoreError::Throttled)), "{over:?}");
    }

    #[tokio::test]
    async fn a_reopened_store_lists_and_finds_what_it_did_before() {
        let fixture = on_file();
        let (linked, contact) = linked_in(&fixture.store).await;
        let approved = approval(&linked, Grant::default());
        fixture
            .store
            .approve_registration(&approved.next, &approved.user, &approved.email)
            .await
            .unwrap();
        let journal = fixture.journal();
        drop(fixture.store);

        let reopened = EmbeddedStore::open(&journal).unwrap();

        // The indexes are not journaled: replay rebuilt them.
        let processed = reopened
            .registrations_by_status(RegistrationStatus::Processed, &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(processed.items, vec![approved.next]);
        let resolved = reopened
            .registrations_by_status(RegistrationStatus::Resolved, &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(resolved.items, Vec::new());
        let named = reopened.contacts_named(&contact.name_key(), 10).await;
        let contact = reopened.contact(&contact.id).await.unwrap().unwrap();
        assert_eq!(contact.portal_user_id.as_ref(), Some(approved.user.id()));
        assert_eq!(named.unwrap(), vec![contact]);
        let by_username = reopened
            .portal_user_id_by_username(approved.user.username().unwrap())
            .await;
        assert_eq!(by_username.unwrap().as_ref(), Some(approved.user.id()));
        assert_eq!(
            reopened.invited_user(&approved.token.hash()).await,
            Some(approved.user.id().clone())
        );
    }

    #[tokio::test]
    async fn a_reopened_store_has_the_sessions_logins_and_resets_it_had() {
        let fixture = on_file();
        let (user, begun) = active_in(&fixture.store).await;
        for _ in 0..2 {
            let event = LoginEvent::new(user.id(), false, &client(), now());
            fixture.store.record_login_failure(&event).await.unwrap();
        }
        let key = LoginGuard::key_of(user.username().unwrap());
        let reservation = LoginGuard::fresh(key.clone()).reserve(now()).unwrap();
        fixture
            .store
            .reserve_login_attempt(&reservation)
            .await
            .unwrap();
        let reset = reset_for(&user, now());
        fixture
            .store
            .request_password_reset(
                &reset,
                Some(&reset_email(&user, &reset)),
                &reset_window(&user, now()),
            )
            .await
            .unwrap();
        fixture
            .store
            .revoke_session_family(&begun.family.id, now())
            .await
            .unwrap();
        let logins = fixture.store.recent_logins(user.id(), 10).await.unwrap();
        let before = fixture.store.snapshot();
        let journal = fixture.journal();
        drop(fixture.store);

        let reopened = EmbeddedStore::open(&journal).unwrap();

        assert_eq!(reopened.snapshot(), before);
        assert_eq!(reopened.recent_logins(user.id(), 10).await.unwrap(), logins);
        let family = reopened.session_family(&begun.family.id).await.unwrap();
        assert!(family.unwrap().revoked_at.is_some());
        let stored = reopened.password_reset(&reset.token_hash).await.unwrap();
        assert_eq!(stored, Some(reset));
    }

    #[tokio::test]
    async fn a_reopened_store_has_its_organizations_and_lists_their_members() {
        let fixture = on_file();
        let (acme, other) = (
            organization_in(&fixture.store).await,
            organization_in(&fixture.store).await,
        );
        let stays = invitee(&new_contact(&new_email()), Some(&acme.id), now());
        let leaves = invitee(&new_contact(&new_email()), Some(&acme.id), now());
        let members = [stays.with_new_contact(), leaves.with_new_contact()];
        let results = fixture.store.add_members(&members).await.unwrap();
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        let change = AccessChange {
            organization_id: Some(Some(other.id.clone())),
            ..AccessChange::default()
        };
        let moved = leaves.user.change_access(&staff(), &change, now());
        fixture
            .store
            .update_portal_user(&moved, None)
            .await
            .unwrap();
        let before = fixture.store.snapshot();
        let journal = fixture.journal();
        drop(fixture.store);

        let reopened = EmbeddedStore::open(&journal).unwrap();

        assert_eq!(reopened.snapshot(), before);
        assert_eq!(
            reopened.organization(&acme.id).await.unwrap(),
            Some(acme.clone())
        );
        // The members lists are not journaled: replay rebuilt them, moves included.
        for (organization, user) in [(&acme, &stays.user), (&other, &moved)] {
            let page = reopened
                .portal_users_in(Some(&organization.id), &PageRequest::first(10))
                .await
                .unwrap();
            assert_eq!(page.items, vec![user.clone()]);
        }
    }

    #[tokio::test]
    async fn a_reopened_store_has_its_oidc_clients_codes_and_provider_sessions() {
        let fixture = on_file();
        let store = &fixture.store;
        let (kept, deleted) = (oidc_client("Time Sheets"), oidc_client("Absences"));
        store.create_oidc_client(&kept).await.unwrap();
        store.create_oidc_client(&deleted).await.unwrap();
        store.delete_oidc_client(&deleted.id).await.unwrap();
        let (code, session) = code_and_session(&kept);
        store.save_authorization_code(&code).await.unwrap();
        let used = code.used(now());
        store
            .redeem_authorization_code(&used, &session)
            .await
            .unwrap();
        let (waiting, _) = code_and_session(&kept);
        store.save_authorization_code(&waiting).await.unwrap();
        let provider = ProviderSession {
            key_hash: "ab".repeat(32),
            user_id: code.user_id.clone(),
            token_version: 1,
            auth_time: now(),
            amr: code.amr.clone(),
            expires_at: now() + PROVIDER_SESSION_LIFETIME,
        };
        let ended = ProviderSession {
            key_hash: "cd".repeat(32),
            ..provider.clone()
        };
        store.start_provider_session(&provider).await.unwrap();
        store.start_provider_session(&ended).await.unwrap();
        store.end_provider_session(&ended.key_hash).await.unwrap();
        let before = store.snapshot();
        let journal = fixture.journal();
        drop(fixture.store);

        let reopened = EmbeddedStore::open(&journal).unwrap();

        assert_eq!(reopened.snapshot(), before);
        let (_, another) = code_and_session(&kept);
        assert_eq!(reopened.oidc_clients().await.unwrap(), [kept]);
        let stored = reopened.authorization_code(&code.code_hash).await.unwrap();
        assert_eq!(stored, Some(used.clone()));
        let stored = reopened.authorization_code(&waiting.code_hash).await;
        assert_eq!(stored.unwrap(), Some(waiting));
        let family = reopened.session_family(&session.family.id).await.unwrap();
        assert_eq!(family, Some(session.family.clone()));
        assert_eq!(
            reopened.provider_session(&provider.key_hash).await.unwrap(),
            Some(provider)
        );
        assert_eq!(
            reopened.provider_session(&ended.key_hash).await.unwrap(),
            None
        );
        // The used code stays used across the restart: a replay is still refused.
        let replay = reopened.redeem_authorization_code(&used, &another).await;
        assert!(
            matches!(replay, Err(StoreError::ConditionFailed)),
            "{replay:?}"
        );
    }

    #[tokio::test]
    async fn refused_writes_leave_the_whole_state_unchanged() {
        let fixture = on_file();
        let store = &fixture.store;
        let (email, now) = (new_email(), now());
        let first = request(&email, now);
        store.submit(&first).await.unwrap();
        let user = portal_user(&email);
        store.create_portal_user(&user).await.unwrap();
        let before = store.snapshot();

        let duplicate = request_with_id(first.registration.id().clone(), &email, now);
        assert!(store.submit(&duplicate).await.is_err());
        // Two wrong codes on one the store has seen once: the version is ahead.
        let once = wrong_code(&first, now);
        let stale = match once.verify(&wrong_attempt(&first), now) {
            Ok(Verification::WrongCode(next)) => next,
            other => panic!("a second wrong code: {other:?}"),
        };
        assert!(store.advance_registration(&stale, None).await.is_err());
        assert!(
            store
                .create_portal_user(&portal_user(&email))
                .await
                .is_err()
        );
        assert!(
            store
                .mark_email_sent("no-such-message", FIRST_TRY_OWNER, now)
                .await
                .is_err()
        );

        assert_eq!(store.snapshot(), before);
        let journal = fixture.journal();
        drop(fixture.store);
        let reopened = EmbeddedStore::open(&journal).unwrap();
        assert_eq!(reopened.snapshot(), before);
    }
}

mod dynamodb {
    use aws_sdk_dynamodb::types::AttributeValue;
    use portal_domain::organization::OrganizationChange;
    use portal_domain::page::PageRequest;
    use portal_domain::ports::MembershipStore;
    use portal_store::table::create_table_if_missing;

    use super::support::{moto_client, new_table_name, now, on_moto, organization, staff};

    /// Organizations stored before they had a version and a list entry: the item as it was,
    /// `data` without `version`, nothing on the index.
    #[tokio::test]
    async fn an_organization_stored_before_versions_changes_once_and_then_is_listed() {
        let fixture = on_moto().await;
        let store = &fixture.store;
        let old = organization();
        let mut data = serde_json::to_value(&old).unwrap();
        data.as_object_mut().unwrap().remove("version");
        store
            .client()
            .put_item()
            .table_name(store.table_name())
            .item("pk", AttributeValue::S(format!("ORG#{}", old.id)))
            .item("sk", AttributeValue::S("ORG".into()))
            .item("data", serde_dynamo::to_attribute_value(data).unwrap())
            .send()
            .await
            .unwrap();
        let read = store.organization(&old.id).await.unwrap().unwrap();
        assert_eq!(read.version, 1);
        assert!(
            store
                .organizations("", &PageRequest::first(10))
                .await
                .unwrap()
                .items
                .is_empty()
        );

        let change = OrganizationChange {
            roles: Some(Vec::new()),
            ..OrganizationChange::default()
        };
        let next = read.change(&staff(), &change, now());
        store.update_organization(&next).await.unwrap();

        let listed = store
            .organizations("", &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(listed.items, [next]);
        // The first change is the only one a missing version stands for.
        let stale = read.change(&staff(), &change, now());
        assert!(store.update_organization(&stale).await.is_err());
    }

    #[tokio::test]
    async fn creating_the_table_again_is_harmless() {
        let (client, table) = (moto_client().await, new_table_name());
        create_table_if_missing(&client, &table).await.unwrap();

        let again = create_table_if_missing(&client, &table).await;

        assert!(again.is_ok(), "{again:?}");
    }
}

//! Approval: one atomic write of the request, the user, its guards, the contact's link, the
//! invitation pointer and the email, or nothing at all.

use portal_domain::registration::RegistrationStatus;
use portal_domain::user::Grant;
use portal_domain::{Refusal, StoreError};
use portal_store::OutboxStatus;

use crate::support::{
    Subject, approval, linked, linked_in, now, portal_user, staff, unknown, verified_in,
};

pub async fn an_approval_processes_the_request_and_creates_the_invited_user(store: &impl Subject) {
    let (linked, contact) = linked_in(store).await;
    let approved = approval(&linked, Grant::default());

    store
        .approve_registration(&approved.next, &approved.user, &approved.email)
        .await
        .unwrap();

    let registration = store.registration(linked.id()).await.unwrap().unwrap();
    assert_eq!(registration.status(), RegistrationStatus::Processed);
    assert_eq!(registration, approved.next);
    let user = &approved.user;
    assert_eq!(
        store.portal_user(user.id()).await.unwrap().as_ref(),
        Some(user)
    );
    let by_username = store
        .portal_user_id_by_username(user.username().unwrap())
        .await;
    assert_eq!(by_username.unwrap().as_ref(), Some(user.id()));
    let contact = store.contact(&contact.id).await.unwrap().unwrap();
    assert_eq!(contact.portal_user_id.as_ref(), Some(user.id()));
    let by_email = store
        .contact_by_email(contact.email.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(by_email, Some(contact));
    assert_eq!(
        store.email_status(&approved.email.id).await,
        Some(OutboxStatus::Pending)
    );
}

pub async fn of_two_concurrent_approvals_from_one_version_exactly_one_wins(store: &impl Subject) {
    let (linked, _) = linked_in(store).await;
    let (one, other) = (
        approval(&linked, Grant::default()),
        approval(&linked, Grant::default()),
    );

    let results = tokio::join!(
        store.approve_registration(&one.next, &one.user, &one.email),
        store.approve_registration(&other.next, &other.user, &other.email),
    );

    let (winner, loser) = match results {
        (Ok(()), Err(StoreError::ConditionFailed)) => (one, other),
        (Err(StoreError::ConditionFailed), Ok(())) => (other, one),
        results => panic!("expected exactly one approval to win, got {results:?}"),
    };
    assert_eq!(
        store.registration(linked.id()).await.unwrap(),
        Some(winner.next)
    );
    assert!(store.portal_user(winner.user.id()).await.unwrap().is_some());
    assert_eq!(store.portal_user(loser.user.id()).await.unwrap(), None);
    assert_eq!(
        store.email_status(&winner.email.id).await,
        Some(OutboxStatus::Pending)
    );
    assert_eq!(store.email_status(&loser.email.id).await, None);
    assert_eq!(store.invited_user(&loser.token.hash()).await, None);
}

pub async fn a_second_approval_for_a_contact_with_a_user_is_refused_and_writes_nothing(
    store: &impl Subject,
) {
    let (first, contact) = linked_in(store).await;
    // Both requests are linked to the contact before either is approved.
    let second = linked(&verified_in(store, now()).await, &contact);
    store.link_existing_contact(&second).await.unwrap();
    let approved = approval(&first, Grant::default());
    store
        .approve_registration(&approved.next, &approved.user, &approved.email)
        .await
        .unwrap();
    let before = store.everything().await;

    let again = approval(&second, Grant::default());
    let result = store
        .approve_registration(&again.next, &again.user, &again.email)
        .await;

    // Its username is taken too, but the contact's user is the rule to report.
    assert!(
        matches!(
            result,
            Err(StoreError::Refused(Refusal::ContactHasPortalUser))
        ),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn an_approval_with_a_taken_username_is_refused_and_writes_nothing(store: &impl Subject) {
    let (linked, contact) = linked_in(store).await;
    store
        .create_portal_user(&portal_user(contact.email.as_ref().unwrap()))
        .await
        .unwrap();
    let approved = approval(&linked, Grant::default());
    let before = store.everything().await;

    let result = store
        .approve_registration(&approved.next, &approved.user, &approved.email)
        .await;

    assert!(
        matches!(result, Err(StoreError::Refused(Refusal::UsernameTaken))),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn an_approval_into_a_missing_organization_is_refused_and_writes_nothing(
    store: &impl Subject,
) {
    let (linked, _) = linked_in(store).await;
    let grant = Grant {
        roles: Vec::new(),
        organization_id: Some(unknown()),
    };
    let approved = approval(&linked, grant);
    let before = store.everything().await;

    let result = store
        .approve_registration(&approved.next, &approved.user, &approved.email)
        .await;

    assert!(
        matches!(
            result,
            Err(StoreError::Refused(Refusal::OrganizationMissing))
        ),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn an_approval_from_a_stale_version_is_refused_and_writes_nothing(store: &impl Subject) {
    let (linked, contact) = linked_in(store).await;
    // Linked once more than the store has seen: the approval's version is ahead.
    let relinked = linked.link_contact(&contact, &staff(), now()).unwrap();
    let stale = approval(&relinked, Grant::default());
    let before = store.everything().await;

    let result = store
        .approve_registration(&stale.next, &stale.user, &stale.email)
        .await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn an_approval_stores_the_invitation_tokens_hash_and_never_the_token(
    store: &impl Subject,
) {
    let (linked, _) = linked_in(store).await;
    let approved = approval(&linked, Grant::default());

    store
        .approve_registration(&approved.next, &approved.user, &approved.email)
        .await
        .unwrap();

    let everything = store.everything().await;
    assert!(!everything.contains(approved.token.as_str()));
    assert!(everything.contains(&approved.token.hash()));
    assert_eq!(
        store.invited_user(&approved.token.hash()).await,
        Some(approved.user.id().clone())
    );
}

//! Contacts, unique by email, and linking requests to them.

use portal_domain::registration::RegistrationStatus;
use portal_domain::user::Grant;
use portal_domain::{Refusal, StoreError};

use crate::support::{
    Subject, approval, contact_of, linked, linked_in, new_contact, new_email, now, verified_in,
};

pub async fn a_created_contact_is_found_by_id_email_and_name(store: &impl Subject) {
    let contact = new_contact(&new_email());
    let namesake = new_contact(&new_email());

    store.create_contact(&contact).await.unwrap();
    store.create_contact(&namesake).await.unwrap();

    let by_id = store.contact(&contact.id).await.unwrap();
    assert_eq!(by_id.as_ref(), Some(&contact));
    let by_email = store.contact_by_email(&contact.email).await.unwrap();
    assert_eq!(by_email.as_ref(), Some(&contact));
    let mut named = store.contacts_named("grace hopper", 10).await.unwrap();
    named.sort_by(|a, b| a.id.cmp(&b.id));
    let mut both = vec![contact, namesake];
    both.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(named, both);
    assert_eq!(
        store.contacts_named("grace hopper", 1).await.unwrap().len(),
        1
    );
    assert_eq!(store.contacts_named("grace", 10).await.unwrap(), Vec::new());
}

pub async fn a_second_contact_with_a_taken_email_is_refused_and_not_stored(store: &impl Subject) {
    let email = new_email();
    let first = new_contact(&email);
    store.create_contact(&first).await.unwrap();
    let before = store.everything().await;

    let result = store.create_contact(&new_contact(&email)).await;

    assert!(
        matches!(result, Err(StoreError::Refused(Refusal::ContactEmailTaken))),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
    assert_eq!(store.contact_by_email(&email).await.unwrap(), Some(first));
}

pub async fn linking_an_existing_contact_resolves_the_request(store: &impl Subject) {
    let registration = verified_in(store, now()).await;
    let contact = new_contact(&new_email());
    store.create_contact(&contact).await.unwrap();
    let next = linked(&registration, &contact);

    store.link_existing_contact(&next).await.unwrap();

    let stored = store.registration(next.id()).await.unwrap().unwrap();
    assert_eq!(stored.status(), RegistrationStatus::Resolved);
    assert_eq!(stored.contact().unwrap().id, contact.id);
    assert_eq!(stored, next);
}

pub async fn linking_a_missing_contact_is_refused_and_changes_nothing(store: &impl Subject) {
    let registration = verified_in(store, now()).await;
    let never_created = new_contact(&new_email());
    let next = linked(&registration, &never_created);
    let before = store.everything().await;

    let result = store.link_existing_contact(&next).await;

    assert!(
        matches!(result, Err(StoreError::Refused(Refusal::ContactMissing))),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn linking_a_contact_that_got_a_portal_user_is_refused_and_changes_nothing(
    store: &impl Subject,
) {
    let (first, contact) = linked_in(store).await;
    let second = verified_in(store, now()).await;
    // Read before the contact got its user: the race the store must catch.
    let late = linked(&second, &contact);
    let approved = approval(&first, Grant::default());
    store
        .approve_registration(&approved.next, &approved.user, &approved.email)
        .await
        .unwrap();
    let before = store.everything().await;

    let result = store.link_existing_contact(&late).await;

    assert!(
        matches!(
            result,
            Err(StoreError::Refused(Refusal::ContactHasPortalUser))
        ),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn linking_from_a_stale_version_is_refused_and_changes_nothing(store: &impl Subject) {
    let registration = verified_in(store, now()).await;
    let (one, other) = (new_contact(&new_email()), new_contact(&new_email()));
    store.create_contact(&one).await.unwrap();
    store.create_contact(&other).await.unwrap();
    store
        .link_existing_contact(&linked(&registration, &one))
        .await
        .unwrap();
    let before = store.everything().await;

    let stale = store
        .link_existing_contact(&linked(&registration, &other))
        .await;
    let stale_new = store
        .link_new_contact(&linked(&registration, &other), &contact_of(&registration))
        .await;

    assert!(
        matches!(stale, Err(StoreError::ConditionFailed)),
        "{stale:?}"
    );
    assert!(
        matches!(stale_new, Err(StoreError::ConditionFailed)),
        "{stale_new:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn linking_a_new_contact_creates_it_with_the_request(store: &impl Subject) {
    let registration = verified_in(store, now()).await;
    let contact = contact_of(&registration);
    let next = linked(&registration, &contact);

    store.link_new_contact(&next, &contact).await.unwrap();

    assert_eq!(store.registration(next.id()).await.unwrap(), Some(next));
    let found = [
        store.contact(&contact.id).await.unwrap(),
        store.contact_by_email(&contact.email).await.unwrap(),
    ];
    assert_eq!(found, [Some(contact.clone()), Some(contact.clone())]);
    let named = store.contacts_named(&contact.name_key(), 10).await.unwrap();
    assert_eq!(named, vec![contact]);
}

pub async fn linking_a_new_contact_with_a_taken_email_is_refused_and_writes_nothing(
    store: &impl Subject,
) {
    let registration = verified_in(store, now()).await;
    let existing = new_contact(registration.email());
    store.create_contact(&existing).await.unwrap();
    let contact = contact_of(&registration);
    let next = linked(&registration, &contact);
    let before = store.everything().await;

    let result = store.link_new_contact(&next, &contact).await;

    assert!(
        matches!(result, Err(StoreError::Refused(Refusal::ContactEmailTaken))),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
    assert_eq!(store.contact(&contact.id).await.unwrap(), None);
    assert_eq!(
        store.registration(registration.id()).await.unwrap(),
        Some(registration)
    );
}

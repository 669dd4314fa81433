//! Contacts, unique by email, and linking requests to them.

use portal_domain::contact::{Contact, ContactChange};
use portal_domain::ids::ContactId;
use portal_domain::page::PageRequest;
use portal_domain::registration::RegistrationStatus;
use portal_domain::types::{Company, PersonName, Phone};
use portal_domain::user::Grant;
use portal_domain::{Refusal, StoreError};

use crate::membership::invited_into;
use crate::support::{
    Subject, approval, contact_email, contact_of, linked, linked_in, new_contact, new_email, now,
    staff, verified_in,
};

pub async fn a_created_contact_is_found_by_id_email_and_name(store: &impl Subject) {
    let contact = new_contact(&new_email());
    let namesake = new_contact(&new_email());

    store.create_contact(&contact).await.unwrap();
    store.create_contact(&namesake).await.unwrap();

    let by_id = store.contact(&contact.id).await.unwrap();
    assert_eq!(by_id.as_ref(), Some(&contact));
    let by_email = store
        .contact_by_email(contact.email.as_ref().unwrap())
        .await
        .unwrap();
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
        store
            .contact_by_email(contact.email.as_ref().unwrap())
            .await
            .unwrap(),
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

/// A contact with a name, company and reference of the test's choosing.
fn person(first: &str, last: &str, company: Option<&str>, external_ref: Option<&str>) -> Contact {
    let mut contact = new_contact(&new_email());
    contact.first_name = PersonName::parse(first).expect("a name");
    contact.last_name = Some(PersonName::parse(last).expect("a name"));
    contact.company = company.map(|company| Company::parse(company).expect("a company"));
    contact.external_ref = external_ref.map(str::to_owned);
    contact
}

fn change(contact: &Contact, change: ContactChange) -> Contact {
    contact
        .change(&staff(), &change, now())
        .expect("a change staff may make")
}

async fn search(store: &impl Subject, prefix: &str, limit: u32) -> Vec<Contact> {
    let mut found = Vec::new();
    let mut page = PageRequest::first(limit);
    loop {
        let read = store.search_contacts(prefix, &page).await.unwrap();
        assert!(read.items.len() <= limit as usize);
        found.extend(read.items);
        match read.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => return found,
        }
    }
}

fn ids(contacts: &[Contact]) -> Vec<&ContactId> {
    contacts.iter().map(|contact| &contact.id).collect()
}

pub async fn contacts_are_found_by_the_start_of_their_name_email_or_company(store: &impl Subject) {
    let ada = person("Ada", "Lovelace", Some("Analytical Engines"), None);
    let alan = person("Alan", "Turing", Some("Analysis Ltd"), None);
    let hedy = person("Hedy", "Lamarr", Some("Mgm"), None);
    for contact in [&ada, &alan, &hedy] {
        store.create_contact(contact).await.unwrap();
    }
    // A contact a bulk invitation makes is found too (named Grace Hopper).
    let invitee = &invited_into(store, None, 1).await[0];
    let email_prefix: String = contact_email(&invitee.contact)
        .as_ref()
        .chars()
        .take(6)
        .collect();

    // Case and spacing aside; the name's order, then the id's.
    assert_eq!(ids(&search(store, "ada", 10).await), vec![&ada.id]);
    // By company: "analysis ltd" before "analytical engines".
    assert_eq!(ids(&search(store, "an", 10).await), vec![&alan.id, &ada.id]);
    assert_eq!(ids(&search(store, "an", 1).await), vec![&alan.id, &ada.id]);
    assert_eq!(ids(&search(store, "al", 10).await), vec![&alan.id]);
    assert_eq!(ids(&search(store, "analysis l", 10).await), vec![&alan.id]);
    assert_eq!(ids(&search(store, "hedy lamarr", 10).await), vec![&hedy.id]);
    assert_eq!(
        ids(&search(store, "grace hopper", 10).await),
        vec![&invitee.contact.id]
    );
    assert_eq!(
        ids(&search(store, &email_prefix, 10).await),
        vec![&invitee.contact.id]
    );
    assert_eq!(search(store, "zz", 10).await, Vec::new());
}

pub async fn a_search_cursor_of_another_search_is_refused(store: &impl Subject) {
    for (first, last) in [("Ada", "Lovelace"), ("Ada", "Byron")] {
        store
            .create_contact(&person(first, last, None, None))
            .await
            .unwrap();
    }
    let page = store
        .search_contacts("ad", &PageRequest::first(1))
        .await
        .unwrap();
    let cursor = page.next_cursor.expect("a second page");

    let other = PageRequest {
        limit: 1,
        cursor: Some(cursor),
    };
    let result = store.search_contacts("ada b", &other).await;

    assert!(
        matches!(result, Err(StoreError::InvalidCursor)),
        "{result:?}"
    );
}

pub async fn an_edited_contact_moves_its_guards_and_search_entries(store: &impl Subject) {
    let ada = person("Ada", "Lovelace", Some("Analytical Engines"), Some("CRM-1"));
    store.create_contact(&ada).await.unwrap();
    let new_address = new_email();

    let next = change(
        &ada,
        ContactChange {
            last_name: Some(PersonName::parse("King").unwrap()),
            email: Some(new_address.clone()),
            company: Some(None),
            external_ref: Some(Some("CRM-2".into())),
            ..ContactChange::default()
        },
    );
    store.update_contact(&ada, &next).await.unwrap();

    assert_eq!(store.contact(&ada.id).await.unwrap().as_ref(), Some(&next));
    assert_eq!(
        store.contact_by_email(&new_address).await.unwrap(),
        Some(next.clone())
    );
    assert_eq!(
        store
            .contact_by_email(ada.email.as_ref().unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(ids(&search(store, "ada king", 10).await), vec![&ada.id]);
    assert_eq!(search(store, "ada lovelace", 10).await, Vec::new());
    assert_eq!(search(store, "analytical", 10).await, Vec::new());
    // What the contact let go of, another may take; what it took, nobody else.
    store
        .create_contact(&new_contact(ada.email.as_ref().unwrap()))
        .await
        .unwrap();
    store
        .create_contact(&person("Other", "One", None, Some("CRM-1")))
        .await
        .unwrap();
    let taken = store
        .create_contact(&person("Other", "Two", None, Some("CRM-2")))
        .await;
    assert!(
        matches!(taken, Err(StoreError::Refused(Refusal::ExternalRefTaken))),
        "{taken:?}"
    );
}

pub async fn an_edit_to_a_taken_email_or_reference_is_refused_and_changes_nothing(
    store: &impl Subject,
) {
    let ada = person("Ada", "Lovelace", None, Some("CRM-1"));
    let grace = person("Grace", "Hopper", None, Some("CRM-2"));
    for contact in [&ada, &grace] {
        store.create_contact(contact).await.unwrap();
    }
    let before = store.everything().await;

    let to_email = change(
        &ada,
        ContactChange {
            email: Some(grace.email.clone().unwrap()),
            ..ContactChange::default()
        },
    );
    let to_reference = change(
        &ada,
        ContactChange {
            first_name: Some(PersonName::parse("Augusta").unwrap()),
            external_ref: Some(Some("CRM-2".into())),
            ..ContactChange::default()
        },
    );
    let email = store.update_contact(&ada, &to_email).await;
    let reference = store.update_contact(&ada, &to_reference).await;
    let created = store
        .create_contact(&person("Other", "One", None, Some("CRM-1")))
        .await;

    assert!(
        matches!(email, Err(StoreError::Refused(Refusal::ContactEmailTaken))),
        "{email:?}"
    );
    assert!(
        matches!(
            reference,
            Err(StoreError::Refused(Refusal::ExternalRefTaken))
        ),
        "{reference:?}"
    );
    assert!(
        matches!(created, Err(StoreError::Refused(Refusal::ExternalRefTaken))),
        "{created:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn an_edit_of_a_moved_contact_is_refused_and_changes_nothing(store: &impl Subject) {
    let ada = person("Ada", "Lovelace", None, None);
    store.create_contact(&ada).await.unwrap();
    let first = change(
        &ada,
        ContactChange {
            first_name: Some(PersonName::parse("Augusta").unwrap()),
            ..ContactChange::default()
        },
    );
    store.update_contact(&ada, &first).await.unwrap();
    let before = store.everything().await;

    // The second of two edits made from the same read.
    let second = change(
        &ada,
        ContactChange {
            phone: Some(Some(Phone::parse("+44 20 7946 0000").unwrap())),
            ..ContactChange::default()
        },
    );
    let stale = store.update_contact(&ada, &second).await;

    assert!(
        matches!(stale, Err(StoreError::ConditionFailed)),
        "{stale:?}"
    );
    assert_eq!(store.everything().await, before);
}

pub async fn an_edit_of_a_contact_that_got_a_portal_user_meanwhile_is_refused(
    store: &impl Subject,
) {
    let (registration, contact) = linked_in(store).await;
    let edit = change(
        &contact,
        ContactChange {
            first_name: Some(PersonName::parse("Augusta").unwrap()),
            ..ContactChange::default()
        },
    );
    let approved = approval(&registration, Grant::default());
    store
        .approve_registration(&approved.next, &approved.user, &approved.email)
        .await
        .unwrap();
    let before = store.everything().await;

    let result = store.update_contact(&contact, &edit).await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

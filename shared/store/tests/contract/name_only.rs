//! People known by name alone: a contact without email takes no address guard, and the
//! address its portal user confirms through their personal link goes to the user (as their
//! username) and to the contact in the invitation's accepting write, or nowhere.

use portal_adapters::OsRandomness;
use portal_domain::audit::{AuditAction, AuditEvent};
use portal_domain::contact::Contact;
use portal_domain::ids::Id;
use portal_domain::page::PageRequest;
use portal_domain::ports::{ContactEmail, NewMember};
use portal_domain::secret_token::SecretToken;
use portal_domain::types::{EmailAddress, PersonName, Username};
use portal_domain::user::{Grant, PortalUser, PortalUserStatus};
use portal_domain::{Refusal, StoreError};

use crate::support::{
    Subject, contact_named, invitation, new_contact, new_email, now, portal_user, profile, session,
    staff,
};

/// A contact typed in with a name alone.
fn named_only() -> Contact {
    contact_named("Ivan", "Petrov", None)
}

/// A name-only contact in `store` with its portal user, invited through a personal link.
async fn invited_by_name(store: &impl Subject) -> (Contact, PortalUser, SecretToken) {
    let contact = named_only();
    store.create_contact(&contact).await.expect("a name alone");
    let (token, invitation) = invitation(now());
    let invited = AuditEvent::new(&staff(), AuditAction::Invited, None, now());
    let user = PortalUser::invite(
        Id::generate(&OsRandomness),
        contact.id.clone(),
        None,
        None,
        Grant::default(),
        invitation,
        invited,
    );
    let written = store
        .add_members(&[NewMember::User {
            new_contact: None,
            user: user.clone(),
            email: None,
        }])
        .await
        .expect("the store answers");
    assert!(matches!(written[..], [Ok(())]), "{written:?}");
    let contact = store.contact(&contact.id).await.unwrap().expect("stored");
    (contact, user, token)
}

/// What accepting with `email` confirmed writes: the user's next version and the contact's.
fn confirmed(
    contact: &Contact,
    user: &PortalUser,
    token: &SecretToken,
    email: &EmailAddress,
) -> (PortalUser, ContactEmail) {
    let next = user
        .accept_invitation(
            &token.hash(),
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            Some(profile()),
            Some(email.clone()),
            now(),
        )
        .expect("a live invitation");
    let contact_email = ContactEmail {
        previous: contact.clone(),
        next: contact
            .confirm_email(&staff(), email, now())
            .expect("no email yet"),
        username_is_new: true,
    };
    (next, contact_email)
}

pub async fn contacts_known_by_name_alone_take_no_address(store: &impl Subject) {
    let (first, second) = (named_only(), named_only());
    store.create_contact(&first).await.unwrap();
    store.create_contact(&second).await.unwrap();
    assert_eq!(
        store.contact(&second.id).await.unwrap(),
        Some(second.clone())
    );
    let found = store
        .search_contacts("ivan pet", &PageRequest::first(10))
        .await
        .unwrap();
    let ids: Vec<_> = found.items.iter().map(|contact| &contact.id).collect();
    assert!(
        ids.contains(&&first.id) && ids.contains(&&second.id),
        "{ids:?}"
    );
}

pub async fn a_confirmed_address_goes_to_the_user_and_the_contact_in_one_write(
    store: &impl Subject,
) {
    let (contact, user, token) = invited_by_name(store).await;
    let email = new_email();
    let (next, contact_email) = confirmed(&contact, &user, &token, &email);
    let begun = session(&next);

    store
        .accept_invitation(&next, Some(&begun), Some(&contact_email))
        .await
        .unwrap();

    let stored = store.portal_user(user.id()).await.unwrap().unwrap();
    assert_eq!(stored.status(), PortalUserStatus::Active);
    assert_eq!(stored.email(), Some(email.clone()));
    let by_username = store
        .portal_user_by_username(&Username::of_email(&email))
        .await
        .unwrap();
    assert_eq!(
        by_username.map(|user| user.id().clone()),
        Some(user.id().clone())
    );
    let by_email = store.contact_by_email(&email).await.unwrap();
    assert_eq!(by_email.as_ref(), Some(&contact_email.next));
    let prefix: String = email.as_ref().chars().take(8).collect();
    let found = store
        .search_contacts(&prefix, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(found.items, vec![contact_email.next.clone()]);
}

/// Accepts a fresh name-only user's link with `email` confirmed, which must change nothing:
/// the store's answer.
async fn accepted_with_nothing_changed(
    store: &impl Subject,
    email: &EmailAddress,
) -> Result<(), StoreError> {
    let (contact, user, token) = invited_by_name(store).await;
    let (next, contact_email) = confirmed(&contact, &user, &token, email);
    let before = store.everything().await;
    let result = store
        .accept_invitation(&next, Some(&session(&next)), Some(&contact_email))
        .await;
    assert_eq!(store.everything().await, before);
    result
}

pub async fn a_confirmed_address_another_contact_has_is_refused_and_changes_nothing(
    store: &impl Subject,
) {
    let email = new_email();
    store.create_contact(&new_contact(&email)).await.unwrap();

    let result = accepted_with_nothing_changed(store, &email).await;

    assert!(
        matches!(result, Err(StoreError::Refused(Refusal::ContactEmailTaken))),
        "{result:?}"
    );
}

pub async fn a_confirmed_address_another_user_signs_in_with_is_refused_and_changes_nothing(
    store: &impl Subject,
) {
    let email = new_email();
    // A user whose username is the address, without a contact that has it.
    store
        .create_portal_user(&portal_user(&email))
        .await
        .unwrap();

    let result = accepted_with_nothing_changed(store, &email).await;

    assert!(
        matches!(result, Err(StoreError::Refused(Refusal::UsernameTaken))),
        "{result:?}"
    );
}

pub async fn a_confirmed_address_for_a_moved_contact_is_refused_and_changes_nothing(
    store: &impl Subject,
) {
    let (contact, user, token) = invited_by_name(store).await;
    let (next, contact_email) = confirmed(&contact, &user, &token, &new_email());
    // Staff edited the contact meanwhile.
    let edited = contact
        .change(
            &staff(),
            &portal_domain::contact::ContactChange {
                first_name: Some(PersonName::parse("Iwan").unwrap()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    store.update_contact(&contact, &edited).await.unwrap();
    let before = store.everything().await;

    let result = store
        .accept_invitation(&next, Some(&session(&next)), Some(&contact_email))
        .await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

//! Organizations and their members: organizations created once, members listed oldest
//! first a page at a time, bulk reads, bulk membership where every member is atomic on
//! its own, and a user's update with its invitation and email.

use portal_domain::contact::Contact;
use portal_domain::ids::{ContactId, OrganizationId, PortalUserId};
use portal_domain::organization::{Organization, OrganizationChange};
use portal_domain::page::{Page, PageRequest};
use portal_domain::ports::NewMember;
use portal_domain::types::Company;
use portal_domain::user::{AccessChange, PortalUser};
use portal_domain::{Refusal, StoreError};
use portal_store::OutboxStatus;
use time::Duration;

use crate::support::{
    Invitee, Subject, contact_email, invitation, invitation_email, invited_in, invitee,
    new_contact, new_email, now, organization, organization_in, portal_user, staff, unknown,
};

/// Every page of a members list, following the cursors to the end.
async fn all_pages(
    store: &impl Subject,
    organization_id: Option<&OrganizationId>,
    limit: u32,
) -> Vec<Page<PortalUser>> {
    let mut pages: Vec<Page<PortalUser>> = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .portal_users_in(organization_id, &PageRequest { limit, cursor })
            .await
            .unwrap();
        cursor = page.next_cursor.clone();
        pages.push(page);
        assert!(pages.len() <= 1000, "the cursors go round in circles");
        if cursor.is_none() {
            return pages;
        }
    }
}

/// The ids of every member of a list, in list order.
async fn listed(
    store: &impl Subject,
    organization_id: Option<&OrganizationId>,
) -> Vec<PortalUserId> {
    all_pages(store, organization_id, 100)
        .await
        .iter()
        .flat_map(|page| page.items.iter().map(|user| user.id().clone()))
        .collect()
}

/// `count` users to invite into `organization_id` with new contacts, created a second
/// apart an hour ago, in creation order.
fn invitees(organization_id: Option<&OrganizationId>, count: usize) -> Vec<Invitee> {
    let start = now() - Duration::hours(1);
    (0..count)
        .map(|n| {
            let at = start + Duration::seconds(n as i64);
            invitee(&new_contact(&new_email()), organization_id, at)
        })
        .collect()
}

/// Writes `invitees` in one call; every one must be written.
async fn write(store: &impl Subject, invitees: &[&Invitee]) {
    let members: Vec<NewMember> = invitees.iter().map(|i| i.with_new_contact()).collect();
    let results = store.add_members(&members).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
}

/// `count` users invited into `organization_id`, written in one call, in creation order.
pub(crate) async fn invited_into(
    store: &impl Subject,
    organization_id: Option<&OrganizationId>,
    count: usize,
) -> Vec<Invitee> {
    let invitees = invitees(organization_id, count);
    write(store, &invitees.iter().collect::<Vec<_>>()).await;
    invitees
}

/// How a member went, in a word.
fn outcome(result: &Result<(), StoreError>) -> String {
    match result {
        Ok(()) => "written".into(),
        Err(StoreError::Refused(refusal)) => format!("{refusal:?}"),
        Err(StoreError::ConditionFailed) => "ConditionFailed".into(),
        Err(other) => panic!("a member failed for no rule: {other:?}"),
    }
}

fn ids(invitees: &[Invitee]) -> Vec<PortalUserId> {
    invitees
        .iter()
        .map(|invitee| invitee.user.id().clone())
        .collect()
}

fn moved(user: &PortalUser, organization_id: Option<&OrganizationId>) -> PortalUser {
    let change = AccessChange {
        organization_id: Some(organization_id.cloned()),
        ..AccessChange::default()
    };
    user.change_access(&staff(), &change, now())
}

fn sorted_by_id<T>(mut values: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
    values.sort_by(|a, b| id(a).cmp(id(b)));
    values
}

pub async fn an_organization_reads_back_equal_and_its_id_is_never_taken_twice(
    store: &impl Subject,
) {
    let acme = organization();

    store.create_organization(&acme).await.unwrap();

    let stored = store.organization(&acme.id).await.unwrap();
    assert_eq!(stored.as_ref(), Some(&acme));
    let before = store.everything().await;
    let mut again = organization();
    again.id = acme.id.clone();
    let result = store.create_organization(&again).await;
    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
    assert_eq!(store.organization(&acme.id).await.unwrap(), Some(acme));
    assert_eq!(store.organization(&unknown()).await.unwrap(), None);
}

pub async fn members_page_oldest_first_without_losing_or_repeating_one(store: &impl Subject) {
    let (acme, other) = (organization_in(store).await, organization_in(store).await);
    let members = invitees(Some(&acme.id), 7);
    // Written newest first, so the list order is the creation order, not the write order.
    write(store, &members.iter().rev().collect::<Vec<_>>()).await;
    let others = invited_into(store, Some(&other.id), 2).await;
    let outside = invited_into(store, None, 2).await;

    let pages = all_pages(store, Some(&acme.id), 3).await;

    let sizes: Vec<usize> = pages.iter().map(|page| page.items.len()).collect();
    assert_eq!(sizes, vec![3, 3, 1]);
    let listed_ids: Vec<PortalUserId> = pages
        .iter()
        .flat_map(|page| page.items.iter().map(|user| user.id().clone()))
        .collect();
    assert_eq!(listed_ids, ids(&members));
    let users: Vec<&PortalUser> = pages.iter().flat_map(|page| &page.items).collect();
    assert!(
        users
            .windows(2)
            .all(|w| w[0].created_at() < w[1].created_at())
    );
    assert_eq!(users[0], &members[0].user);
    assert_eq!(listed(store, Some(&other.id)).await, ids(&others));
    assert_eq!(listed(store, None).await, ids(&outside));
    let empty = store
        .portal_users_in(Some(&organization().id), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(empty.items, Vec::new());
    assert_eq!(empty.next_cursor, None);
}

pub async fn a_members_cursor_of_another_list_is_refused(store: &impl Subject) {
    let (acme, other) = (organization_in(store).await, organization_in(store).await);
    invited_into(store, Some(&acme.id), 2).await;
    invited_into(store, None, 2).await;
    let first = store
        .portal_users_in(Some(&acme.id), &PageRequest::first(1))
        .await
        .unwrap();
    let cursor = first.next_cursor.expect("a second member");
    let in_none = store
        .portal_users_in(None, &PageRequest::first(1))
        .await
        .unwrap()
        .next_cursor
        .expect("a second user in no organization");

    let attempts = [
        (Some(&other.id), cursor.clone()),
        (None, cursor),
        (Some(&acme.id), in_none),
        (Some(&acme.id), "not a cursor!".to_owned()),
        (None, String::new()),
    ];
    for (organization_id, cursor) in attempts {
        let page = PageRequest {
            limit: 10,
            cursor: Some(cursor.clone()),
        };
        let result = store.portal_users_in(organization_id, &page).await;
        assert!(
            matches!(result, Err(StoreError::InvalidCursor)),
            "{cursor:?} on {organization_id:?}: {result:?}"
        );
    }
}

pub async fn contacts_and_users_are_found_in_bulk_and_unknown_ones_left_out(store: &impl Subject) {
    let invitees = invited_into(store, None, 3).await;
    let mut emails: Vec<_> = invitees.iter().map(|i| contact_email(&i.contact)).collect();
    emails.extend([new_email(), new_email(), emails[0].clone()]);
    let mut user_ids = ids(&invitees);
    user_ids.extend([unknown(), user_ids[1].clone()]);

    let contacts = store.contacts_by_emails(&emails).await.unwrap();
    let users = store.portal_users_by_ids(&user_ids).await.unwrap();

    let expected: Vec<Contact> = invitees.iter().map(Invitee::linked_contact).collect();
    assert_eq!(
        sorted_by_id(contacts, |c| &c.id),
        sorted_by_id(expected, |c| &c.id)
    );
    let expected: Vec<PortalUser> = invitees.iter().map(|i| i.user.clone()).collect();
    assert_eq!(
        sorted_by_id(users, |u| u.id()),
        sorted_by_id(expected, |u| u.id())
    );
    assert_eq!(store.contacts_by_emails(&[]).await.unwrap(), Vec::new());
    assert_eq!(store.portal_users_by_ids(&[]).await.unwrap(), Vec::new());
    assert_eq!(store.contacts_by_ids(&[]).await.unwrap(), Vec::new());
    let unknown_contacts = store.contacts_by_emails(&[new_email()]).await.unwrap();
    assert_eq!(unknown_contacts, Vec::new());

    let mut contact_ids: Vec<ContactId> = invitees.iter().map(|i| i.contact.id.clone()).collect();
    contact_ids.extend([unknown(), contact_ids[2].clone()]);
    let by_id = store.contacts_by_ids(&contact_ids).await.unwrap();
    let expected: Vec<Contact> = invitees.iter().map(Invitee::linked_contact).collect();
    assert_eq!(
        sorted_by_id(by_id, |c| &c.id),
        sorted_by_id(expected, |c| &c.id)
    );
}

pub async fn each_member_is_written_or_refused_on_its_own(store: &impl Subject) {
    let acme = organization_in(store).await;
    let at = now();
    // Written before: a contact without a user, one with a user, a user in no organization.
    let free = new_contact(&new_email());
    store.create_contact(&free).await.unwrap();
    let taken = invited_into(store, None, 1).await.remove(0);
    let outsider = invited_into(store, None, 1).await.remove(0);
    // Another user has this contact's address as username already.
    let shadowed = new_contact(&new_email());
    store.create_contact(&shadowed).await.unwrap();
    let shadow = portal_user(shadowed.email.as_ref().unwrap());
    store.create_portal_user(&shadow).await.unwrap();

    let fresh = invitee(&new_contact(&new_email()), Some(&acme.id), at);
    let existing = invitee(&free, Some(&acme.id), at);
    let joined = moved(&outsider.user, Some(&acme.id));
    let email_taken = invitee(
        &new_contact(taken.contact.email.as_ref().unwrap()),
        Some(&acme.id),
        at,
    );
    let username_taken = invitee(&shadowed, Some(&acme.id), at);
    // One change more than the store has seen: its version is ahead.
    let stale = moved(&taken.user, Some(&acme.id)).unlock(&staff(), now());
    let has_user = invitee(&taken.contact, Some(&acme.id), at);
    let missing = invitee(&new_contact(&new_email()), Some(&acme.id), at);
    // The same new address twice in one call: the first one gets it.
    let twice = invitee(
        &new_contact(fresh.contact.email.as_ref().unwrap()),
        Some(&acme.id),
        at,
    );
    let refused = [&email_taken, &username_taken, &has_user, &missing, &twice];
    let contacts_before = [
        store.contact(&free.id).await.unwrap(),
        store.contact(&taken.contact.id).await.unwrap(),
        store.contact(&shadowed.id).await.unwrap(),
    ];

    let results = store
        .add_members(&[
            fresh.with_new_contact(),
            email_taken.with_new_contact(),
            existing.for_existing_contact(),
            username_taken.for_existing_contact(),
            NewMember::Update(joined.clone()),
            NewMember::Update(stale.clone()),
            has_user.for_existing_contact(),
            missing.for_existing_contact(),
            twice.with_new_contact(),
        ])
        .await
        .unwrap();

    let outcomes: Vec<String> = results.iter().map(outcome).collect();
    let expected = [
        "written",
        "ContactEmailTaken",
        "written",
        "UsernameTaken",
        "written",
        "ConditionFailed",
        "ContactHasPortalUser",
        "ContactMissing",
        "ContactEmailTaken",
    ];
    assert_eq!(outcomes, expected);

    // The written ones are all there.
    // The list's order: by creation, then by id.
    let mut written = vec![&fresh.user, &existing.user, &joined];
    written.sort_by_key(|user| (user.created_at(), user.id().clone()));
    let written: Vec<PortalUserId> = written.into_iter().map(|user| user.id().clone()).collect();
    assert_eq!(listed(store, Some(&acme.id)).await, written);
    let outside = vec![taken.user.id().clone(), shadow.id().clone()];
    assert_eq!(listed(store, None).await, outside);
    assert_eq!(store.portal_user(joined.id()).await.unwrap(), Some(joined));
    for invitee in [&fresh, &existing] {
        let user = Some(invitee.user.clone());
        assert_eq!(store.portal_user(invitee.user.id()).await.unwrap(), user);
        let by_token = store.portal_user_by_invitation(&invitee.token.hash()).await;
        assert_eq!(by_token.unwrap(), user);
        let contact = store
            .contact_by_email(invitee.contact.email.as_ref().unwrap())
            .await;
        assert_eq!(contact.unwrap(), Some(invitee.linked_contact()));
        let status = store.email_status(&invitee.email.id).await;
        assert_eq!(status, Some(OutboxStatus::Pending));
    }
    // The refused ones wrote nothing at all.
    let everything = store.everything().await;
    for invitee in refused {
        assert!(
            !everything.contains(invitee.user.id().as_str()),
            "{:?}",
            invitee.user
        );
        assert!(!everything.contains(&invitee.email.id));
        assert!(!everything.contains(&invitee.token.hash()));
    }
    for contact in [&email_taken.contact, &missing.contact, &twice.contact] {
        assert!(!everything.contains(contact.id.as_str()));
    }
    assert_eq!(
        store.portal_user(taken.user.id()).await.unwrap(),
        Some(taken.user)
    );
    let contacts_after = [
        store.contact(&free.id).await.unwrap(),
        store.contact(&taken.contact.id).await.unwrap(),
        store.contact(&shadowed.id).await.unwrap(),
    ];
    assert_eq!(contacts_after[1..], contacts_before[1..]);
    assert_eq!(contacts_after[0], Some(existing.linked_contact()));
}

pub async fn refused_members_write_nothing(store: &impl Subject) {
    let taken = invited_into(store, None, 1).await.remove(0);
    let shadowed = new_contact(&new_email());
    store.create_contact(&shadowed).await.unwrap();
    store
        .create_portal_user(&portal_user(shadowed.email.as_ref().unwrap()))
        .await
        .unwrap();
    // One change more than the store has seen: its version is ahead.
    let stale = moved(&taken.user, None).unlock(&staff(), now());
    let at = now();
    let before = store.everything().await;

    let results = store
        .add_members(&[
            invitee(
                &new_contact(taken.contact.email.as_ref().unwrap()),
                None,
                at,
            )
            .with_new_contact(),
            invitee(&shadowed, None, at).for_existing_contact(),
            invitee(&taken.contact, None, at).for_existing_contact(),
            NewMember::Update(stale),
        ])
        .await
        .unwrap();

    assert!(results.iter().all(Result::is_err), "{results:?}");
    assert_eq!(store.everything().await, before);
}

pub async fn members_of_a_missing_organization_are_refused_and_the_others_written(
    store: &impl Subject,
) {
    let acme = organization_in(store).await;
    let outsider = invited_into(store, None, 1).await.remove(0);
    let nowhere = organization().id;
    let at = now();
    let lost: Vec<Invitee> = (0..3)
        .map(|_| invitee(&new_contact(&new_email()), Some(&nowhere), at))
        .collect();
    let mut members: Vec<NewMember> = lost.iter().map(Invitee::with_new_contact).collect();
    members.push(NewMember::Update(moved(&outsider.user, Some(&nowhere))));
    let before = store.everything().await;

    let results = store.add_members(&members).await.unwrap();

    assert_eq!(results.len(), 4);
    for result in &results {
        assert!(
            matches!(
                result,
                Err(StoreError::Refused(Refusal::OrganizationMissing))
            ),
            "{results:?}"
        );
    }
    assert_eq!(store.everything().await, before);

    // Alongside members of an existing organization, only the lost ones are refused.
    let found = invitee(&new_contact(&new_email()), Some(&acme.id), at);
    let mixed = [
        lost[0].with_new_contact(),
        found.with_new_contact(),
        NewMember::Update(moved(&outsider.user, Some(&acme.id))),
        lost[1].with_new_contact(),
    ];
    let results = store.add_members(&mixed).await.unwrap();

    assert!(results[1].is_ok() && results[2].is_ok(), "{results:?}");
    for result in [&results[0], &results[3]] {
        assert!(
            matches!(
                result,
                Err(StoreError::Refused(Refusal::OrganizationMissing))
            ),
            "{results:?}"
        );
    }
    // The outsider was created first, an hour ago.
    let expected = vec![outsider.user.id().clone(), found.user.id().clone()];
    assert_eq!(listed(store, Some(&acme.id)).await, expected);
    assert_eq!(
        listed(store, Some(&nowhere)).await,
        Vec::<PortalUserId>::new()
    );
}

/// Several transactions' worth on DynamoDB (100 items each), and more than one batch read
/// (100 keys each).
const MANY: usize = 150;

pub async fn a_hundred_and_fifty_members_in_one_call_all_land_and_are_found_in_bulk(
    store: &impl Subject,
) {
    let acme = organization_in(store).await;

    let invitees = invited_into(store, Some(&acme.id), MANY).await;

    assert_eq!(listed(store, Some(&acme.id)).await, ids(&invitees));
    for invitee in &invitees {
        assert_eq!(
            store.invited_user(&invitee.token.hash()).await,
            Some(invitee.user.id().clone())
        );
        assert_eq!(
            store.email_status(&invitee.email.id).await,
            Some(OutboxStatus::Pending)
        );
    }
    let mut emails: Vec<_> = invitees.iter().map(|i| contact_email(&i.contact)).collect();
    emails.extend((0..30).map(|_| new_email()));
    emails.extend(emails[..5].to_vec());
    let mut user_ids = ids(&invitees);
    user_ids.extend((0..30).map(|_| unknown()));
    user_ids.extend(user_ids[..5].to_vec());
    let contacts = store.contacts_by_emails(&emails).await.unwrap();
    let users = store.portal_users_by_ids(&user_ids).await.unwrap();
    let expected: Vec<Contact> = invitees.iter().map(Invitee::linked_contact).collect();
    assert_eq!(
        sorted_by_id(contacts, |c| &c.id),
        sorted_by_id(expected, |c| &c.id)
    );
    let expected: Vec<PortalUser> = invitees.iter().map(|i| i.user.clone()).collect();
    assert_eq!(
        sorted_by_id(users, |u| u.id()),
        sorted_by_id(expected, |u| u.id())
    );
}

pub async fn no_members_is_no_outcomes(store: &impl Subject) {
    let before = store.everything().await;

    let results = store.add_members(&[]).await.unwrap();

    assert!(results.is_empty());
    assert_eq!(store.everything().await, before);
}

pub async fn updating_a_user_from_a_stale_version_is_refused_and_writes_nothing(
    store: &impl Subject,
) {
    let invited = invited_in(store).await;
    let (token, invitation) = invitation(now());
    // One change more than the store has seen: its version is ahead.
    let stale = invited
        .user
        .reinvite(&staff(), invitation, now())
        .unwrap()
        .unlock(&staff(), now());
    let email = invitation_email(
        stale.email().as_ref().unwrap(),
        "Ada",
        &token,
        stale.invitation().unwrap(),
    );
    let before = store.everything().await;

    let result = store.update_portal_user(&stale, Some(&email)).await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
    assert_eq!(
        store
            .portal_user_by_invitation(&token.hash())
            .await
            .unwrap(),
        None
    );
}

pub async fn a_new_invitation_is_found_by_its_hash_and_its_email_is_pending(store: &impl Subject) {
    let invited = invited_in(store).await;
    let (token, invitation) = invitation(now());
    let next = invited.user.reinvite(&staff(), invitation, now()).unwrap();
    let email = invitation_email(
        next.email().as_ref().unwrap(),
        "Ada",
        &token,
        next.invitation().unwrap(),
    );

    store.update_portal_user(&next, Some(&email)).await.unwrap();

    let by_token = store
        .portal_user_by_invitation(&token.hash())
        .await
        .unwrap();
    assert_eq!(by_token.as_ref(), Some(&next));
    assert_eq!(
        store.email_status(&email.id).await,
        Some(OutboxStatus::Pending)
    );
    assert_eq!(store.portal_user(next.id()).await.unwrap(), Some(next));
    assert!(!store.everything().await.contains(token.as_str()));
}

pub async fn a_moved_user_is_listed_in_its_new_organization_only(store: &impl Subject) {
    let (acme, other) = (organization_in(store).await, organization_in(store).await);
    let members = invited_into(store, Some(&acme.id), 3).await;
    let user = &members[1].user;

    let next = moved(user, Some(&other.id));
    store.update_portal_user(&next, None).await.unwrap();

    assert_eq!(
        listed(store, Some(&other.id)).await,
        vec![user.id().clone()]
    );
    let rest = vec![members[0].user.id().clone(), members[2].user.id().clone()];
    assert_eq!(listed(store, Some(&acme.id)).await, rest);
    assert_eq!(
        store.portal_user(user.id()).await.unwrap(),
        Some(next.clone())
    );

    let out = moved(&next, None);
    store.update_portal_user(&out, None).await.unwrap();

    assert_eq!(
        listed(store, Some(&other.id)).await,
        Vec::<PortalUserId>::new()
    );
    assert_eq!(listed(store, None).await, vec![user.id().clone()]);
}

pub async fn moving_a_user_into_a_missing_organization_is_refused_and_writes_nothing(
    store: &impl Subject,
) {
    let members = invited_into(store, None, 1).await;
    let next = moved(&members[0].user, Some(&organization().id));
    let before = store.everything().await;

    let result = store.update_portal_user(&next, None).await;

    assert!(
        matches!(
            result,
            Err(StoreError::Refused(Refusal::OrganizationMissing))
        ),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
}

fn named(name: &str) -> Organization {
    Organization {
        name: Company::parse(name).expect("a company"),
        ..organization()
    }
}

/// Every page of the organizations whose search key starts with `prefix`, by name.
async fn all_organizations(store: &impl Subject, prefix: &str, limit: u32) -> Vec<String> {
    let mut names = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .organizations(prefix, &PageRequest { limit, cursor })
            .await
            .unwrap();
        names.extend(page.items.iter().map(|found| found.name.to_string()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return names,
        }
    }
}

pub async fn organizations_are_listed_by_name_and_found_by_the_start_of_it(store: &impl Subject) {
    for name in ["Globex", "Acme  Ltd", "acme gmbh", "Initech", "ACME"] {
        store.create_organization(&named(name)).await.unwrap();
    }

    assert_eq!(
        all_organizations(store, "", 2).await,
        ["ACME", "acme gmbh", "Acme  Ltd", "Globex", "Initech"]
    );
    assert_eq!(
        all_organizations(store, "acme ", 1).await,
        ["acme gmbh", "Acme  Ltd"]
    );
    assert_eq!(all_organizations(store, "in", 10).await, ["Initech"]);
    assert!(all_organizations(store, "zz", 10).await.is_empty());
}

pub async fn an_organizations_cursor_of_another_search_is_refused(store: &impl Subject) {
    for name in ["Acme", "Acme Two", "Acme Three"] {
        store.create_organization(&named(name)).await.unwrap();
    }
    let first = store
        .organizations("acme", &PageRequest::first(1))
        .await
        .unwrap();
    let cursor = first.next_cursor.expect("a second page");

    for prefix in ["", "acm", "b"] {
        let page = PageRequest {
            limit: 1,
            cursor: Some(cursor.clone()),
        };
        assert!(matches!(
            store.organizations(prefix, &page).await,
            Err(StoreError::InvalidCursor)
        ));
    }
}

pub async fn a_renamed_organization_moves_on_the_list(store: &impl Subject) {
    let globex = named("Globex");
    store.create_organization(&globex).await.unwrap();
    store.create_organization(&named("Initech")).await.unwrap();
    let change = OrganizationChange {
        name: Some(Company::parse("Acme").unwrap()),
        ..OrganizationChange::default()
    };
    let renamed = globex.change(&staff(), &change, now());

    store.update_organization(&renamed).await.unwrap();

    assert_eq!(all_organizations(store, "", 10).await, ["Acme", "Initech"]);
    assert!(all_organizations(store, "glo", 10).await.is_empty());
    assert_eq!(store.organization(&globex.id).await.unwrap(), Some(renamed));
}

pub async fn an_organization_update_from_a_stale_version_is_refused_and_writes_nothing(
    store: &impl Subject,
) {
    let acme = organization_in(store).await;
    let change = OrganizationChange {
        roles: Some(Vec::new()),
        ..OrganizationChange::default()
    };
    store
        .update_organization(&acme.change(&staff(), &change, now()))
        .await
        .unwrap();
    let before = store.everything().await;
    let stale = acme.change(&staff(), &OrganizationChange::default(), now());

    let result = store.update_organization(&stale).await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(store.everything().await, before);
    let unknown = named("Nowhere").change(&staff(), &change, now());
    assert!(matches!(
        store.update_organization(&unknown).await,
        Err(StoreError::ConditionFailed)
    ));
}

pub async fn every_user_is_listed_oldest_first_whatever_their_organization(store: &impl Subject) {
    let acme = organization_in(store).await;
    // Written newest first; then one alone, as staff create one, and one moved later.
    let members = invitees(Some(&acme.id), 3);
    write(store, &members.iter().rev().collect::<Vec<_>>()).await;
    let outside = invited_into(store, None, 2).await;
    let created = portal_user_created_alone(store).await;
    let moved_user = moved(&outside[0].user, Some(&acme.id));
    let outcomes = store
        .add_members(&[NewMember::Update(moved_user)])
        .await
        .unwrap();
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");

    let mut everyone = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let read = store.all_portal_users(&page).await.unwrap();
        assert!(read.items.len() <= 2);
        everyone.extend(read.items.iter().map(|user| user.id().clone()));
        match read.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }

    // Oldest first (the two batches were created over the same seconds), ids breaking ties.
    let mut expected: Vec<(time::OffsetDateTime, PortalUserId)> = members
        .iter()
        .chain(&outside)
        .map(|invitee| (invitee.user.created_at(), invitee.user.id().clone()))
        .collect();
    expected.push((created.1.created_at(), created.0));
    expected.sort();
    let expected: Vec<PortalUserId> = expected.into_iter().map(|(_, id)| id).collect();
    assert_eq!(everyone, expected);
    let other_list = PageRequest {
        limit: 2,
        cursor: store
            .portal_users_in(None, &PageRequest::first(1))
            .await
            .unwrap()
            .next_cursor,
    };
    let refused = store.all_portal_users(&other_list).await;
    assert!(
        matches!(refused, Err(StoreError::InvalidCursor)),
        "{refused:?}"
    );
}

/// A user created on their own (`create_portal_user`), the newest of all: their id.
async fn portal_user_created_alone(store: &impl Subject) -> (PortalUserId, PortalUser) {
    let user = invitee(&new_contact(&new_email()), None, now()).user;
    store.create_portal_user(&user).await.unwrap();
    (user.id().clone(), user)
}

//! How domain values lie in the table. Each entity keeps its domain struct under `data`
//! (so its field names never clash with key attributes) next to the key, index and TTL
//! attributes derived from it, which are recomputed on every write.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use portal_domain::StoreError;
use portal_domain::contact::{Contact, SearchField};
use portal_domain::ids::{Id, IdKind, OrganizationId};
use portal_domain::import::{ImportChunk, ImportJob};
use portal_domain::invitation::InvitationStatus;
use portal_domain::login::LoginEvent;
use portal_domain::organization::Organization;
use portal_domain::outbox::{FIRST_TRY_OWNER, OutboxMessage};
use portal_domain::password_reset::PasswordReset;
use portal_domain::registration::{Registration, RegistrationStatus};
use portal_domain::session::{RefreshStatus, RefreshToken, SessionFamily};
use portal_domain::types::{EmailAddress, Username};
use portal_domain::user::PortalUser;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::errors::malformed_item;
use crate::records::{PortalUserRecord, RegistrationRecord};
use crate::review_queue::{self, Resume};
use crate::table::{EXPIRES_AT, GSI1_PK, GSI1_SK, PK, SK};
use crate::{OutboxStatus, contact_search, dead_letters, members, organization_list, sortable};

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) const DATA: &str = "data";
pub(crate) const VERSION: &str = "version";
pub(crate) const STATUS: &str = "status";
pub(crate) const COUNT: &str = "count";
pub(crate) const SENT_AT: &str = "sent_at";
/// On an outbox message: tries so far, who holds it until when, when it is due next,
/// and why the last try failed.
pub(crate) const ATTEMPTS: &str = "attempts";
pub(crate) const CLAIM_OWNER: &str = "claim_owner";
pub(crate) const CLAIM_UNTIL: &str = "claim_until";
pub(crate) const NEXT_TRY_AT: &str = "next_try_at";
pub(crate) const LAST_ERROR: &str = "last_error";
pub(crate) const DIED_AT: &str = "died_at";
/// On an outbox message: the staff requeues after it died (a list of audit events).
pub(crate) const REQUEUES: &str = "requeues";
/// The index partition of the messages waiting for delivery.
pub(crate) const PENDING_LIST: &str = "OUTBOX#pending";
/// On a contact: its portal user's id, also on top of `data` so conditions can test it.
/// On the username and invitation guards: whose they are.
pub(crate) const PORTAL_USER_ID: &str = "portal_user_id";
pub(crate) const CONTACT_ID: &str = "contact_id";
/// On a session family once it is revoked, so a rotation's condition can test it.
pub(crate) const REVOKED_AT: &str = "revoked_at";
/// On a password reset: whether it was used, so completing it can be conditional. On an
/// authorization code: there (`true`) once it was redeemed, so it is redeemed only once.
pub(crate) const USED: &str = "used";
/// On an import chunk once its results are recorded.
pub(crate) const DONE: &str = "done";
/// The index partition of the import jobs still to run.
pub(crate) const OPEN_IMPORTS: &str = "IMPORTS#open";
/// The index partition of every OpenID client, listed by name.
pub(crate) const OIDC_CLIENTS: &str = "OIDCCLIENTS";
/// Where a user's login events start among the items of the user's partition.
pub(crate) const LOGIN_PREFIX: &str = "LOGIN#";

pub(crate) fn registration_key(id: &str) -> Item {
    key(format!("REG#{id}"), "REG")
}

pub(crate) fn outbox_key(id: &str) -> Item {
    key(format!("OUTBOX#{id}"), "OUTBOX")
}

pub(crate) fn throttle_key(window_key: &str) -> Item {
    key(format!("THROTTLE#{window_key}"), "THROTTLE")
}

/// A username's login failures, by `LoginGuard::key_for` (a hash, never the address).
pub(crate) fn login_guard_key(guard_key: &str) -> Item {
    key(format!("GUARD#{guard_key}"), "GUARD")
}

pub(crate) fn portal_user_key(id: &str) -> Item {
    key(format!("USER#{id}"), "USER")
}

pub(crate) fn username_key(username: &Username) -> Item {
    key(format!("USERNAME#{username}"), "USERNAME")
}

pub(crate) fn contact_key(id: &str) -> Item {
    key(format!("CONTACT#{id}"), "CONTACT")
}

pub(crate) fn contact_email_key(email: &EmailAddress) -> Item {
    key(format!("EMAIL#{email}"), "EMAIL")
}

pub(crate) fn external_ref_key(external_ref: &str) -> Item {
    key(format!("EXTREF#{external_ref}"), "EXTREF")
}

/// A contact's search entry for one field lies in the contact's partition.
pub(crate) fn contact_search_key(contact_id: &str, field: SearchField) -> Item {
    key(
        format!("CONTACT#{contact_id}"),
        &["SEARCH#", contact_search::code(field)].concat(),
    )
}

pub(crate) fn invitation_key(token_hash: &str) -> Item {
    key(format!("INV#{token_hash}"), "INV")
}

pub(crate) fn session_family_key(id: &str) -> Item {
    key(format!("FAMILY#{id}"), "FAMILY")
}

pub(crate) fn refresh_token_key(token_hash: &str) -> Item {
    key(format!("REFRESH#{token_hash}"), "REFRESH")
}

pub(crate) fn password_reset_key(token_hash: &str) -> Item {
    key(format!("RESET#{token_hash}"), "RESET")
}

/// A staff sign-in on its way, by the hash of its `state`.
pub(crate) fn staff_sign_in_key(state_hash: &str) -> Item {
    key(format!("STAFFSIGNIN#{state_hash}"), "STAFFSIGNIN")
}

/// A staff session, by the hash of its cookie.
pub(crate) fn staff_session_key(key_hash: &str) -> Item {
    key(format!("STAFFSESSION#{key_hash}"), "STAFFSESSION")
}

/// An app registered with our OpenID provider.
pub(crate) fn oidc_client_key(id: &str) -> Item {
    key(format!("OIDCCLIENT#{id}"), "OIDCCLIENT")
}

/// An authorization code, by the hash of the code the app holds.
pub(crate) fn authorization_code_key(code_hash: &str) -> Item {
    key(format!("OIDCCODE#{code_hash}"), "OIDCCODE")
}

/// A person's session at our OpenID provider, by the hash of its cookie.
pub(crate) fn provider_session_key(key_hash: &str) -> Item {
    key(format!("OIDCSESSION#{key_hash}"), "OIDCSESSION")
}

pub(crate) fn organization_key(id: &str) -> Item {
    key(format!("ORG#{id}"), "ORG")
}

pub(crate) fn import_key(id: &str) -> Item {
    key(format!("IMPORT#{id}"), "IMPORT")
}

/// A job's chunk lies in the job's partition, in index order.
pub(crate) fn chunk_key(id: &str, index: u32) -> Item {
    key(format!("IMPORT#{id}"), &format!("CHUNK{index:010}"))
}

/// The index partition of the contacts whose `name_key()` is `name_key`.
pub(crate) fn contact_name_list(name_key: &str) -> String {
    format!("CONTACTNAME#{name_key}")
}

/// The full key of a request's entry in the review queue index, as a Query resumes from it.
pub(crate) fn queue_entry_key(status: RegistrationStatus, resume: &Resume) -> Item {
    list_entry_key(
        registration_key(&resume.id),
        review_queue::list(status),
        resume,
    )
}

/// The full key of a user's entry in a members list, as a Query resumes from it.
pub(crate) fn members_entry_key(organization_id: Option<&OrganizationId>, resume: &Resume) -> Item {
    list_entry_key(
        portal_user_key(&resume.id),
        members::list(organization_id),
        resume,
    )
}

/// The full key of an organization's entry in the organizations list.
pub(crate) fn organization_entry_key(resume: &Resume) -> Item {
    list_entry_key(
        organization_key(&resume.id),
        organization_list::LIST.to_owned(),
        resume,
    )
}

/// The full key of a contact's search entry, as a Query resumes from it.
pub(crate) fn contact_search_entry_key(entry: &contact_search::Entry) -> Item {
    let mut key = contact_search_key(&entry.contact_id, entry.field);
    key.insert(
        GSI1_PK.to_owned(),
        string(contact_search::partition(&entry.position)),
    );
    key.insert(GSI1_SK.to_owned(), string(&entry.position));
    key
}

fn list_entry_key(mut key: Item, list: String, resume: &Resume) -> Item {
    key.insert(GSI1_PK.to_owned(), string(list));
    key.insert(GSI1_SK.to_owned(), string(&resume.position));
    key
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(pk)),
        (SK.to_owned(), string(sk)),
    ])
}

/// Indexed by status for the review queue, which reads the index backwards (newest first).
pub(crate) fn registration_item(registration: &Registration) -> Result<Item, StoreError> {
    let mut item = registration_key(registration.id().as_str());
    item.insert(
        GSI1_PK.to_owned(),
        string(review_queue::list(registration.status())),
    );
    item.insert(
        GSI1_SK.to_owned(),
        string(review_queue::position(registration)),
    );
    item.insert(VERSION.to_owned(), number(registration.version()));
    // Verified requests lose their deadline, so TTL stops applying to them.
    if let Some(expires_at) = registration.expires_at() {
        item.insert(EXPIRES_AT.to_owned(), epoch_seconds(expires_at));
    }
    item.insert(
        DATA.to_owned(),
        data(&RegistrationRecord::from(registration))?,
    );
    Ok(item)
}

/// A new message, pending and listed under `OUTBOX#pending` for the mailer's sweep; held
/// for its committer's first try when it has one. Delivery state lives on top of `data`,
/// where the mailer's conditions test it.
pub(crate) fn pending_outbox_item(message: &OutboxMessage) -> Result<Item, StoreError> {
    let mut item = outbox_key(&message.id);
    item.insert(STATUS.to_owned(), string(OutboxStatus::Pending.as_str()));
    item.insert(GSI1_PK.to_owned(), string(PENDING_LIST));
    item.insert(GSI1_SK.to_owned(), string(dead_letters::position(message)));
    item.insert(
        NEXT_TRY_AT.to_owned(),
        string(sortable::timestamp(message.created_at)),
    );
    let attempts = match message.first_try_until {
        Some(until) => {
            item.insert(CLAIM_OWNER.to_owned(), string(FIRST_TRY_OWNER));
            item.insert(CLAIM_UNTIL.to_owned(), string(sortable::timestamp(until)));
            1
        }
        None => 0,
    };
    item.insert(ATTEMPTS.to_owned(), number(attempts));
    item.insert(DATA.to_owned(), data(message)?);
    Ok(item)
}

/// A user's entry on the list of every user: beside the user in its partition, written
/// once with it (its place never changes); the users themselves are then read in bulk.
pub(crate) fn user_listing_item(user: &PortalUser) -> Item {
    let mut item = user_listing_key(user.id());
    item.insert(GSI1_PK.to_owned(), string(members::ALL));
    item.insert(GSI1_SK.to_owned(), string(members::position(user)));
    item
}

pub(crate) fn user_listing_key(id: &str) -> Item {
    key(format!("USER#{id}"), "LISTED")
}

/// The full key of a user's entry on the list of every user.
pub(crate) fn all_users_entry_key(resume: &Resume) -> Item {
    list_entry_key(
        user_listing_key(&resume.id),
        members::ALL.to_owned(),
        resume,
    )
}

/// Listed among the members of its organization (or of none), so every write of a user
/// keeps its membership listed where it belongs.
pub(crate) fn portal_user_item(user: &PortalUser) -> Result<Item, StoreError> {
    let mut item = portal_user_key(user.id());
    item.insert(
        GSI1_PK.to_owned(),
        string(members::list(user.organization_id())),
    );
    item.insert(GSI1_SK.to_owned(), string(members::position(user)));
    item.insert(VERSION.to_owned(), number(user.version()));
    item.insert(DATA.to_owned(), data(&PortalUserRecord::from(user))?);
    Ok(item)
}

/// While open, on the list a sweep reads (oldest first); off it once done or failed.
pub(crate) fn import_item(job: &ImportJob) -> Result<Item, StoreError> {
    let mut item = import_key(&job.id);
    if job.is_open() {
        item.insert(GSI1_PK.to_owned(), string(OPEN_IMPORTS));
        item.insert(
            GSI1_SK.to_owned(),
            string(sortable::by_creation(job.created_at, &job.id)),
        );
    }
    item.insert(VERSION.to_owned(), number(job.version));
    item.insert(DATA.to_owned(), data(job)?);
    Ok(item)
}

/// `done` on top of `data` once it has results, so recording them can be conditional.
pub(crate) fn import_chunk_item(chunk: &ImportChunk) -> Result<Item, StoreError> {
    let mut item = chunk_key(&chunk.import_id, chunk.index);
    if chunk.results.is_some() {
        item.insert(DONE.to_owned(), AttributeValue::Bool(true));
    }
    item.insert(DATA.to_owned(), data(chunk)?);
    Ok(item)
}

/// Listed by name in the one partition of every organization.
pub(crate) fn organization_item(organization: &Organization) -> Result<Item, StoreError> {
    let mut item = organization_key(&organization.id);
    item.insert(GSI1_PK.to_owned(), string(organization_list::LIST));
    item.insert(
        GSI1_SK.to_owned(),
        string(organization_list::position(organization)),
    );
    item.insert(VERSION.to_owned(), number(organization.version));
    item.insert(DATA.to_owned(), data(organization)?);
    Ok(item)
}

/// TTL removes it once the session could no longer be refreshed; `revoked_at` is on top
/// of `data` too, so a rotation can check the family is live without reading it.
pub(crate) fn session_family_item(family: &SessionFamily) -> Result<Item, StoreError> {
    let mut item = session_family_key(&family.id);
    item.insert(EXPIRES_AT.to_owned(), epoch_seconds(family.expires_at));
    if let Some(revoked_at) = family.revoked_at {
        item.insert(
            REVOKED_AT.to_owned(),
            string(sortable::timestamp(revoked_at)),
        );
    }
    item.insert(DATA.to_owned(), data(family)?);
    Ok(item)
}

/// The status is on top of `data` so that only an active token can be rotated.
pub(crate) fn refresh_token_item(token: &RefreshToken) -> Result<Item, StoreError> {
    let mut item = refresh_token_key(&token.token_hash);
    item.insert(STATUS.to_owned(), string(refresh_status(token.status)));
    item.insert(EXPIRES_AT.to_owned(), epoch_seconds(token.expires_at));
    item.insert(DATA.to_owned(), data(token)?);
    Ok(item)
}

pub(crate) fn refresh_status(status: RefreshStatus) -> &'static str {
    match status {
        RefreshStatus::Active => "active",
        RefreshStatus::Rotated => "rotated",
    }
}

/// In the user's own partition, after the user item (`LOGIN#` sorts after nothing the
/// user item uses), newest last; `position` makes two events of one instant distinct.
pub(crate) fn login_event_item(event: &LoginEvent, position: &str) -> Result<Item, StoreError> {
    let mut item = key(
        format!("USER#{}", event.user_id),
        &format!("{LOGIN_PREFIX}{position}"),
    );
    item.insert(EXPIRES_AT.to_owned(), epoch_seconds(event.expires_at()));
    item.insert(DATA.to_owned(), data(event)?);
    Ok(item)
}

/// `used` is on top of `data` so that a link can be used only once.
pub(crate) fn password_reset_item(reset: &PasswordReset) -> Result<Item, StoreError> {
    let mut item = password_reset_key(&reset.token_hash);
    item.insert(
        USED.to_owned(),
        AttributeValue::Bool(reset.used_at.is_some()),
    );
    item.insert(EXPIRES_AT.to_owned(), epoch_seconds(reset.expires_at));
    item.insert(DATA.to_owned(), data(reset)?);
    Ok(item)
}

/// Listed by name for the suggestions on a request.
pub(crate) fn contact_item(contact: &Contact) -> Result<Item, StoreError> {
    let mut item = contact_key(&contact.id);
    item.insert(
        GSI1_PK.to_owned(),
        string(contact_name_list(&contact.name_key())),
    );
    item.insert(GSI1_SK.to_owned(), string(&contact.id));
    if let Some(user_id) = &contact.portal_user_id {
        item.insert(PORTAL_USER_ID.to_owned(), string(user_id));
    }
    item.insert(VERSION.to_owned(), number(contact.version));
    item.insert(DATA.to_owned(), data(contact)?);
    Ok(item)
}

/// The guard that makes a contact's external reference unique, if it has one.
pub(crate) fn external_ref_item(contact: &Contact) -> Option<Item> {
    let mut item = external_ref_key(contact.external_ref.as_ref()?);
    item.insert(CONTACT_ID.to_owned(), string(&contact.id));
    Some(item)
}

/// A search entry: its index partition is named by the start of its text, and it names
/// its contact, which a search then reads.
pub(crate) fn contact_search_item(entry: &contact_search::Entry) -> Item {
    let mut item = contact_search_entry_key(entry);
    item.insert(CONTACT_ID.to_owned(), string(&entry.contact_id));
    item
}

/// The guard that makes a contact's email unique: it exists exactly when a contact has it.
pub(crate) fn contact_email_item(contact: &Contact) -> Option<Item> {
    let mut item = contact_email_key(contact.email.as_ref()?);
    item.insert(CONTACT_ID.to_owned(), string(&contact.id));
    Some(item)
}

/// Finds the user a link's token is for; only the token's hash is in it, and TTL removes it
/// once the invitation has expired. `None` for a user without an invitation.
pub(crate) fn invitation_item(user: &PortalUser) -> Option<Item> {
    let invitation = user.invitation()?;
    let mut item = invitation_key(&invitation.token_hash);
    item.insert(PORTAL_USER_ID.to_owned(), string(user.id()));
    item.insert(EXPIRES_AT.to_owned(), epoch_seconds(invitation.expires_at));
    Some(item)
}

/// The invitation pointer of a user whose newest invitation still waits to be accepted;
/// an accepted or revoked one needs no way in.
pub(crate) fn pending_invitation_item(user: &PortalUser) -> Option<Item> {
    let invitation = user.invitation()?;
    (invitation.status == InvitationStatus::Pending)
        .then(|| invitation_item(user))
        .flatten()
}

/// The guard that makes a username unique: it exists exactly when a user has that name
/// (`None` for a user without one yet).
pub(crate) fn username_item(user: &PortalUser) -> Option<Item> {
    let mut item = username_key(user.username()?);
    item.insert(PORTAL_USER_ID.to_owned(), string(user.id()));
    Some(item)
}

/// The domain value under `data`, if the item exists.
pub(crate) fn from_data<T: DeserializeOwned>(item: Option<Item>) -> Result<Option<T>, StoreError> {
    item.map(data_of).transpose()
}

/// The domain value under an item's `data`.
pub(crate) fn data_of<T: DeserializeOwned>(mut item: Item) -> Result<T, StoreError> {
    let data = item
        .remove(DATA)
        .ok_or_else(|| malformed_item(format!("no `{DATA}` attribute")))?;
    serde_dynamo::from_attribute_value(data).map_err(malformed_item)
}

/// A portal user, from its record under `data`.
pub(crate) fn portal_user_of(item: Item) -> Result<PortalUser, StoreError> {
    data_of::<PortalUserRecord>(item).map(PortalUser::from)
}

/// A registration request, from its record under `data`.
pub(crate) fn registration_of(item: Item) -> Result<Registration, StoreError> {
    data_of::<RegistrationRecord>(item).map(Registration::from)
}

pub(crate) fn string_attribute(item: &Item, name: &str) -> Result<String, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value.clone()),
        _ => Err(malformed_item(format!("no string attribute `{name}`"))),
    }
}

/// An id attribute, read back only in the shape ids have.
pub(crate) fn id_attribute<K: IdKind>(item: &Item, name: &str) -> Result<Id<K>, StoreError> {
    let raw = string_attribute(item, name)?;
    Id::parse(&raw)
        .ok_or_else(|| malformed_item(format!("`{name}` is not the id of a {}", K::NAME)))
}

pub(crate) fn outbox_status(item: &Item) -> Result<OutboxStatus, StoreError> {
    let raw = string_attribute(item, STATUS)?;
    OutboxStatus::parse(&raw).ok_or_else(|| malformed_item(format!("unknown status `{raw}`")))
}

pub(crate) fn string(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The form TTL understands.
pub(crate) fn epoch_seconds(at: OffsetDateTime) -> AttributeValue {
    number(at.unix_timestamp())
}

pub(crate) fn data(value: &impl Serialize) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(malformed_item)
}

#[cfg(test)]
mod tests {
    use portal_adapters::OsRandomness;
    use portal_domain::audit::{Actor, AuditAction, AuditEvent};
    use portal_domain::ids::RegistrationId;
    use portal_domain::invitation::{Invitation, InvitationStatus};
    use portal_domain::login::{ClientInfo, LOGIN_EVENT_LIFETIME};
    use portal_domain::registration::{RegistrationForm, Verification};
    use portal_domain::session::NewSession;
    use portal_domain::testing::{id, id_text};
    use portal_domain::types::{Company, Locale, PersonName, Phone, Role};
    use portal_domain::user::{AccessChange, Grant, Profile};
    use portal_domain::verification_code::{CodeAttempt, VerificationCode};
    use time::macros::datetime;

    /// The id of the request these tests store.
    const REQUEST: &str = "0123456789abcdef0123456789abcdef";

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    fn registration() -> Registration {
        submitted().0
    }

    fn submitted() -> (Registration, VerificationCode) {
        let form = RegistrationForm {
            first_name: PersonName::parse("Ada").unwrap(),
            last_name: PersonName::parse("King  Lovelace").unwrap(),
            email: EmailAddress::parse("ada@example.com").unwrap(),
            phone: Some(Phone::parse("+44 20 7946 0000").unwrap()),
            company: Some(Company::parse("Analytical Engines").unwrap()),
            locale: Locale::default(),
        };
        let code = VerificationCode::generate(&OsRandomness);
        let id = RegistrationId::parse(REQUEST).unwrap();
        let registration = Registration::submit(id, form, &code, false, NOW);
        (registration, code)
    }

    fn actor() -> Actor {
        Actor {
            subject: "staff-1".into(),
            name: Some("Sam Staff".into()),
        }
    }

    fn contact() -> Contact {
        let created = AuditEvent::new(&actor(), AuditAction::ContactCreated, None, NOW);
        Contact::from_registration(id("c1"), &registration(), created)
    }

    fn verified() -> Registration {
        let (submitted, code) = submitted();
        let attempt = CodeAttempt::parse(code.as_str()).unwrap();
        let Verification::Verified(verified) = submitted.verify(&attempt, NOW).unwrap() else {
            panic!("the right code did not verify");
        };
        verified
    }

    /// A request through every step that adds to it: verified, linked, approved.
    fn approved() -> Registration {
        let linked = verified().link_contact(&contact(), &actor(), NOW).unwrap();
        linked.approve(&id("u1"), &actor(), NOW).unwrap()
    }

    fn user() -> PortalUser {
        let invitation = Invitation {
            token_hash: "ab".repeat(32),
            status: InvitationStatus::Pending,
            created_at: NOW,
            expires_at: NOW + time::Duration::hours(72),
            confirm_contact_data: true,
            email_code: None,
        };
        let grant = Grant {
            roles: vec![Role::parse("billing.viewer").unwrap()],
            organization_id: Some(id("o1")),
        };
        let invited = AuditEvent::new(&actor(), AuditAction::Invited, None, NOW);
        let email = EmailAddress::parse("ada@example.com").unwrap();
        let username = portal_domain::types::Username::of_email(&email);
        PortalUser::invite(
            id("u1"),
            id("c1"),
            Some(username),
            Some(email),
            grant,
            invitation,
            invited,
        )
    }

    #[test]
    fn a_registration_item_reads_back_equal() {
        let registration = registration();
        let item = registration_item(&registration).unwrap();
        let read = registration_of(item).unwrap();
        assert_eq!(read, registration);
    }

    #[test]
    fn an_approved_registration_item_reads_back_equal_with_its_link_and_audit() {
        let approved = approved();
        let item = registration_item(&approved).unwrap();
        assert_eq!(item[GSI1_PK], string("REGSTATUS#processed"));
        let read = registration_of(item).unwrap();
        assert_eq!(read, approved);
    }

    #[test]
    fn a_contact_item_reads_back_equal_and_is_listed_under_its_name() {
        let contact = contact();
        let item = contact_item(&contact).unwrap();
        assert_eq!(item[PK], string(format!("CONTACT#{}", id_text("c1"))));
        assert_eq!(item[GSI1_PK], string("CONTACTNAME#ada king lovelace"));
        assert_eq!(item[GSI1_SK], string(id_text("c1")));
        assert!(!item.contains_key(PORTAL_USER_ID));
        let read: Option<Contact> = from_data(Some(item)).unwrap();
        assert_eq!(read, Some(contact));
    }

    #[test]
    fn a_contact_with_a_portal_user_carries_the_id_where_conditions_see_it() {
        let mut contact = contact();
        contact.portal_user_id = Some(id("u1"));
        let item = contact_item(&contact).unwrap();
        assert_eq!(item[PORTAL_USER_ID], string(id_text("u1")));
        let read: Option<Contact> = from_data(Some(item)).unwrap();
        assert_eq!(read, Some(contact));
    }

    #[test]
    fn a_contact_email_guard_names_its_contact() {
        let guard = contact_email_item(&contact()).expect("a contact with an address");
        assert_eq!(guard[PK], string("EMAIL#ada@example.com"));
        assert_eq!(guard[CONTACT_ID], string(id_text("c1")));
    }

    #[test]
    fn a_portal_user_item_reads_back_equal_with_its_invitation() {
        let user = user();
        let read = portal_user_of(portal_user_item(&user).unwrap()).unwrap();
        assert_eq!(read, user);
    }

    #[test]
    fn a_portal_user_item_is_listed_among_its_organizations_members_or_of_none() {
        let user = user();
        let item = portal_user_item(&user).unwrap();
        assert_eq!(
            item[GSI1_PK],
            string(format!("ORGMEMBERS#{}", id_text("o1")))
        );
        assert_eq!(
            item[GSI1_SK],
            string(format!("{}#{}", sortable::timestamp(NOW), id_text("u1")))
        );
        let resume = Resume {
            position: members::position(&user),
            id: user.id().to_string(),
        };
        let key = members_entry_key(Some(&id("o1")), &resume);
        for name in [PK, SK, GSI1_PK, GSI1_SK] {
            assert_eq!(key[name], item[name], "{name}");
        }
        let left = AccessChange {
            organization_id: Some(None),
            ..AccessChange::default()
        };
        let item = portal_user_item(&user.change_access(&actor(), &left, NOW)).unwrap();
        assert_eq!(item[GSI1_PK], string("ORGMEMBERS#-"));
    }

    #[test]
    fn a_portal_user_item_reads_back_equal_with_password_last_login_token_version_and_profile() {
        let profile = Profile {
            first_name: PersonName::parse("Ada").unwrap(),
            last_name: PersonName::parse("Lovelace").unwrap(),
            phone: Some(Phone::parse("+44 20 7946 0000").unwrap()),
        };
        let invited = user().with_profile(profile);
        let token_hash = invited.invitation().unwrap().token_hash.clone();
        let accepted = invited
            .accept_invitation(
                &token_hash,
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                None,
                None,
                NOW,
            )
            .unwrap();
        let user = accepted
            .change_password("$argon2id$v=19$new".into(), NOW)
            .login_succeeded(NOW);
        assert!(user.last_login_at().is_some() && user.token_version() == 2);
        assert!(user.password_hash().is_some() && user.phone().is_some());
        let item = portal_user_item(&user).unwrap();
        assert_eq!(item[VERSION], number(user.version()));
        let read = portal_user_of(item).unwrap();
        assert_eq!(read, user);
    }

    #[test]
    fn session_items_carry_what_rotation_conditions_test_and_read_back_equal() {
        let session = NewSession::begin(&OsRandomness, &id("u1"), 1, NOW);
        let family = SessionFamily {
            revoked_at: Some(NOW),
            ..session.family.clone()
        };
        let item = session_family_item(&family).unwrap();
        assert_eq!(item[PK], string(format!("FAMILY#{}", family.id)));
        assert_eq!(item[REVOKED_AT], string(sortable::timestamp(NOW)));
        assert_eq!(item[EXPIRES_AT], epoch_seconds(family.expires_at));
        let read: Option<SessionFamily> = from_data(Some(item)).unwrap();
        assert_eq!(read, Some(family));
        assert!(
            !session_family_item(&session.family)
                .unwrap()
                .contains_key(REVOKED_AT)
        );

        let rotated = session.refresh.rotated(NOW);
        let item = refresh_token_item(&rotated).unwrap();
        assert_eq!(item[PK], string(format!("REFRESH#{}", rotated.token_hash)));
        assert_eq!(item[STATUS], string("rotated"));
        assert_eq!(item[EXPIRES_AT], epoch_seconds(rotated.expires_at));
        let read: Option<RefreshToken> = from_data(Some(item)).unwrap();
        assert_eq!(read, Some(rotated));
    }

    #[test]
    fn a_login_event_lies_in_its_users_partition_and_expires() {
        let client = ClientInfo {
            ip: Some("192.0.2.1".into()),
            user_agent: Some("curl".into()),
        };
        let event = LoginEvent::new(&id("u1"), false, &client, NOW);
        let item = login_event_item(&event, "pos").unwrap();
        assert_eq!(item[PK], portal_user_key(&id_text("u1"))[PK]);
        assert_eq!(item[SK], string("LOGIN#pos"));
        assert_eq!(item[EXPIRES_AT], epoch_seconds(NOW + LOGIN_EVENT_LIFETIME));
        let read: Option<LoginEvent> = from_data(Some(item)).unwrap();
        assert_eq!(read, Some(event));
    }

    #[test]
    fn a_password_reset_item_says_whether_it_was_used() {
        let mut reset = PasswordReset {
            token_hash: "cd".repeat(32),
            user_id: id("u1"),
            created_at: NOW,
            expires_at: NOW + time::Duration::hours(1),
            used_at: None,
            token_version: 3,
            link_version: 2,
        };
        let item = password_reset_item(&reset).unwrap();
        assert_eq!(item[PK], string(format!("RESET#{}", "cd".repeat(32))));
        assert_eq!(item[USED], AttributeValue::Bool(false));
        assert_eq!(item[EXPIRES_AT], epoch_seconds(reset.expires_at));
        reset.used_at = Some(NOW);
        let item = password_reset_item(&reset).unwrap();
        assert_eq!(item[USED], AttributeValue::Bool(true));
        let read: Option<PasswordReset> = from_data(Some(item)).unwrap();
        assert_eq!(read, Some(reset));
    }

    #[test]
    fn the_invitation_pointer_holds_the_token_hash_and_expires_with_the_invitation() {
        let user = user();
        let pointer = invitation_item(&user).unwrap();
        assert_eq!(pointer[PK], string(format!("INV#{}", "ab".repeat(32))));
        assert_eq!(pointer[PORTAL_USER_ID], string(id_text("u1")));
        assert_eq!(
            pointer[EXPIRES_AT],
            epoch_seconds(NOW + time::Duration::hours(72))
        );
    }

    #[test]
    fn a_queue_entry_key_names_the_request_and_its_place() {
        let resume = Resume {
            position: review_queue::position(&registration()),
            id: REQUEST.into(),
        };
        let key = queue_entry_key(RegistrationStatus::PendingVerification, &resume);
        let item = registration_item(&registration()).unwrap();
        for name in [PK, SK, GSI1_PK, GSI1_SK] {
            assert_eq!(key[name], item[name], "{name}");
        }
    }

    #[test]
    fn a_registration_item_carries_its_keys_queue_entry_and_deadline() {
        let item = registration_item(&registration()).unwrap();
        assert_eq!(item[PK], string(format!("REG#{REQUEST}")));
        assert_eq!(item[SK], string("REG"));
        assert_eq!(item[GSI1_PK], string("REGSTATUS#pending_verification"));
        let queue_place = format!("2026-03-01T09:00:00.000000000Z#{REQUEST}");
        assert_eq!(item[GSI1_SK], string(queue_place));
        assert_eq!(item[VERSION], number(1));
        assert_eq!(
            item[EXPIRES_AT],
            epoch_seconds(NOW + time::Duration::hours(24))
        );
    }

    #[test]
    fn a_verified_registration_item_has_no_ttl() {
        let item = registration_item(&verified()).unwrap();
        assert!(!item.contains_key(EXPIRES_AT));
        assert_eq!(item[GSI1_PK], string("REGSTATUS#new"));
    }

    #[test]
    fn an_item_without_data_is_malformed() {
        let result = registration_of(registration_key("r1"));
        assert!(matches!(result, Err(StoreError::Unavailable(_))));
    }
}

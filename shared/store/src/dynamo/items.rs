//! How domain values lie in the table. Each entity keeps its domain struct under `data`
//! (so its field names never clash with key attributes) next to the key, index and TTL
//! attributes derived from it, which are recomputed on every write.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use portal_domain::StoreError;
use portal_domain::outbox::OutboxMessage;
use portal_domain::registration::Registration;
use portal_domain::types::EmailAddress;
use portal_domain::user::PortalUser;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::{OffsetDateTime, UtcOffset};

use super::errors::malformed_item;
use crate::OutboxStatus;
use crate::table::{EXPIRES_AT, GSI1_PK, GSI1_SK, PK, SK};

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) const DATA: &str = "data";
pub(crate) const VERSION: &str = "version";
pub(crate) const STATUS: &str = "status";
pub(crate) const COUNT: &str = "count";
pub(crate) const SENT_AT: &str = "sent_at";
pub(crate) const PORTAL_USER_ID: &str = "portal_user_id";

pub(crate) fn registration_key(id: &str) -> Item {
    key(format!("REG#{id}"), "REG")
}

pub(crate) fn outbox_key(id: &str) -> Item {
    key(format!("OUTBOX#{id}"), "OUTBOX")
}

pub(crate) fn throttle_key(window_key: &str) -> Item {
    key(format!("THROTTLE#{window_key}"), "THROTTLE")
}

pub(crate) fn portal_user_key(id: &str) -> Item {
    key(format!("USER#{id}"), "USER")
}

pub(crate) fn username_key(username: &EmailAddress) -> Item {
    key(format!("USERNAME#{username}"), "USERNAME")
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(pk)),
        (SK.to_owned(), string(sk)),
    ])
}

/// Indexed by status for the review queue, which reads the index backwards (newest first).
pub(crate) fn registration_item(registration: &Registration) -> Result<Item, StoreError> {
    let mut item = registration_key(&registration.id);
    item.insert(
        GSI1_PK.to_owned(),
        AttributeValue::S(format!("REGSTATUS#{}", registration.status.as_str())),
    );
    item.insert(
        GSI1_SK.to_owned(),
        by_creation(registration.created_at, &registration.id),
    );
    item.insert(VERSION.to_owned(), number(registration.version));
    // Verified requests lose their deadline, so TTL stops applying to them.
    if let Some(expires_at) = registration.expires_at {
        item.insert(EXPIRES_AT.to_owned(), epoch_seconds(expires_at));
    }
    item.insert(DATA.to_owned(), data(registration)?);
    Ok(item)
}

/// A new message, pending and listed under `OUTBOX#pending` for the mailer's sweep.
pub(crate) fn pending_outbox_item(message: &OutboxMessage) -> Result<Item, StoreError> {
    let mut item = outbox_key(&message.id);
    item.insert(STATUS.to_owned(), string(OutboxStatus::Pending.as_str()));
    item.insert(
        GSI1_PK.to_owned(),
        AttributeValue::S(format!("OUTBOX#{}", OutboxStatus::Pending.as_str())),
    );
    item.insert(
        GSI1_SK.to_owned(),
        by_creation(message.created_at, &message.id),
    );
    item.insert(DATA.to_owned(), data(message)?);
    Ok(item)
}

pub(crate) fn portal_user_item(user: &PortalUser) -> Result<Item, StoreError> {
    let mut item = portal_user_key(&user.id);
    item.insert(VERSION.to_owned(), number(user.version));
    item.insert(DATA.to_owned(), data(user)?);
    Ok(item)
}

/// The guard that makes a username unique: it exists exactly when a user has that name.
pub(crate) fn username_item(user: &PortalUser) -> Item {
    let mut item = username_key(&user.username);
    item.insert(PORTAL_USER_ID.to_owned(), string(&user.id));
    item
}

/// The domain value under `data`, if the item exists.
pub(crate) fn from_data<T: DeserializeOwned>(item: Option<Item>) -> Result<Option<T>, StoreError> {
    let Some(mut item) = item else {
        return Ok(None);
    };
    let data = item
        .remove(DATA)
        .ok_or_else(|| malformed_item(format!("no `{DATA}` attribute")))?;
    serde_dynamo::from_attribute_value(data)
        .map(Some)
        .map_err(malformed_item)
}

pub(crate) fn string_attribute(item: &Item, name: &str) -> Result<String, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value.clone()),
        _ => Err(malformed_item(format!("no string attribute `{name}`"))),
    }
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

/// A UTC RFC 3339 timestamp with a fixed number of digits, so string order is time order
/// (the usual format drops trailing zeros of the fraction, which breaks that).
pub(crate) fn sortable_timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.nanosecond()
    )
}

/// An index sort key: by creation time, the id breaking ties.
fn by_creation(created_at: OffsetDateTime, id: &str) -> AttributeValue {
    AttributeValue::S(format!("{}#{id}", sortable_timestamp(created_at)))
}

fn data(value: &impl Serialize) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(malformed_item)
}

#[cfg(test)]
mod tests {
    use portal_domain::random::OsRandomness;
    use portal_domain::registration::{RegistrationForm, RegistrationStatus};
    use portal_domain::types::{Locale, PersonName};
    use portal_domain::verification_code::VerificationCode;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    fn registration() -> Registration {
        let form = RegistrationForm {
            first_name: PersonName::parse("Ada").unwrap(),
            last_name: PersonName::parse("Lovelace").unwrap(),
            email: EmailAddress::parse("ada@example.com").unwrap(),
            phone: None,
            company: None,
            locale: Locale::default(),
        };
        let code = VerificationCode::generate(&OsRandomness);
        Registration::submit("r1".into(), form, &code, false, NOW)
    }

    #[test]
    fn a_registration_item_reads_back_equal() {
        let registration = registration();
        let item = registration_item(&registration).unwrap();
        let read: Option<Registration> = from_data(Some(item)).unwrap();
        assert_eq!(read, Some(registration));
    }

    #[test]
    fn a_registration_item_carries_its_keys_queue_entry_and_deadline() {
        let item = registration_item(&registration()).unwrap();
        assert_eq!(item[PK], string("REG#r1"));
        assert_eq!(item[SK], string("REG"));
        assert_eq!(item[GSI1_PK], string("REGSTATUS#pending_verification"));
        assert_eq!(item[GSI1_SK], string("2026-03-01T09:00:00.000000000Z#r1"));
        assert_eq!(item[VERSION], number(1));
        assert_eq!(
            item[EXPIRES_AT],
            epoch_seconds(NOW + time::Duration::hours(24))
        );
    }

    #[test]
    fn a_verified_registration_item_has_no_ttl() {
        let mut registration = registration();
        registration.status = RegistrationStatus::New;
        registration.expires_at = None;
        let item = registration_item(&registration).unwrap();
        assert!(!item.contains_key(EXPIRES_AT));
        assert_eq!(item[GSI1_PK], string("REGSTATUS#new"));
    }

    #[test]
    fn an_item_without_data_is_malformed() {
        let result: Result<Option<Registration>, _> = from_data(Some(registration_key("r1")));
        assert!(matches!(result, Err(StoreError::Unavailable(_))));
    }

    #[test]
    fn sortable_timestamps_sort_in_time_order() {
        let whole = sortable_timestamp(datetime!(2026-03-01 09:00:00 UTC));
        let later = sortable_timestamp(datetime!(2026-03-01 09:00:00.5 UTC));
        let offset = sortable_timestamp(datetime!(2026-03-01 11:00:01 +2));
        assert!(whole < later);
        assert!(later < offset);
        assert_eq!(offset, "2026-03-01T09:00:01.000000000Z");
    }
}

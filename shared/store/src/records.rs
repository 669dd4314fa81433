//! What the store writes of a portal user and a registration request (under `data` on
//! DynamoDB, in the embedded store's journal and snapshots), kept apart from the domain
//! types: field names, defaults for fields added after the first release (so older items
//! and journals read back) and date formats are the store's business. The domain hands
//! its aggregates over as `Stored*` values and takes them back the same way.

use portal_domain::audit::AuditEvent;
use portal_domain::ids::{ContactId, OrganizationId, PortalUserId, RegistrationId};
use portal_domain::invitation::Invitation;
use portal_domain::mfa::SecondFactors;
use portal_domain::registration::{
    LinkedContact, PendingCode, Registration, RegistrationStatus, StoredRegistration,
};
use portal_domain::types::{
    Company, EmailAddress, Locale, PersonName, Phone, Reason, Role, Username,
};
use portal_domain::user::{PortalUser, PortalUserStatus, StoredPortalUser};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};
use time::OffsetDateTime;

/// A record type with the given fields and the conversions to and from `$entity` through
/// `$stored`: every field is listed once, and destructuring both ways makes a field the
/// domain adds without a record field (or the other way round) a compile error.
macro_rules! record {
    ($record:ident <-> $entity:ident via $stored:ident {
        $($(#[$attr:meta])* $field:ident: $ty:ty,)*
    }) => {
        #[derive(Debug, Clone, Serialize, Deserialize)]
        pub(crate) struct $record {
            $($(#[$attr])* $field: $ty,)*
        }

        impl From<&$entity> for $record {
            fn from(entity: &$entity) -> Self {
                let $stored { $($field,)* } = entity.to_stored();
                Self { $($field,)* }
            }
        }

        impl From<$record> for $entity {
            fn from(record: $record) -> Self {
                let $record { $($field,)* } = record;
                $entity::from_stored($stored { $($field,)* })
            }
        }
    };
}

record!(PortalUserRecord <-> PortalUser via StoredPortalUser {
    id: PortalUserId,
    contact_id: ContactId,
    // A person known by name alone has none until they confirm an address.
    #[serde(default)]
    username: Option<Username>,
    // Users written before usernames could be other than an address have none: their
    // username is it.
    #[serde(default)]
    email: Option<EmailAddress>,
    status: PortalUserStatus,
    #[serde(default)]
    roles: Vec<Role>,
    organization_id: Option<OrganizationId>,
    #[serde(default)]
    org_admin: bool,
    invitation: Option<Invitation>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    last_login_at: Option<OffsetDateTime>,
    #[serde(default)]
    first_name: Option<PersonName>,
    #[serde(default)]
    last_name: Option<PersonName>,
    #[serde(default)]
    phone: Option<Phone>,
    #[serde(default)]
    locale: Locale,
    #[serde(default)]
    password_hash: Option<String>,
    #[serde(default)]
    token_version: u64,
    #[serde(default)]
    link_version: u64,
    #[serde(default)]
    mfa: SecondFactors,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(default)]
    audit: Vec<AuditEvent>,
    version: u64,
});

record!(RegistrationRecord <-> Registration via StoredRegistration {
    id: RegistrationId,
    status: RegistrationStatus,
    first_name: PersonName,
    last_name: PersonName,
    email: EmailAddress,
    phone: Option<Phone>,
    company: Option<Company>,
    locale: Locale,
    #[serde(default)]
    existing_account: bool,
    code: Option<PendingCode>,
    contact: Option<LinkedContact>,
    portal_user_id: Option<PortalUserId>,
    rejection_reason: Option<Reason>,
    #[serde(default)]
    audit: Vec<AuditEvent>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
    version: u64,
});

/// Serializes a map of aggregates as a map of their records (the embedded store's
/// snapshots).
pub(crate) fn as_records<'a, K, V, R, S>(
    map: &'a BTreeMap<K, V>,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    K: Serialize,
    R: Serialize + From<&'a V>,
    S: Serializer,
{
    serializer.collect_map(map.iter().map(|(key, value)| (key, R::from(value))))
}

#[cfg(test)]
mod tests {
    use portal_domain::testing::id_text;
    use portal_domain::user::PortalUserStatus;
    use serde_json::json;

    use super::*;

    /// A user as the first release wrote them: before roles, organizations, names,
    /// locales, passwords on the user and token versions.
    fn first_release_user() -> serde_json::Value {
        json!({
            "id": id_text("u1"),
            "contact_id": id_text("c1"),
            "username": "ada@example.com",
            "status": "invited",
            "organization_id": null,
            "invitation": null,
            "created_at": "2026-03-01T09:00:00Z",
            "version": 1,
        })
    }

    #[test]
    fn a_user_written_before_later_fields_existed_reads_with_their_defaults() {
        let record: PortalUserRecord = serde_json::from_value(first_release_user()).unwrap();
        let user = PortalUser::from(record);

        assert_eq!(user.status(), PortalUserStatus::Invited);
        assert!(user.roles().is_empty());
        assert!(!user.org_admin());
        assert_eq!(user.first_name(), None);
        assert_eq!(user.locale(), &Locale::default());
        assert_eq!(user.password_hash(), None);
        assert_eq!(user.token_version(), 0);
        assert!(user.audit().is_empty());
    }

    #[test]
    fn a_user_reads_back_equal_from_its_record() {
        let record: PortalUserRecord = serde_json::from_value(first_release_user()).unwrap();
        let user = PortalUser::from(record);

        let written = serde_json::to_value(PortalUserRecord::from(&user)).unwrap();
        let read = PortalUser::from(serde_json::from_value::<PortalUserRecord>(written).unwrap());

        assert_eq!(read, user);
    }

    #[test]
    fn a_request_written_before_existing_account_and_audit_reads_with_their_defaults() {
        let written = json!({
            "id": id_text("r1"),
            "status": "new",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "phone": null,
            "company": null,
            "locale": "en",
            "code": null,
            "contact": null,
            "portal_user_id": null,
            "rejection_reason": null,
            "created_at": "2026-03-01T09:00:00Z",
            "updated_at": "2026-03-01T09:05:00Z",
            "expires_at": null,
            "version": 2,
        });
        let record: RegistrationRecord = serde_json::from_value(written).unwrap();
        let registration = Registration::from(record);

        assert_eq!(registration.status(), RegistrationStatus::New);
        assert!(!registration.existing_account());
        assert!(registration.audit().is_empty());
        let again = serde_json::to_value(RegistrationRecord::from(&registration)).unwrap();
        let read = Registration::from(serde_json::from_value::<RegistrationRecord>(again).unwrap());
        assert_eq!(read, registration);
    }

    #[test]
    fn a_record_naming_something_other_than_an_id_is_refused() {
        let mut written = first_release_user();
        written["id"] = json!("u1");
        assert!(serde_json::from_value::<PortalUserRecord>(written).is_err());
    }
}

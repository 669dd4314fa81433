//! The members list of each organization (and one of the users in none), kept alike by
//! both adapters: oldest member first, a page at a time, with the same list names,
//! positions and cursors (see `review_queue` for the pattern).

use portal_domain::StoreError;
use portal_domain::contact::Contact;
use portal_domain::ids::OrganizationId;
use portal_domain::page::Page;
use portal_domain::user::PortalUser;

use crate::cursor::{self, Resume};
use crate::sortable;

/// The list of the users of `organization_id`, or of those in none (in DynamoDB, the
/// index partition). Organization ids are generated, so none is `-`.
pub(crate) fn list(organization_id: Option<&OrganizationId>) -> String {
    format!(
        "ORGMEMBERS#{}",
        organization_id.map_or("-", |id| id.as_str())
    )
}

/// A user's place on its list: its creation, fixed for its whole life, so moving to
/// another organization changes the list but never the place.
pub(crate) fn position(user: &PortalUser) -> String {
    sortable::by_creation(user.created_at(), user.id())
}

/// The list of every user, whatever their organization: the same positions, so a user
/// keeps one place on it for life. In DynamoDB an entry item beside the user (which holds
/// the organization's list), written with the user.
pub(crate) const ALL: &str = "USERS";

/// Reads a cursor that a page of `organization_id`'s list handed out.
pub(crate) fn resume(
    organization_id: Option<&OrganizationId>,
    cursor: &str,
) -> Result<Resume, StoreError> {
    cursor::resume(&list(organization_id), cursor)
}

/// A page from the users read in list order; see [`cursor::page`].
pub(crate) fn page(
    organization_id: Option<&OrganizationId>,
    read: Vec<PortalUser>,
    limit: u32,
    cut_short: bool,
) -> Page<PortalUser> {
    cursor::page(&list(organization_id), read, limit, cut_short, position)
}

/// [`page`] of the list of every user.
pub(crate) fn page_of_all(read: Vec<PortalUser>, limit: u32, cut_short: bool) -> Page<PortalUser> {
    cursor::page(ALL, read, limit, cut_short, position)
}

/// The contact a new member creates, as it is stored: already linked to its user, as
/// approval links an existing one. A contact made for another user is a caller's bug.
pub(crate) fn linked_contact(contact: &Contact, user: &PortalUser) -> Result<Contact, StoreError> {
    if &contact.id != user.contact_id() {
        return Err(StoreError::Unavailable(format!(
            "new member {} comes with contact {}, not its own {}",
            user.id(),
            contact.id,
            user.contact_id()
        )));
    }
    Ok(Contact {
        portal_user_id: Some(user.id().clone()),
        ..contact.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_domain::testing::{id, id_text};

    #[test]
    fn users_in_no_organization_have_a_list_of_their_own() {
        assert_eq!(
            list(Some(&id("o1"))),
            format!("ORGMEMBERS#{}", id_text("o1"))
        );
        assert_eq!(list(None), "ORGMEMBERS#-");
    }

    #[test]
    fn a_cursor_of_another_organizations_list_is_invalid() {
        let position = format!("2026-03-01T09:00:00.000000000Z#{}", id_text("u1"));
        let cursor = cursor::encode(&list(Some(&id("o1"))), &position);
        assert_eq!(resume(Some(&id("o1")), &cursor).unwrap().id, id_text("u1"));
        for other in [Some(id("o2")), None] {
            assert!(matches!(
                resume(other.as_ref(), &cursor),
                Err(StoreError::InvalidCursor)
            ));
        }
    }
}

//! Organizations and bulk membership: many people invited at once by email, each matched
//! to a contact by address or given a new one, one result row per address given.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::audit::{AuditAction, AuditEvent};
use crate::contact::Contact;
use crate::ids::{ContactId, Id, IdKind, OrganizationId, PortalUserId};
use crate::organization::{Organization, OrganizationChange, OrganizationForm};
use crate::page::{Page, PageRequest};
use crate::ports::NewMember;
use crate::staff::{ASSIGN_ROLES, StaffMember};
use crate::types::{EmailAddress, Role, search_key};
use crate::user::{AccessChange, Grant, Membership, PortalUser};
use crate::{DomainError, Ports, StoreError};

use super::manager::Manager;
use super::members::{field_error, new_member};
use super::with_retries;

/// At most this many addresses in one bulk invitation (API Gateway answers within 29 s;
/// the emails go through the outbox, never sent while the request waits).
pub const MAX_BULK: usize = 500;

pub async fn create_organization(
    ports: &Ports,
    staff: &StaffMember,
    form: OrganizationForm,
) -> Result<Organization, DomainError> {
    // Every member inherits these roles: giving them is assigning roles.
    if !form.roles.is_empty() {
        staff.require(ASSIGN_ROLES)?;
    }
    let now = ports.clock.now();
    let organization = Organization {
        id: Id::generate(ports.random.as_ref()),
        name: form.name,
        account_ref: form.account_ref,
        roles: form.roles,
        require_mfa: form.require_mfa,
        created_at: now,
        audit: vec![AuditEvent::new(
            &staff.actor(),
            AuditAction::OrganizationCreated,
            None,
            now,
        )],
        version: 1,
    };
    ports.store.create_organization(&organization).await?;
    Ok(organization)
}

/// One page of organizations by name; only those whose name starts with `query` (case
/// and spacing aside) when one is given.
pub async fn list_organizations(
    ports: &Ports,
    query: Option<&str>,
    page: &PageRequest,
) -> Result<Page<Organization>, DomainError> {
    let prefix = query.map(search_key).unwrap_or_default();
    Ok(ports.store.organizations(&prefix, page).await?)
}

/// Changes an organization's name, account reference or roles. Roles need
/// `portal.roles.assign`: every member holds them, from the next token issued on.
pub async fn change_organization(
    ports: &Ports,
    staff: &StaffMember,
    id: &OrganizationId,
    change: &OrganizationChange,
) -> Result<Organization, DomainError> {
    if change.roles.is_some() {
        staff.require(ASSIGN_ROLES)?;
    }
    with_retries(|| async {
        let current = organization(ports, id).await?;
        let next = current.change(&staff.actor(), change, ports.clock.now());
        ports.store.update_organization(&next).await?;
        Ok(next)
    })
    .await
}

pub async fn organization(ports: &Ports, id: &OrganizationId) -> Result<Organization, DomainError> {
    ports
        .store
        .organization(id)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Every member of an organization, all pages read.
pub(super) async fn all_members(
    ports: &Ports,
    organization_id: &OrganizationId,
) -> Result<Vec<PortalUser>, DomainError> {
    let mut members = Vec::new();
    let mut page = PageRequest::first(crate::page::MAX_LIMIT);
    loop {
        let read = ports
            .store
            .portal_users_in(Some(organization_id), &page)
            .await?;
        members.extend(read.items);
        match read.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => return Ok(members),
        }
    }
}

/// The one reason an organization administrator gets for an address they may not use,
/// whatever the reason is.
pub const CANNOT_BE_ADDED: &str = "cannot be added";

/// What a bulk invitation asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkInvite {
    /// The addresses as given, one per entry (split already).
    pub emails: Vec<String>,
    /// Or contacts that exist (Creatio's "add existing contacts"; staff only), by id.
    pub contact_ids: Vec<ContactId>,
    /// Given to new members, and added to the roles of existing users who join.
    pub roles: Vec<Role>,
    pub org_admin: bool,
    pub send_invitations: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberOutcome {
    /// A new portal user, emailed an invitation.
    Invited,
    /// In the organization now without an invitation: an existing user who joined, or a
    /// new user created without one (`send_invitations: false`).
    Added,
    AlreadyMember,
    Invalid,
}

impl MemberOutcome {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw {
            "invited" => Ok(Self::Invited),
            "added" => Ok(Self::Added),
            "already_member" => Ok(Self::AlreadyMember),
            "invalid" => Ok(Self::Invalid),
            _ => Err("must be invited, added, already_member or invalid"),
        }
    }
}

/// What a row is about: an entry of the addresses given, or a contact given by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Email(String),
    Contact(ContactId),
}

/// One row per distinct address (or contact) given, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberResult {
    pub entry: Entry,
    pub outcome: MemberOutcome,
    pub portal_user_id: Option<PortalUserId>,
    pub contact_created: bool,
    /// Why an address is `invalid`.
    pub reason: Option<&'static str>,
}

/// Adds everyone in `bulk` to the organization: each address is matched to its contact
/// (or a new one named by the part before `@`), then to its portal user (or a new one,
/// invited through the outbox). Each member is written atomically on its own; one that
/// fails does not stop the others.
pub async fn add_members(
    ports: &Ports,
    manager: &Manager,
    organization_id: &OrganizationId,
    bulk: &BulkInvite,
) -> Result<Vec<MemberResult>, DomainError> {
    if bulk.emails.len() > MAX_BULK {
        return Err(field_error("emails", "must hold at most 500 addresses"));
    }
    if bulk.contact_ids.len() > MAX_BULK {
        return Err(field_error("contact_ids", "must hold at most 500 contacts"));
    }
    if !bulk.contact_ids.is_empty() && matches!(manager, Manager::OrgAdmin { .. }) {
        return Err(DomainError::Forbidden(
            "an organization administrator invites by email address",
        ));
    }
    let organization = organization(ports, organization_id).await?;
    // Members inherit the organization's roles: adding them is assigning roles.
    if !bulk.roles.is_empty() || bulk.org_admin || !organization.roles.is_empty() {
        manager.require_role_assignment()?;
    }
    if let Manager::OrgAdmin { .. } = manager
        && !organization.grants(&bulk.roles)
    {
        return Err(field_error("roles", "must be roles of the organization"));
    }
    let targets = if bulk.contact_ids.is_empty() {
        by_address(ports, &bulk.emails).await?
    } else {
        by_contact_id(ports, &bulk.contact_ids).await?
    };
    let user_ids: Vec<PortalUserId> = targets
        .iter()
        .filter_map(|(_, target)| target.as_ref().ok())
        .filter_map(|(_, contact)| contact.as_ref()?.portal_user_id.clone())
        .collect();
    let users: HashMap<PortalUserId, PortalUser> = ports
        .store
        .portal_users_by_ids(&user_ids)
        .await?
        .into_iter()
        .map(|user| (user.id().clone(), user))
        .collect();

    let planner = Planner {
        ports,
        manager,
        organization: &organization,
        bulk,
    };
    let mut rows = Vec::with_capacity(targets.len());
    let mut members = Vec::new();
    for (entry, target) in targets {
        let (email, contact) = match target {
            Ok(target) => target,
            Err(reason) => {
                rows.push(MemberResult::invalid(entry, reason));
                continue;
            }
        };
        let user = contact
            .as_ref()
            .and_then(|contact| contact.portal_user_id.as_ref())
            .and_then(|id| users.get(id));
        let (row, member) = planner.plan(entry, email, contact.as_ref(), user);
        if let Some(member) = member {
            members.push((rows.len(), member));
        }
        rows.push(row);
    }

    for (row, error) in write_members(ports, members).await? {
        tracing::info!(%error, "bulk member not written");
        let row = &mut rows[row];
        *row = MemberResult::invalid(row.entry.clone(), refusal_reason(&error));
    }
    Ok(rows)
}

/// Writes the members planned for a bulk's rows (each with its row's place), each on its
/// own: the places of those the store refused, with why.
pub(super) async fn write_members(
    ports: &Ports,
    members: Vec<(usize, NewMember)>,
) -> Result<Vec<(usize, StoreError)>, DomainError> {
    let (places, members): (Vec<usize>, Vec<NewMember>) = members.into_iter().unzip();
    let written = ports.store.add_members(&members).await?;
    Ok(places
        .into_iter()
        .zip(written)
        .filter_map(|(place, outcome)| outcome.err().map(|error| (place, error)))
        .collect())
}

/// Who each row is about: an address and its contact, if it has one; or why the entry is
/// `invalid`.
/// A contact given by id may have no address; an address given may have no contact.
type Target = Result<(Option<EmailAddress>, Option<Contact>), &'static str>;

/// Each distinct address given, with its contact when one has it.
async fn by_address(ports: &Ports, emails: &[String]) -> Result<Vec<(Entry, Target)>, DomainError> {
    let entries = distinct_entries(emails);
    if entries.is_empty() {
        return Err(field_error("emails", "must name at least one address"));
    }
    let addresses: Vec<EmailAddress> = entries
        .iter()
        .filter_map(|(_, parsed)| parsed.clone())
        .collect();
    let mut contacts: HashMap<EmailAddress, Contact> = ports
        .store
        .contacts_by_emails(&addresses)
        .await?
        .into_iter()
        .filter_map(|contact| Some((contact.email.clone()?, contact)))
        .collect();
    Ok(entries
        .into_iter()
        .map(|(given, parsed)| {
            let target = match parsed {
                Some(email) => {
                    let contact = contacts.remove(&email);
                    Ok((Some(email), contact))
                }
                None => Err("is not a valid email address"),
            };
            (Entry::Email(given), target)
        })
        .collect())
}

/// Each distinct contact id given, with its contact; one that names none is `invalid`.
async fn by_contact_id(
    ports: &Ports,
    ids: &[ContactId],
) -> Result<Vec<(Entry, Target)>, DomainError> {
    let mut seen = HashSet::new();
    let distinct: Vec<ContactId> = ids.iter().filter(|id| seen.insert(*id)).cloned().collect();
    let mut contacts: HashMap<ContactId, Contact> = ports
        .store
        .contacts_by_ids(&distinct)
        .await?
        .into_iter()
        .map(|contact| (contact.id.clone(), contact))
        .collect();
    Ok(distinct
        .into_iter()
        .map(|id| {
            let target = contacts
                .remove(&id)
                .map(|contact| (contact.email.clone(), Some(contact)))
                .ok_or(<crate::ids::Contact as IdKind>::UNKNOWN);
            (Entry::Contact(id), target)
        })
        .collect())
}

/// Each distinct entry once, in the order given: an address by its normalized form
/// (`Ada@X.com` and `ada@x.com` are one), anything else by its text.
fn distinct_entries(raw: &[String]) -> Vec<(String, Option<EmailAddress>)> {
    let mut seen = HashSet::new();
    raw.iter()
        .map(|entry| entry.trim())
        .filter(|entry| !entry.is_empty())
        .filter_map(|entry| {
            let parsed = EmailAddress::parse(entry).ok();
            let key = parsed
                .as_ref()
                .map_or_else(|| entry.to_owned(), ToString::to_string);
            seen.insert(key.clone()).then_some((key, parsed))
        })
        .collect()
}

fn refusal_reason(error: &StoreError) -> &'static str {
    match error {
        StoreError::Refused(crate::Refusal::OrganizationMissing) => "the organization is gone",
        _ => "changed while being added; try again",
    }
}

impl MemberResult {
    fn invalid(entry: Entry, reason: &'static str) -> Self {
        Self {
            entry,
            outcome: MemberOutcome::Invalid,
            portal_user_id: None,
            contact_created: false,
            reason: Some(reason),
        }
    }
}

/// Decides, address by address, what a bulk invitation writes.
struct Planner<'a> {
    ports: &'a Ports,
    manager: &'a Manager,
    organization: &'a Organization,
    bulk: &'a BulkInvite,
}

impl Planner<'_> {
    fn plan(
        &self,
        entry: Entry,
        email: Option<EmailAddress>,
        contact: Option<&Contact>,
        user: Option<&PortalUser>,
    ) -> (MemberResult, Option<NewMember>) {
        let row = |outcome, portal_user_id: &PortalUserId, contact_created| MemberResult {
            entry: entry.clone(),
            outcome,
            portal_user_id: Some(portal_user_id.to_owned()),
            contact_created,
            reason: None,
        };
        let org_admin = matches!(self.manager, Manager::OrgAdmin { .. });
        // An organization administrator never moves an existing user, and learns nothing
        // about users outside their organization: one opaque row for all of them.
        if org_admin && user.is_some_and(|user| !self.is_member(user)) {
            return (MemberResult::invalid(entry.clone(), CANNOT_BE_ADDED), None);
        }
        // Nor whether the address had a contact (staff see it, to know what was created).
        let row = |outcome, portal_user_id: &PortalUserId, contact_created| {
            row(outcome, portal_user_id, contact_created && !org_admin)
        };
        match (contact, user) {
            (_, Some(user)) => match &user.organization_id() {
                Some(id) if *id == &self.organization.id => {
                    (row(MemberOutcome::AlreadyMember, user.id(), false), None)
                }
                Some(_) => (
                    MemberResult::invalid(entry.clone(), "is a member of another organization"),
                    None,
                ),
                None => {
                    let next = self.joined(user);
                    (
                        row(MemberOutcome::Added, user.id(), false),
                        Some(NewMember::Update(next)),
                    )
                }
            },
            (Some(contact), None) => {
                let (user, email_message) = match self.new_user(contact) {
                    Ok(made) => made,
                    Err(reason) => return (MemberResult::invalid(entry.clone(), reason), None),
                };
                let outcome = self.outcome(&email_message);
                let member = NewMember::User {
                    new_contact: None,
                    user: user.clone(),
                    email: email_message,
                };
                (row(outcome, user.id(), false), Some(member))
            }
            (None, _) => {
                // Only an address names no contact (one given by id that names none is
                // refused before).
                let Some(email) = email else {
                    return (MemberResult::invalid(entry.clone(), CANNOT_BE_ADDED), None);
                };
                let now = self.ports.clock.now();
                let created = AuditEvent::new(
                    &self.manager.actor(),
                    AuditAction::ContactCreated,
                    Some(format!("invited to organization {}", self.organization.id)),
                    now,
                );
                let mut contact =
                    Contact::from_email(Id::generate(self.ports.random.as_ref()), &email, created);
                let (user, email_message) = match self.new_user(&contact) {
                    Ok(made) => made,
                    Err(reason) => return (MemberResult::invalid(entry.clone(), reason), None),
                };
                contact.portal_user_id = Some(user.id().clone());
                let outcome = self.outcome(&email_message);
                let member = NewMember::User {
                    new_contact: Some(contact),
                    user: user.clone(),
                    email: email_message,
                };
                (row(outcome, user.id(), true), Some(member))
            }
        }
    }

    fn is_member(&self, user: &PortalUser) -> bool {
        user.organization_id() == Some(&self.organization.id)
    }

    /// A new member, whose invitation email (if any) the mailer delivers: a bulk never
    /// waits on sending.
    fn new_user(
        &self,
        contact: &Contact,
    ) -> Result<(PortalUser, Option<crate::outbox::OutboxMessage>), &'static str> {
        let membership = Membership {
            grant: Grant {
                roles: self.bulk.roles.clone(),
                organization_id: Some(self.organization.id.clone()),
            },
            org_admin: self.bulk.org_admin,
            send_invitation: self.bulk.send_invitations,
        };
        let (user, email) = new_member(self.ports, self.manager, contact, membership)?;
        Ok((user, email.map(|email| email.for_mailer())))
    }

    /// An existing user without an organization joins this one, with the roles asked for
    /// added to their own.
    fn joined(&self, user: &PortalUser) -> PortalUser {
        let mut roles = user.roles().to_vec();
        roles.extend(self.bulk.roles.iter().cloned());
        roles.sort();
        roles.dedup();
        let change = AccessChange {
            roles: Some(roles),
            organization_id: Some(Some(self.organization.id.clone())),
            org_admin: self.bulk.org_admin.then_some(true),
        };
        user.change_access(&self.manager.actor(), &change, self.ports.clock.now())
    }

    fn outcome(&self, email: &Option<crate::outbox::OutboxMessage>) -> MemberOutcome {
        if email.is_some() {
            MemberOutcome::Invited
        } else {
            MemberOutcome::Added
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_trimmed_normalized_and_each_reported_once_in_order() {
        let raw = [
            "b@x.com",
            " Ada@X.com",
            "not-an-email",
            "ada@x.com",
            "",
            "not-an-email",
        ]
        .map(str::to_owned);

        let entries = distinct_entries(&raw);

        let keys: Vec<_> = entries
            .iter()
            .map(|(key, parsed)| (key.as_str(), parsed.is_some()))
            .collect();
        assert_eq!(
            keys,
            [
                ("b@x.com", true),
                ("ada@x.com", true),
                ("not-an-email", false)
            ]
        );
    }
}

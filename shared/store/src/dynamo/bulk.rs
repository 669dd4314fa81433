//! Bulk membership on DynamoDB. Each member is atomic on its own, but one transaction per
//! member would make a bulk invite of hundreds too slow, so members share transactions:
//! as many as fit in one (100 items; never two writes of one item), with one existence
//! check per organization they join. A cancelled transaction names the items whose
//! conditions failed; their members get the refusal those items stand for, and the others,
//! whose writes were only cancelled along, are written again without them.

use std::collections::{BTreeSet, HashSet};

use aws_sdk_dynamodb::types::TransactWriteItem;
use portal_domain::ports::NewMember;
use portal_domain::{Refusal, StoreError};

use super::errors::{Blame, blame};
use super::items::{
    Item, organization_key, pending_invitation_item, pending_outbox_item, portal_user_item,
    user_listing_item, username_item,
};
use super::{DynamoStore, check, put, update};
use crate::members::linked_contact;
use crate::table::{PK, SK};

/// TransactWriteItems takes at most this many items.
const MAX_ITEMS: usize = 100;

/// What the failed condition of one of a member's writes means. When several fail, the
/// first in this order is reported: the order the embedded store checks them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    /// The user's stored version moved.
    Version,
    /// Another contact has the new contact's email.
    EmailUnique,
    /// Another contact has the new contact's external reference.
    ExternalRefUnique,
    /// The new contact's id exists: a lost race.
    ContactNew,
    /// The existing contact is missing, or has a user (`found`).
    ContactFree,
    UsernameUnique,
    /// The organization the user joins is missing.
    Organization,
    /// An id that should be new exists, or another transaction wrote the item meanwhile:
    /// another writer got there first.
    Lost,
}

impl Rule {
    fn broken(self, found: bool) -> StoreError {
        match self {
            Self::Version | Self::ContactNew | Self::Lost => StoreError::ConditionFailed,
            Self::EmailUnique => StoreError::Refused(Refusal::ContactEmailTaken),
            Self::ExternalRefUnique => StoreError::Refused(Refusal::ExternalRefTaken),
            Self::ContactFree if found => StoreError::Refused(Refusal::ContactHasPortalUser),
            Self::ContactFree => StoreError::Refused(Refusal::ContactMissing),
            Self::UsernameUnique => StoreError::Refused(Refusal::UsernameTaken),
            Self::Organization => StoreError::Refused(Refusal::OrganizationMissing),
        }
    }
}

/// One member's writes, ready to share a transaction.
struct Planned {
    /// Its place in the caller's list.
    index: usize,
    writes: Vec<(TransactWriteItem, Rule)>,
    organization_id: Option<String>,
}

impl Planned {
    fn targets(&self) -> impl Iterator<Item = Target> + '_ {
        self.writes.iter().map(|(write, _)| target(write))
    }
}

/// The (pk, sk) of the item a write is for.
type Target = (String, String);

/// Members that go into one transaction together.
#[derive(Default)]
struct Group {
    members: Vec<Planned>,
    targets: HashSet<Target>,
    organizations: BTreeSet<String>,
    items: usize,
}

impl Group {
    fn takes(&self, member: &Planned) -> bool {
        let check = member
            .organization_id
            .as_ref()
            .is_some_and(|id| !self.organizations.contains(id));
        let items = self.items + member.writes.len() + usize::from(check);
        items <= MAX_ITEMS
            && member
                .targets()
                .all(|target| !self.targets.contains(&target))
    }

    fn add(&mut self, member: Planned) {
        self.targets.extend(member.targets());
        self.items += member.writes.len();
        if let Some(id) = &member.organization_id
            && self.organizations.insert(id.clone())
        {
            self.items += 1;
        }
        self.members.push(member);
    }
}

/// Who the item at a position of a group's transaction is for.
enum Owner<'a> {
    /// The member at this place among those being written, and what its failure means.
    Member(usize, Rule),
    Organization(&'a str),
}

impl DynamoStore {
    /// How each of `members` went, in order.
    pub(super) async fn write_members(&self, members: &[NewMember]) -> Vec<Result<(), StoreError>> {
        let mut outcomes: Vec<Option<Result<(), StoreError>>> =
            members.iter().map(|_| None).collect();
        let mut groups = Vec::new();
        let mut group = Group::default();
        for (index, member) in members.iter().enumerate() {
            let planned = match self.plan(index, member) {
                Ok(planned) => planned,
                Err(error) => {
                    outcomes[index] = Some(Err(error));
                    continue;
                }
            };
            // Members stay in order across groups, so of two members wanting the same
            // item (one email twice), the first gets it and the second is refused.
            if !group.takes(&planned) {
                groups.push(std::mem::take(&mut group));
            }
            group.add(planned);
        }
        groups.push(group);
        for group in groups {
            if let Err(error) = self.write_group(group.members, &mut outcomes).await {
                // The store failed, not a rule: nothing more is tried, and every member
                // not written hears why.
                for outcome in outcomes.iter_mut().filter(|outcome| outcome.is_none()) {
                    *outcome = Some(Err(again(&error)));
                }
                break;
            }
        }
        // Every group ends with each of its members decided, so none is left undecided.
        outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or(Err(StoreError::ConditionFailed)))
            .collect()
    }

    /// A member's writes; the same as approval's, or a user's versioned write.
    fn plan(&self, index: usize, member: &NewMember) -> Result<Planned, StoreError> {
        let (writes, user) = match member {
            NewMember::User {
                new_contact,
                user,
                email,
            } => {
                let mut writes = Vec::new();
                match new_contact {
                    Some(contact) => {
                        let contact = linked_contact(contact, user)?;
                        // In `new_contact`'s order: the contact, its guards, its search entries.
                        let mut rules = vec![Rule::ContactNew];
                        if contact.email.is_some() {
                            rules.push(Rule::EmailUnique);
                        }
                        if contact.external_ref.is_some() {
                            rules.push(Rule::ExternalRefUnique);
                        }
                        let rules = rules.into_iter().chain(std::iter::repeat(Rule::Lost));
                        writes.extend(self.new_contact(&contact)?.into_iter().zip(rules));
                    }
                    None => {
                        let link = self.link_contact_to_user(user.contact_id(), user.id())?;
                        writes.push((update(link), Rule::ContactFree));
                    }
                }
                writes.push((put(self.put_new(portal_user_item(user)?)?), Rule::Lost));
                writes.push((put(self.put_new(user_listing_item(user))?), Rule::Lost));
                if let Some(guard) = username_item(user) {
                    writes.push((put(self.put_new(guard)?), Rule::UsernameUnique));
                }
                if let Some(pointer) = pending_invitation_item(user) {
                    writes.push((put(self.put_new(pointer)?), Rule::Lost));
                }
                if let Some(email) = email {
                    let message = self.put_new(pending_outbox_item(email)?)?;
                    writes.push((put(message), Rule::Lost));
                }
                (writes, user)
            }
            NewMember::Update(next) => (
                vec![(put(self.replace_portal_user(next)?), Rule::Version)],
                next,
            ),
        };
        Ok(Planned {
            index,
            writes,
            organization_id: user
                .organization_id()
                .map(|id| id.as_str())
                .map(str::to_owned),
        })
    }

    /// Writes a group, again and again without the members to blame, until every one is
    /// written or refused. `Err` when the store failed (then its members are not written).
    async fn write_group(
        &self,
        mut pending: Vec<Planned>,
        outcomes: &mut [Option<Result<(), StoreError>>],
    ) -> Result<(), StoreError> {
        while !pending.is_empty() {
            let organizations: BTreeSet<&str> = pending
                .iter()
                .filter_map(|member| member.organization_id.as_deref())
                .collect();
            let mut items = Vec::new();
            let mut owners = Vec::new();
            for (n, member) in pending.iter().enumerate() {
                for (write, rule) in &member.writes {
                    items.push(write.clone());
                    owners.push(Owner::Member(n, *rule));
                }
            }
            for &id in &organizations {
                items.push(check(self.exists(organization_key(id))?));
                owners.push(Owner::Organization(id));
            }
            let Err(error) = self.transact(items).await else {
                for member in &pending {
                    outcomes[member.index] = Some(Ok(()));
                }
                return Ok(());
            };
            let verdicts = verdicts(&pending, &owners, blame(error)?);
            if verdicts.iter().all(Option::is_none) {
                // No reasons came back (an emulator): nobody can be told apart, so every
                // member lost as a single write would have.
                for member in &pending {
                    outcomes[member.index] = Some(Err(StoreError::ConditionFailed));
                }
                return Ok(());
            }
            let mut verdicts = verdicts.into_iter();
            pending.retain(|member| match verdicts.next().flatten() {
                Some((rule, found)) => {
                    outcomes[member.index] = Some(Err(rule.broken(found)));
                    false
                }
                None => true,
            });
        }
        Ok(())
    }
}

/// For each pending member, the first rule (in [`Rule`] order) its part of a cancelled
/// transaction broke, if any, and whether the item was found.
fn verdicts(
    pending: &[Planned],
    owners: &[Owner<'_>],
    blamed: Vec<(usize, Blame)>,
) -> Vec<Option<(Rule, bool)>> {
    let mut verdicts: Vec<Option<(Rule, bool)>> = pending.iter().map(|_| None).collect();
    let mut note = |n: usize, verdict: (Rule, bool)| {
        let first = &mut verdicts[n];
        if first.is_none_or(|first| verdict < first) {
            *first = Some(verdict);
        }
    };
    for (position, blame) in blamed {
        let (n_or_organization, rule) = match owners.get(position) {
            Some(Owner::Member(n, rule)) => (Ok(*n), *rule),
            Some(Owner::Organization(id)) => (Err(*id), Rule::Organization),
            None => continue,
        };
        let verdict = match blame {
            Blame::Condition { found } => (rule, found),
            Blame::Conflict => (Rule::Lost, false),
        };
        match n_or_organization {
            Ok(n) => note(n, verdict),
            // Every member joining it shares the organization's check.
            Err(id) => {
                for (n, member) in pending.iter().enumerate() {
                    if member.organization_id.as_deref() == Some(id) {
                        note(n, verdict);
                    }
                }
            }
        }
    }
    verdicts
}

/// The item a write is for.
fn target(write: &TransactWriteItem) -> Target {
    let key: Option<&Item> = write
        .put()
        .map(|put| &put.item)
        .or_else(|| write.update().map(|update| &update.key))
        .or_else(|| write.condition_check().map(|check| &check.key))
        .or_else(|| write.delete().map(|delete| &delete.key));
    let part = |name: &str| {
        key.and_then(|key| key.get(name))
            .and_then(|value| value.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    (part(PK), part(SK))
}

/// The same failure again, for each member it stopped.
fn again(error: &StoreError) -> StoreError {
    match error {
        StoreError::ConditionFailed => StoreError::ConditionFailed,
        StoreError::Throttled => StoreError::Throttled,
        StoreError::Refused(refusal) => StoreError::Refused(*refusal),
        StoreError::InvalidCursor => StoreError::InvalidCursor,
        StoreError::Unavailable(reason) => StoreError::Unavailable(reason.clone()),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::Put;

    use super::*;
    use crate::dynamo::items::{portal_user_key, username_key};
    use portal_domain::types::EmailAddress;

    fn write(key: Item) -> TransactWriteItem {
        put(Put::builder()
            .table_name("t")
            .set_item(Some(key))
            .build()
            .unwrap())
    }

    /// A member writing its user and `extra` more items of its own, plus `shared`.
    fn member(index: usize, organization: Option<&str>, extra: usize, shared: &[Item]) -> Planned {
        let mut writes = vec![(write(portal_user_key(&format!("u{index}"))), Rule::Lost)];
        for n in 0..extra {
            let own = portal_user_key(&format!("u{index}-{n}"));
            writes.push((write(own), Rule::Lost));
        }
        for key in shared {
            writes.push((write(key.clone()), Rule::UsernameUnique));
        }
        Planned {
            index,
            writes,
            organization_id: organization.map(str::to_owned),
        }
    }

    #[test]
    fn a_group_holds_at_most_a_hundred_items_counting_one_check_per_organization() {
        let mut group = Group::default();
        for index in 0..16 {
            let planned = member(index, Some("o1"), 5, &[]);
            assert!(group.takes(&planned));
            group.add(planned);
        }
        assert_eq!(group.items, 16 * 6 + 1);
        assert!(group.takes(&member(16, Some("o1"), 2, &[])));
        assert!(!group.takes(&member(16, Some("o2"), 2, &[])));
        assert!(!group.takes(&member(16, None, 3, &[])));
    }

    #[test]
    fn members_writing_the_same_item_never_share_a_group() {
        let guard = username_key(&portal_domain::types::Username::of_email(
            &EmailAddress::parse("ada@example.com").unwrap(),
        ));
        let mut group = Group::default();
        group.add(member(0, None, 0, std::slice::from_ref(&guard)));

        assert!(!group.takes(&member(1, None, 0, std::slice::from_ref(&guard))));
        assert!(group.takes(&member(2, None, 0, &[])));
    }

    #[test]
    fn each_member_is_blamed_for_its_first_broken_rule_and_its_organizations_check() {
        let pending = vec![
            member(0, Some("o1"), 0, &[portal_user_key("guard-0")]),
            member(1, Some("o2"), 0, &[]),
            member(2, Some("o1"), 0, &[]),
            member(3, None, 0, &[]),
        ];
        let owners = [
            Owner::Member(0, Rule::Lost),
            Owner::Member(0, Rule::UsernameUnique),
            Owner::Member(1, Rule::Version),
            Owner::Member(2, Rule::Lost),
            Owner::Member(3, Rule::Lost),
            Owner::Organization("o1"),
            Owner::Organization("o2"),
        ];
        let blamed = vec![
            (0, Blame::Condition { found: true }),
            (1, Blame::Condition { found: true }),
            (3, Blame::Conflict),
            (5, Blame::Condition { found: false }),
        ];

        let verdicts = verdicts(&pending, &owners, blamed);

        assert_eq!(
            verdicts,
            vec![
                Some((Rule::UsernameUnique, true)),
                None,
                Some((Rule::Organization, false)),
                None,
            ]
        );
    }

    #[test]
    fn a_contact_found_with_a_user_is_taken_and_one_not_found_is_missing() {
        assert!(matches!(
            Rule::ContactFree.broken(true),
            StoreError::Refused(Refusal::ContactHasPortalUser)
        ));
        assert!(matches!(
            Rule::ContactFree.broken(false),
            StoreError::Refused(Refusal::ContactMissing)
        ));
        assert!(matches!(
            Rule::Lost.broken(true),
            StoreError::ConditionFailed
        ));
    }
}

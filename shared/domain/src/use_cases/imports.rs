//! Imports of people from a file: started by staff, run by a worker a chunk at a time,
//! read back as the job's progress and its rows by outcome.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;

use crate::audit::{AuditAction, AuditEvent};
use crate::contact::{Contact, parse_reference};
use crate::ids::{Id, ImportId, OrganizationId, PortalUserId};
use crate::import::{CHUNK_ROWS, ImportJob, ImportRequest, ImportRow, RowResult};
use crate::invitation::InvitationStatus;
use crate::organization::Organization;
use crate::page::{Page, PageRequest};
use crate::ports::NewMember;
use crate::staff::{ASSIGN_ROLES, StaffMember};
use crate::types::{Company, EmailAddress, PersonName, Phone, Role};
use crate::user::{AccessChange, Grant, Membership, PortalUser};
use crate::{DomainError, Ports, Refusal, StoreError};

use super::manager::Manager;
use super::members::new_member;
use super::organizations::{MemberOutcome, write_members};

/// Stores the job and its rows for a worker to run; answers at once. Rows that repeat an
/// earlier row's address are `invalid` from the start (one person, one row).
pub async fn start_import(
    ports: &Ports,
    staff: &StaffMember,
    mut request: ImportRequest,
) -> Result<ImportJob, DomainError> {
    if request.rows.is_empty() {
        return Err(field_error("file", "holds no rows under its header"));
    }
    let organization = match &request.organization_id {
        Some(id) => Some(
            ports
                .store
                .organization(id)
                .await?
                .ok_or_else(|| field_error("organization_id", unknown_organization()))?,
        ),
        None => None,
    };
    // Members inherit the organization's roles: adding them is assigning roles.
    let gives_roles = organization.is_some_and(|organization| !organization.roles.is_empty())
        || request.rows.iter().any(|row| !row.roles.is_empty());
    if gives_roles {
        staff.require(ASSIGN_ROLES)?;
    }
    mark_repeats(&mut request.rows);
    let (job, chunks) = ImportJob::new(
        Id::generate(ports.random.as_ref()),
        &request,
        staff.actor(),
        ports.clock.now(),
    );
    ports.store.create_import(&job, &chunks).await?;
    Ok(job)
}

pub async fn import(ports: &Ports, id: &ImportId) -> Result<ImportJob, DomainError> {
    ports.store.import(id).await?.ok_or(DomainError::NotFound)
}

/// Runs the job `id` as `owner` until it is done or `deadline` passes (then it is let go
/// of for the next worker). Another worker holding it is left to it.
pub async fn run_import(
    ports: &Ports,
    id: &ImportId,
    owner: &str,
    deadline: OffsetDateTime,
) -> Result<(), DomainError> {
    let job = import(ports, id).await?;
    // Out of time already: the job is not taken, so the next worker need not wait.
    if ports.clock.now() >= deadline {
        return Ok(());
    }
    let Some(mut held) = job.claimed(owner, ports.clock.now()) else {
        return Ok(());
    };
    match ports.store.update_import(&held).await {
        Err(StoreError::ConditionFailed) => return Ok(()),
        outcome => outcome?,
    }
    while held.is_open() {
        if ports.clock.now() >= deadline {
            ports.store.update_import(&held.released()).await?;
            return Ok(());
        }
        let outcome = run_chunk(ports, &held).await;
        match outcome {
            Ok(Some(next)) => held = next,
            // Another worker took the job over (this one's lease lapsed): it goes on.
            Ok(None) => return Ok(()),
            Err(error) => {
                tracing::warn!(import = %id, chunk = held.next_chunk, %error, "import chunk failed");
                ports
                    .store
                    .update_import(&held.chunk_failed(ports.clock.now()))
                    .await?;
                return Err(error);
            }
        }
    }
    Ok(())
}

/// Runs every open job (oldest first) until `deadline`: what a sweep does, so jobs whose
/// worker stopped carry on.
pub async fn run_open_imports(
    ports: &Ports,
    owner: &str,
    deadline: OffsetDateTime,
) -> Result<u32, DomainError> {
    let mut ran = 0;
    for job in ports.store.open_imports(10).await? {
        if ports.clock.now() >= deadline {
            break;
        }
        if let Err(error) = run_import(ports, &job.id, owner, deadline).await {
            tracing::warn!(import = %job.id, %error, "import stopped; a later sweep retries");
        }
        ran += 1;
    }
    Ok(ran)
}

/// The current chunk done and recorded: the job's next version, or `None` when the job
/// moved under this worker.
async fn run_chunk(ports: &Ports, held: &ImportJob) -> Result<Option<ImportJob>, DomainError> {
    let mut chunk = ports
        .store
        .import_chunks(&held.id, held.next_chunk, 1)
        .await?
        .pop()
        .ok_or(DomainError::Store(StoreError::Unavailable(format!(
            "chunk {} of import {} is missing",
            held.next_chunk, held.id
        ))))?;
    let results = Chunk::new(ports, held).await?.run(&chunk.rows).await?;
    let next = held.chunk_done(&results, ports.clock.now());
    chunk.results = Some(results);
    match ports.store.finish_import_chunk(&next, &chunk).await {
        Ok(()) => Ok(Some(next)),
        Err(StoreError::ConditionFailed) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// One page of a job's rows in file order, only those of `outcome` when given. Rows not
/// yet run are not listed: the job's `processed` says how far it is.
pub async fn import_rows(
    ports: &Ports,
    id: &ImportId,
    outcome: Option<MemberOutcome>,
    page: &PageRequest,
) -> Result<Page<RowResult>, DomainError> {
    let job = import(ports, id).await?;
    let mut position = match &page.cursor {
        Some(cursor) => decode_cursor(id, cursor)?,
        None => 0,
    };
    let limit = page.limit as usize;
    let mut items = Vec::new();
    // Chunks read per page at most, so a rare outcome still answers in bounded time,
    // with a cursor carrying on where the reading stopped.
    const CHUNKS_READ: u32 = 10;
    let first = u32::try_from(position / CHUNK_ROWS).unwrap_or(u32::MAX);
    let chunks = ports.store.import_chunks(id, first, CHUNKS_READ).await?;
    let mut read_all = true;
    'chunks: for chunk in &chunks {
        let Some(results) = &chunk.results else {
            break;
        };
        let start = chunk.index as usize * CHUNK_ROWS;
        let skip = position.saturating_sub(start);
        for (offset, result) in results.iter().enumerate().skip(skip) {
            if outcome.is_some_and(|wanted| wanted != result.outcome) {
                continue;
            }
            if items.len() == limit {
                // A row for the next page: it starts here.
                position = start + offset;
                read_all = false;
                break 'chunks;
            }
            items.push(result.clone());
        }
        position = start + results.len();
    }
    let more_chunks = chunks.len() == CHUNKS_READ as usize
        && chunks.last().is_some_and(|chunk| chunk.results.is_some())
        && first + CHUNKS_READ < job.chunks;
    let next_cursor = (!read_all || more_chunks).then(|| encode_cursor(id, position));
    Ok(Page { items, next_cursor })
}

fn encode_cursor(id: &ImportId, position: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{id}\n{position}"))
}

fn decode_cursor(id: &ImportId, cursor: &str) -> Result<usize, DomainError> {
    let position = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let (made_for, position) = text.split_once('\n')?;
            (made_for == id.as_str()).then(|| position.parse().ok())?
        });
    position.ok_or_else(|| field_error("cursor", "is not a cursor of this list"))
}

/// Marks each row whose address an earlier row has, naming that row.
fn mark_repeats(rows: &mut [ImportRow]) {
    let mut first_rows: HashMap<EmailAddress, u32> = HashMap::new();
    for row in rows.iter_mut().filter(|row| row.problem.is_none()) {
        let Some(email) = row
            .email
            .as_deref()
            .and_then(|raw| EmailAddress::parse(raw).ok())
        else {
            continue;
        };
        match first_rows.get(&email) {
            Some(first) => row.problem = Some(format!("repeats the address of row {first}")),
            None => {
                first_rows.insert(email, row.row);
            }
        }
    }
}

/// A row that can be imported: its address, the contact it would make, and its roles.
#[derive(Debug)]
struct Person {
    email: EmailAddress,
    first_name: Option<PersonName>,
    last_name: Option<PersonName>,
    phone: Option<Phone>,
    company: Option<Company>,
    external_ref: Option<String>,
    roles: Vec<Role>,
}

impl Person {
    fn parse(row: &ImportRow) -> Result<Self, String> {
        if let Some(problem) = &row.problem {
            return Err(problem.clone());
        }
        let email = row
            .email
            .as_deref()
            .ok_or_else(|| "email is required".to_owned())?;
        let email = EmailAddress::parse(email).map_err(|message| format!("email {message}"))?;
        fn field<T>(
            name: &str,
            raw: &Option<String>,
            parse: impl Fn(&str) -> Result<T, &'static str>,
        ) -> Result<Option<T>, String> {
            raw.as_deref()
                .map(|raw| parse(raw).map_err(|message| format!("{name} {message}")))
                .transpose()
        }
        Ok(Self {
            email,
            first_name: field("first_name", &row.first_name, PersonName::parse)?,
            last_name: field("last_name", &row.last_name, PersonName::parse)?,
            phone: field("phone", &row.phone, Phone::parse)?,
            company: field("company", &row.company, Company::parse)?,
            external_ref: field("external_ref", &row.external_ref, parse_reference)?,
            roles: Role::parse_all(&row.roles).map_err(|message| format!("roles {message}"))?,
        })
    }

    /// A new contact for this person, marked as made by `job` (so a retry of the chunk
    /// knows its own work). A name the file does not give comes from the address.
    fn contact(&self, ports: &Ports, job: &ImportJob) -> Contact {
        let created = AuditEvent::new(
            &job.created_by,
            AuditAction::ContactCreated,
            Some(made_by(job)),
            ports.clock.now(),
        );
        let mut contact =
            Contact::from_email(Id::generate(ports.random.as_ref()), &self.email, created);
        if let Some(first_name) = &self.first_name {
            contact.first_name = first_name.clone();
        }
        contact.last_name = self.last_name.clone();
        contact.phone = self.phone.clone();
        contact.company = self.company.clone();
        contact.external_ref = self.external_ref.clone();
        contact
    }
}

/// What a contact made by `job` says it was made by.
fn made_by(job: &ImportJob) -> String {
    format!("imported by import {}", job.id)
}

/// One chunk's run: what it needs to decide its rows.
struct Chunk<'a> {
    ports: &'a Ports,
    job: &'a ImportJob,
    /// `None` without an organization, and for one that is gone (every row `invalid`).
    organization: Option<Organization>,
    manager: Manager,
}

impl<'a> Chunk<'a> {
    async fn new(ports: &'a Ports, job: &'a ImportJob) -> Result<Self, DomainError> {
        let organization = match &job.organization_id {
            Some(id) => ports.store.organization(id).await?,
            None => None,
        };
        // Who may import was decided when the file came in; the users and contacts made
        // record who that was.
        let manager = Manager::Staff(StaffMember {
            subject: job.created_by.subject.clone(),
            name: job.created_by.name.clone(),
            permissions: Vec::new(),
        });
        Ok(Self {
            ports,
            job,
            organization,
            manager,
        })
    }

    async fn run(&self, rows: &[ImportRow]) -> Result<Vec<RowResult>, DomainError> {
        let people: Vec<Result<Person, String>> = rows.iter().map(Person::parse).collect();
        let emails: Vec<EmailAddress> = people
            .iter()
            .filter_map(|person| Some(person.as_ref().ok()?.email.clone()))
            .collect();
        let contacts: HashMap<EmailAddress, Contact> = self
            .ports
            .store
            .contacts_by_emails(&emails)
            .await?
            .into_iter()
            .filter_map(|contact| Some((contact.email.clone()?, contact)))
            .collect();
        let user_ids: Vec<PortalUserId> = contacts
            .values()
            .filter_map(|contact| contact.portal_user_id.clone())
            .collect();
        let users: HashMap<PortalUserId, PortalUser> = self
            .ports
            .store
            .portal_users_by_ids(&user_ids)
            .await?
            .into_iter()
            .map(|user| (user.id().clone(), user))
            .collect();

        let mut results = Vec::with_capacity(rows.len());
        let mut members = Vec::new();
        for (row, person) in rows.iter().zip(people) {
            let person = match person {
                Ok(person) => person,
                Err(reason) => {
                    results.push(invalid(row, reason));
                    continue;
                }
            };
            let contact = contacts.get(&person.email);
            let user = contact
                .and_then(|contact| contact.portal_user_id.as_ref())
                .and_then(|id| users.get(id));
            let (result, member) = self.plan(row, &person, contact, user);
            if let Some(member) = member {
                members.push((results.len(), member));
            }
            results.push(result);
        }
        for (at, error) in write_members(self.ports, members).await? {
            let result = &mut results[at];
            result.outcome = MemberOutcome::Invalid;
            result.portal_user_id = None;
            result.reason = Some(refusal_reason(&error).to_owned());
        }
        Ok(results)
    }

    fn plan(
        &self,
        row: &ImportRow,
        person: &Person,
        contact: Option<&Contact>,
        user: Option<&PortalUser>,
    ) -> (RowResult, Option<NewMember>) {
        if self.job.organization_id.is_some() && self.organization.is_none() {
            return (invalid(row, "the organization is gone".into()), None);
        }
        let result = |outcome, user: &PortalUser| RowResult {
            row: row.row,
            email: Some(person.email.to_string()),
            outcome,
            portal_user_id: Some(user.id().clone()),
            reason: None,
        };
        match (contact, user) {
            // Made by this job on a try that stopped before its results were recorded.
            (Some(contact), Some(user)) if self.made_here(contact) => {
                (result(self.first_outcome(user), user), None)
            }
            (_, Some(user)) => match (&self.organization, user.organization_id()) {
                (Some(organization), Some(id)) if *id == organization.id => {
                    (result(MemberOutcome::AlreadyMember, user), None)
                }
                (Some(_), Some(_)) => (
                    invalid(row, "is a member of another organization".into()),
                    None,
                ),
                (Some(organization), None) => {
                    let next = self.joined(user, &organization.id, &person.roles);
                    (
                        result(MemberOutcome::Added, user),
                        Some(NewMember::Update(next)),
                    )
                }
                (None, _) => (result(MemberOutcome::AlreadyMember, user), None),
            },
            (Some(contact), None) => {
                let (user, email) = match self.new_user(contact, person) {
                    Ok(made) => made,
                    Err(reason) => return (invalid(row, reason.to_owned()), None),
                };
                let row = result(outcome_of(&email), &user);
                let member = NewMember::User {
                    new_contact: None,
                    user,
                    email,
                };
                (row, Some(member))
            }
            (None, _) => {
                let mut contact = person.contact(self.ports, self.job);
                let (user, email) = match self.new_user(&contact, person) {
                    Ok(made) => made,
                    Err(reason) => return (invalid(row, reason.to_owned()), None),
                };
                contact.portal_user_id = Some(user.id().clone());
                let row = result(outcome_of(&email), &user);
                let member = NewMember::User {
                    new_contact: Some(contact),
                    user,
                    email,
                };
                (row, Some(member))
            }
        }
    }

    fn made_here(&self, contact: &Contact) -> bool {
        contact
            .audit
            .first()
            .and_then(|created| created.detail.as_deref())
            == Some(made_by(self.job).as_str())
    }

    /// What a user this job made was reported as: invited while their link is pending.
    fn first_outcome(&self, user: &PortalUser) -> MemberOutcome {
        let pending = user
            .invitation()
            .is_some_and(|invitation| invitation.status == InvitationStatus::Pending);
        if pending {
            MemberOutcome::Invited
        } else {
            MemberOutcome::Added
        }
    }

    fn new_user(
        &self,
        contact: &Contact,
        person: &Person,
    ) -> Result<(PortalUser, Option<crate::outbox::OutboxMessage>), &'static str> {
        let membership = Membership {
            grant: Grant {
                roles: person.roles.clone(),
                organization_id: self.job.organization_id.clone(),
            },
            org_admin: false,
            send_invitation: self.job.send_invitations,
        };
        let (user, email) = new_member(self.ports, &self.manager, contact, membership)?;
        // The mailer delivers them: an import never waits on sending.
        Ok((user, email.map(|email| email.for_mailer())))
    }

    /// A user in no organization joins it, with the row's roles added to their own.
    fn joined(
        &self,
        user: &PortalUser,
        organization: &OrganizationId,
        roles: &[Role],
    ) -> PortalUser {
        let mut all: Vec<Role> = user.roles().to_vec();
        all.extend(roles.iter().cloned());
        all.sort();
        all.dedup();
        let change = AccessChange {
            roles: Some(all),
            organization_id: Some(Some(organization.clone())),
            org_admin: None,
        };
        user.change_access(&self.job.created_by, &change, self.ports.clock.now())
    }
}

fn outcome_of(email: &Option<crate::outbox::OutboxMessage>) -> MemberOutcome {
    if email.is_some() {
        MemberOutcome::Invited
    } else {
        MemberOutcome::Added
    }
}

fn invalid(row: &ImportRow, reason: String) -> RowResult {
    RowResult {
        row: row.row,
        email: row.email.clone(),
        outcome: MemberOutcome::Invalid,
        portal_user_id: None,
        reason: Some(reason),
    }
}

fn refusal_reason(error: &StoreError) -> &'static str {
    match error {
        StoreError::Refused(Refusal::OrganizationMissing) => "the organization is gone",
        StoreError::Refused(Refusal::ExternalRefTaken) => "external_ref is another contact's",
        StoreError::Refused(Refusal::ContactEmailTaken | Refusal::UsernameTaken) => {
            "the address was taken while being imported"
        }
        _ => "changed while being imported; import the row again",
    }
}

fn unknown_organization() -> &'static str {
    <crate::ids::Organization as crate::ids::IdKind>::UNKNOWN
}

fn field_error(field: &str, message: &str) -> DomainError {
    DomainError::invalid_field(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: u32, email: &str) -> ImportRow {
        ImportRow {
            row: number,
            email: Some(email.into()),
            ..ImportRow::default()
        }
    }

    #[test]
    fn a_row_repeating_an_earlier_address_names_that_row() {
        let mut rows = vec![
            row(2, "ada@example.com"),
            row(3, "not an address"),
            row(4, " ADA@example.com"),
            row(5, "grace@example.com"),
        ];
        mark_repeats(&mut rows);
        let problems: Vec<Option<&str>> = rows.iter().map(|row| row.problem.as_deref()).collect();
        assert_eq!(
            problems,
            [None, None, Some("repeats the address of row 2"), None]
        );
    }

    #[test]
    fn a_row_is_a_person_or_says_what_is_wrong_with_it() {
        let mut bad = row(2, "ada@example.com");
        bad.phone = Some("x".into());
        assert!(Person::parse(&bad).unwrap_err().starts_with("phone "));
        let mut no_email = row(3, "");
        no_email.email = None;
        assert_eq!(Person::parse(&no_email).unwrap_err(), "email is required");
        let mut roles = row(4, "ada@example.com");
        roles.roles = vec!["Not A Role".into()];
        assert!(Person::parse(&roles).unwrap_err().starts_with("roles "));
        let mut good = row(5, "Ada@Example.com");
        good.first_name = Some("Ada".into());
        good.roles = vec!["billing.viewer".into()];
        let person = Person::parse(&good).unwrap();
        assert_eq!(person.email.as_ref(), "ada@example.com");
        assert_eq!(person.roles.len(), 1);
    }

    #[test]
    fn a_cursor_is_of_one_import_only() {
        let id: ImportId = crate::testing::id("i1");
        let other: ImportId = crate::testing::id("i2");
        let cursor = encode_cursor(&id, 250);
        assert_eq!(decode_cursor(&id, &cursor).unwrap(), 250);
        assert!(decode_cursor(&other, &cursor).is_err());
        assert!(decode_cursor(&id, "not a cursor").is_err());
    }
}

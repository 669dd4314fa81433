pub mod access_info;
pub mod imports;
pub mod org_members;
pub mod organizations;
pub mod portal_users;

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use portal_domain::ids::OrganizationId;
use portal_domain::page::PageRequest;
use portal_domain::types::Role;
use portal_domain::use_cases::Manager;
use portal_domain::user::PortalUserStatus;
use portal_domain::{FieldErrors, Ports};
use portal_http::{AccessTokenClaims, Problem};
use serde::Deserialize;

/// The query of a list, or the 400 of one that cannot be read.
fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    params
        .map(|Query(params)| params)
        .map_err(|rejection| Problem::malformed(rejection.body_text()))
}

/// Query parameters arrive as text, so every one is parsed here and reported by name:
/// the status filter (none: every status) and the page.
fn parse_filter(
    errors: &mut FieldErrors,
    status: Option<&str>,
    limit: Option<&str>,
    cursor: Option<String>,
) -> Option<(Option<PortalUserStatus>, PageRequest)> {
    let status = errors.optional("status", status, parse_status);
    let limit = errors.check("limit", parse_limit(limit));
    let page = errors.check("limit", PageRequest::parse(limit.flatten(), cursor));
    Some((status?, page?))
}

fn parse_status(raw: &str) -> Result<PortalUserStatus, &'static str> {
    Ok(match raw {
        "invited" => PortalUserStatus::Invited,
        "active" => PortalUserStatus::Active,
        "deactivated" => PortalUserStatus::Deactivated,
        _ => return Err("must be one of invited, active, deactivated"),
    })
}

fn parse_limit(raw: Option<&str>) -> Result<Option<u32>, &'static str> {
    raw.map(|raw| raw.parse().map_err(|_| "must be between 1 and 100"))
        .transpose()
}

/// Roles given or not; `None` when given but invalid.
fn parse_roles(errors: &mut FieldErrors, raw: Option<Vec<String>>) -> Option<Vec<Role>> {
    errors.check("roles", Role::parse_all(&raw.unwrap_or_default()))
}

/// The addresses of a bulk invitation: a list, or one text of addresses separated by
/// whitespace (newlines included), commas or semicolons, as pasted from a spreadsheet
/// or a mail client. Entries that are not addresses get an `invalid` row each; more than
/// 500 entries, or none, are a 422.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Emails {
    List(Vec<String>),
    Text(String),
}

/// By hand: a list of 1 to 500 entries, or a text with at least one entry.
impl utoipa::PartialSchema for Emails {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        let entry = ObjectBuilder::new().schema_type(Type::String);
        let list = ArrayBuilder::new()
            .items(entry)
            .min_items(Some(1))
            .max_items(Some(500));
        let text = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"[^\s,;]"));
        OneOfBuilder::new().item(list).item(text).into()
    }
}

impl utoipa::ToSchema for Emails {}

impl Emails {
    fn into_entries(self) -> Vec<String> {
        match self {
            Self::List(entries) => entries,
            Self::Text(text) => text
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|entry| !entry.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// The organization administrator a portal access token speaks for, checked against the
/// store (still active, still an administrator, of the token's organization), and that
/// organization: never one a request names.
async fn org_manager(
    ports: &Ports,
    claims: &AccessTokenClaims,
) -> Result<(Manager, OrganizationId), Problem> {
    let manager = claims.org_admin(ports).await?;
    match &manager {
        Manager::OrgAdmin {
            organization_id, ..
        } => {
            let organization_id = organization_id.clone();
            Ok((manager, organization_id))
        }
        Manager::Staff(_) => Err(Problem::forbidden(
            "only an organization administrator manages its members",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_of_addresses_is_split_on_whitespace_commas_and_semicolons() {
        let emails = Emails::Text("a@x.com, b@x.com\nc@x.com;d@x.com\t e@x.com,,".into());

        assert_eq!(
            emails.into_entries(),
            ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]
        );
    }

    #[test]
    fn a_list_of_addresses_is_taken_as_given() {
        let emails = Emails::List(vec!["a@x.com, b@x.com".into()]);

        assert_eq!(emails.into_entries(), ["a@x.com, b@x.com"]);
    }
}

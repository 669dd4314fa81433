//! `/staff/imports`: a CSV or Excel file of people uploaded, run as a job, read back as
//! its progress and its rows.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use portal_domain::ids::{Import, OrganizationId};
use portal_domain::import::{ImportRequest, ImportRow};
use portal_domain::page::PageRequest;
use portal_domain::use_cases::{MemberOutcome, import, import_rows, start_import};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{List, PathId, Problem, Staff};
use portal_import_file::{Column, PeopleFile, PersonRow};
use serde::Deserialize;

use super::{parse_limit, query};
use crate::views::{ImportRowView, ImportView};

/// Largest upload: the file's 5 MB and the form around it.
pub const UPLOAD_LIMIT: usize = portal_import_file::MAX_BYTES + 64 * 1024;

/// The form of an upload (`multipart/form-data`); other fields are refused by the
/// document (a field the handler does not know is ignored).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Read field by field from the multipart stream; this is its schema.
pub struct ImportForm {
    /// A `.csv` (UTF-8, comma or semicolon) or `.xlsx` (its first sheet) file of at most
    /// 5 MB and 10 000 rows. The header row names the columns: `email`, `first_name`,
    /// `last_name`, `phone`, `company`, `roles` (separated by `;` or `|`), `external_ref`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The organization everyone joins; none when absent.
    #[schema(nullable = false, pattern = "^[0-9a-f]{32}$")]
    organization_id: Option<String>,
    /// `true`: new users are emailed an invitation now; `false` (default): later.
    #[schema(nullable = false)]
    send_invitations: Option<bool>,
}

/// What an upload gave, field by field.
#[derive(Default)]
struct Upload {
    file: Option<(String, Vec<u8>)>,
    organization_id: Option<String>,
    send_invitations: Option<String>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, Problem> {
    let mut upload = Upload::default();
    let malformed = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::payload_too_large()
        } else {
            Problem::malformed(error.body_text())
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(malformed)?;
                upload.file = Some((name, bytes.to_vec()));
            }
            "organization_id" => {
                upload.organization_id = Some(field.text().await.map_err(malformed)?);
            }
            "send_invitations" => {
                upload.send_invitations = Some(field.text().await.map_err(malformed)?);
            }
            // Other fields are ignored, as unknown JSON fields are.
            _ => {}
        }
    }
    Ok(upload)
}

impl Upload {
    /// The request, or every field that is wrong. The file is read whole here: a file
    /// that is neither format, lacks the `email` column or names an unknown one imports
    /// nothing.
    fn parse(self) -> Result<ImportRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let organization_id = errors.optional(
            "organization_id",
            self.organization_id.as_deref(),
            OrganizationId::parse_field,
        );
        let send_invitations = match self.send_invitations.as_deref().map(str::trim) {
            None | Some("") | Some("false") => Some(false),
            Some("true") => Some(true),
            Some(_) => {
                errors.add("send_invitations", "must be true or false");
                None
            }
        };
        let file = match self.file {
            None => {
                errors.add("file", "is required");
                None
            }
            Some((name, bytes)) => match portal_import_file::read(&name, &bytes) {
                Err(error) => {
                    errors.add("file", error.to_string());
                    None
                }
                Ok(file) if !file.has_column(Column::Email) => {
                    errors.add("file", "has no email column");
                    None
                }
                Ok(file) => Some((name, file)),
            },
        };
        errors.finish(|| {
            let (file_name, file) = file?;
            Some(ImportRequest {
                file_name,
                rows: rows_of(file),
                organization_id: organization_id?,
                send_invitations: send_invitations?,
            })
        })
    }
}

fn rows_of(file: PeopleFile) -> Vec<ImportRow> {
    file.rows
        .into_iter()
        .map(|row: PersonRow| ImportRow {
            row: row.row,
            email: row.email,
            first_name: row.first_name,
            last_name: row.last_name,
            phone: row.phone,
            company: row.company,
            roles: row.roles,
            external_ref: row.external_ref,
            problem: row.malformed.map(str::to_owned),
        })
        .collect()
}

/// Uploads a file of people to import (Creatio's "Import users from Excel"): answered at
/// once; a worker matches or creates contacts and portal users a chunk at a time.
#[utoipa::path(post, path = "/staff/imports", operation_id = "start_import",
    security(("staff" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "The job, queued", body = ImportView),
        (status = 403, description = "Rows with roles, or an organization with roles, \
            without `portal.roles.assign` (`forbidden`)"),
        (status = 422, description = "The file is neither format, is empty, lacks the \
            `email` column, names an unknown one, is too large or too long; or a field is \
            invalid (`validation_failed`). Nothing is imported."),
    ))]
pub async fn start(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImportView>), Problem> {
    let multipart = multipart.map_err(|rejection| Problem::malformed(rejection.body_text()))?;
    let request = read_upload(multipart)
        .await?
        .parse()
        .map_err(DomainError::from)?;
    let job = start_import(&ports, &staff, request).await?;
    Ok((StatusCode::ACCEPTED, Json((&job).into())))
}

/// An import's progress and counts.
#[utoipa::path(get, path = "/staff/imports/{id}", operation_id = "import_detail",
    security(("staff" = [])), params(PathId<Import>),
    responses(
        (status = 200, description = "The job", body = ImportView),
        (status = 404, description = "No such import (`not_found`)"),
    ))]
pub async fn detail(
    Staff(_): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<Import>,
) -> Result<Json<ImportView>, Problem> {
    let job = import(&ports, &id).await?;
    Ok(Json((&job).into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowsParams {
    /// Only the rows that ended so.
    #[param(value_type = Option<MemberOutcome>)]
    outcome: Option<String>,
    /// Page size, 1 to 100 (50 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The rows of an import run so far, in file order, a page at a time.
#[utoipa::path(get, path = "/staff/imports/{id}/rows", operation_id = "import_rows",
    security(("staff" = [])), params(PathId<Import>, RowsParams),
    responses(
        (status = 200, description = "One page of rows", body = List<ImportRowView>),
        (status = 404, description = "No such import (`not_found`)"),
        (status = 422, description = "`outcome`, `limit` or `cursor` is invalid \
            (`validation_failed`)"),
    ))]
pub async fn rows(
    Staff(_): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<Import>,
    params: Result<Query<RowsParams>, QueryRejection>,
) -> Result<Json<List<ImportRowView>>, Problem> {
    let params = query(params)?;
    let mut errors = FieldErrors::new();
    let outcome = match params.outcome.as_deref() {
        None => Some(None),
        Some(raw) => errors.check("outcome", MemberOutcome::parse(raw)).map(Some),
    };
    let limit = errors.check("limit", parse_limit(params.limit.as_deref()));
    let page = errors.check("limit", PageRequest::parse(limit.flatten(), params.cursor));
    let (outcome, page) = errors
        .finish(|| Some((outcome?, page?)))
        .map_err(DomainError::from)?;
    let found = import_rows(&ports, &id, outcome, &page).await?;
    Ok(Json(List {
        items: found.items.iter().map(ImportRowView::from).collect(),
        next_cursor: found.next_cursor,
    }))
}

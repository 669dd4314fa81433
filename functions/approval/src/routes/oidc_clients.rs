//! The company's portal apps that sign people in through our OpenID provider, registered
//! by staff with `portal.clients.manage`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::ids::OidcClient as OidcClientKind;
use portal_domain::oidc::{ClientSettings, ClientType, OidcClient};
use portal_domain::use_cases::{
    change_oidc_client, delete_oidc_client, oidc_client, oidc_clients, register_oidc_client,
};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, List, PathId, Problem, Staff};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A client's settings. Redirect URIs are compared exactly; each must be `https` (or
/// `http` on localhost) without a fragment.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ClientBody {
    #[schema(value_type = String)]
    name: Option<String>,
    #[schema(value_type = Vec<String>)]
    redirect_uris: Option<Vec<String>>,
    #[serde(default)]
    post_logout_redirect_uris: Vec<String>,
    /// Where the app starts a sign-in itself (OpenID Connect Core §4): what an access link
    /// naming this app leads to once the password is set. Optional.
    initiate_login_uri: Option<String>,
    /// `confidential` (a server, which gets a secret) or `public` (a browser or mobile app);
    /// only on registration.
    #[serde(rename = "type")]
    #[schema(value_type = Option<ClientType>)]
    client_type: Option<ClientType>,
}

impl ClientBody {
    fn settings(&self) -> Result<ClientSettings, DomainError> {
        let mut errors = FieldErrors::new();
        if self.name.is_none() {
            errors.add("name", "is required");
        }
        if self.redirect_uris.is_none() {
            errors.add("redirect_uris", "is required");
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        Ok(ClientSettings::parse(
            self.name.as_deref().unwrap_or_default(),
            self.redirect_uris.as_deref().unwrap_or_default(),
            &self.post_logout_redirect_uris,
            self.initiate_login_uri.as_deref(),
        )?)
    }
}

/// A registered client; never its secret.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientView {
    #[schema(inline)]
    client_id: portal_domain::ids::OidcClientId,
    name: String,
    #[serde(rename = "type")]
    client_type: ClientType,
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
    initiate_login_uri: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl From<OidcClient> for ClientView {
    fn from(client: OidcClient) -> Self {
        Self {
            client_id: client.id,
            name: client.name,
            client_type: client.client_type,
            redirect_uris: client.redirect_uris,
            post_logout_redirect_uris: client.post_logout_redirect_uris,
            initiate_login_uri: client.initiate_login_uri,
            created_at: client.created_at,
        }
    }
}

/// A client just registered, with its secret: shown this once, only its hash is kept.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegisteredView {
    #[serde(flatten)]
    client: ClientView,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
}

/// Registers an app.
#[utoipa::path(post, path = "/staff/oidc-clients", operation_id = "register_oidc_client",
    security(("staff" = [])), request_body = ClientBody,
    responses(
        (status = 201, description = "Registered; a confidential client's secret is shown this once", body = RegisteredView),
        (status = 403, description = "Needs `portal.clients.manage` (`forbidden`)"),
        (status = 422, description = "A field is missing or invalid (`validation_failed`)"),
    ))]
pub async fn register(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<ClientBody>,
) -> Result<(StatusCode, Json<RegisteredView>), Problem> {
    // Before the body is checked: without the permission, a 403 whatever was sent.
    staff.require(portal_domain::staff::MANAGE_CLIENTS)?;
    let settings = body.settings()?;
    let registered = register_oidc_client(
        &ports,
        &staff,
        settings,
        body.client_type.unwrap_or(ClientType::Confidential),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisteredView {
            client: registered.client.into(),
            client_secret: registered.secret.map(|secret| secret.as_str().to_owned()),
        }),
    ))
}

/// Every registered app, by name.
#[utoipa::path(get, path = "/staff/oidc-clients", operation_id = "oidc_clients",
    security(("staff" = [])),
    responses(
        (status = 200, description = "The apps", body = List<ClientView>),
        (status = 403, description = "Needs `portal.clients.manage` (`forbidden`)"),
    ))]
pub async fn list(
    Staff(staff): Staff,
    State(ports): State<Ports>,
) -> Result<Json<List<ClientView>>, Problem> {
    let clients = oidc_clients(&ports, &staff).await?;
    Ok(Json(List {
        items: clients.into_iter().map(ClientView::from).collect(),
        next_cursor: None,
    }))
}

#[utoipa::path(get, path = "/staff/oidc-clients/{id}", operation_id = "oidc_client",
    security(("staff" = [])), params(PathId<OidcClientKind>),
    responses(
        (status = 200, description = "The app", body = ClientView),
        (status = 403, description = "Needs `portal.clients.manage` (`forbidden`)"),
        (status = 404, description = "No app has this id"),
    ))]
pub async fn detail(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<OidcClientKind>,
) -> Result<Json<ClientView>, Problem> {
    Ok(Json(oidc_client(&ports, &staff, &id).await?.into()))
}

/// Changes an app's name and redirect URIs (its type and secret stay).
#[utoipa::path(patch, path = "/staff/oidc-clients/{id}", operation_id = "change_oidc_client",
    security(("staff" = [])), params(PathId<OidcClientKind>), request_body = ClientBody,
    responses(
        (status = 200, description = "Changed", body = ClientView),
        (status = 403, description = "Needs `portal.clients.manage` (`forbidden`)"),
        (status = 404, description = "No app has this id"),
        (status = 422, description = "A field is missing or invalid (`validation_failed`)"),
    ))]
pub async fn change(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<OidcClientKind>,
    ApiJson(body): ApiJson<ClientBody>,
) -> Result<Json<ClientView>, Problem> {
    // Before the body is checked: without the permission, a 403 whatever was sent.
    staff.require(portal_domain::staff::MANAGE_CLIENTS)?;
    let settings = body.settings()?;
    Ok(Json(
        change_oidc_client(&ports, &staff, &id, settings)
            .await?
            .into(),
    ))
}

/// Removes an app: its sessions cannot be refreshed any more.
#[utoipa::path(delete, path = "/staff/oidc-clients/{id}", operation_id = "delete_oidc_client",
    security(("staff" = [])), params(PathId<OidcClientKind>),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Needs `portal.clients.manage` (`forbidden`)"),
        (status = 404, description = "No app has this id"),
    ))]
pub async fn remove(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<OidcClientKind>,
) -> Result<StatusCode, Problem> {
    delete_oidc_client(&ports, &staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

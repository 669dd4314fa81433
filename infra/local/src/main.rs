//! `portal-local`: every function's routes on one port, on the embedded store (or DynamoDB)
//! and a file outbox, so what runs on a laptop is what runs in Lambda.

mod args;
mod banner;
mod clients;
mod importer;
mod keys;
mod mailer;
mod openapi;
mod staff;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use portal_domain::Ports;
use portal_domain::clock::SystemClock;
use portal_domain::password::MinLength;
use portal_domain::ports::{Settings, Store};
use portal_domain::sealed::Sealer;
use portal_email::{EmailConfig, FileOutbox};
use portal_http::{AccessTokenConfig, AccessTokens, StaffVerifier};
use portal_oidc::KeySource;
use portal_store::{DynamoStore, EmbeddedStore};
use tokio::net::TcpListener;

use args::{Args, Command, StoreKind};
use staff::LocalStaffAuth;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if let Some(Command::Openapi) = &args.command {
        println!("{}", serde_json::to_string_pretty(&openapi::document())?);
        return Ok(());
    }
    if let Some(Command::TokenPublicKey) = &args.command {
        println!("{}", keys::signing_key(&args)?.public_key().to_base64url());
        return Ok(());
    }
    let staff_auth = LocalStaffAuth::load(&args)?;
    // Built before anything is served or printed: a weak secret stops here.
    let staff_verifier = Arc::new(staff_auth.verifier()?);
    if let Some(Command::StaffToken(request)) = &args.command {
        println!("{}", staff_auth.requested_token(request));
        return Ok(());
    }

    let sealer: Arc<dyn Sealer> = Arc::new(keys::seal_key(&args)?);
    portal_http::init_tracing();
    let listener = TcpListener::bind(("127.0.0.1", args.port)).await?;
    let bound = listener.local_addr()?;
    let address = if args.localhost {
        format!("http://localhost:{}", bound.port())
    } else {
        format!("http://{bound}")
    };
    let base_url =
        portal_email::checked_base_url(args.portal_base_url.as_deref().unwrap_or(&address))?;

    let outbox = Arc::new(FileOutbox::new(
        args.outbox_path(),
        EmailConfig::local(&base_url, sealer.clone()),
    ));
    let settings = Settings {
        invitation_lifetime: time::Duration::hours(i64::from(args.invitation_ttl_hours)),
        email_retries: Default::default(),
        password_min_length: MinLength::new(args.password_min_length.into())?,
        client_rate_limit: args.client_rate_limit,
        portal_base_url: base_url.clone(),
        username_field: args.username_field,
    };
    let ports = portal_adapters::ports(
        open_store(&args).await?,
        outbox.clone(),
        Arc::new(SystemClock),
        sealer,
        settings,
    );
    let tokens = Arc::new(AccessTokens::new(AccessTokenConfig {
        issuer: args.token_issuer.clone(),
        audience: args.token_audience.clone(),
        signing_key: keys::signing_key(&args)?,
    }));
    if let Some(Command::RegisterClient(request)) = &args.command {
        println!("{}", clients::register(&ports, request).await?);
        return Ok(());
    }
    let oidc_keys = Arc::new(KeySource::ready(keys::oidc_keys(&args)?));
    mailer::spawn(ports.clone(), mailer::SWEEP_EVERY);
    importer::spawn(ports.clone(), importer::SWEEP_EVERY);
    let app = portal_http::app(routes(
        ports,
        staff_verifier,
        tokens,
        oidc_keys,
        outbox,
        args.staff_oidc_issuer.as_deref(),
    ));

    banner::print(&args, &address, &base_url, &staff_auth.banner_token());
    // The peer address is the client's IP in login events (Lambda has API Gateway's).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        tokio::signal::ctrl_c().await.ok();
    })
    .await?;
    Ok(())
}

/// Every function's router, merged, plus the local-only outbox viewer.
fn routes(
    ports: Ports,
    staff: Arc<StaffVerifier>,
    tokens: Arc<AccessTokens>,
    oidc_keys: Arc<KeySource>,
    outbox: Arc<FileOutbox>,
    staff_issuer: Option<&str>,
) -> Router {
    let dev_outbox = get(move || async move {
        let emails = outbox.read_all().map_err(|error| {
            tracing::error!(%error, "cannot read the outbox file");
            portal_http::Problem::internal()
        })?;
        Ok::<_, portal_http::Problem>(Json(emails))
    });
    portal_registration::router(ports.clone())
        .merge(portal_approval::router(ports.clone(), staff.clone()))
        .merge(portal_invitation::router(
            ports.clone(),
            staff.clone(),
            tokens.verifier().clone(),
        ))
        .merge(portal_deactivation::router(
            ports.clone(),
            staff,
            tokens.verifier().clone(),
        ))
        .merge(portal_oidc::router(
            ports.clone(),
            tokens.clone(),
            oidc_keys,
        ))
        .merge(portal_password::router(ports, tokens))
        .merge(portal_pages::router(staff_issuer))
        .route("/dev/outbox", dev_outbox)
}

async fn open_store(args: &Args) -> Result<Arc<dyn Store>, Box<dyn std::error::Error>> {
    Ok(match args.store {
        StoreKind::Embedded => Arc::new(EmbeddedStore::open(&args.store_path())?),
        StoreKind::Dynamodb => {
            let client = portal_store::connect_dynamodb(args.dynamodb_endpoint.as_deref()).await;
            portal_store::table::create_table_if_missing(&client, &args.table).await?;
            Arc::new(DynamoStore::new(client, args.table.clone()))
        }
    })
}

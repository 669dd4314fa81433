//! Our OpenID provider: clients listed by name, a code redeemed once (and with it the
//! session it grants), provider sessions that end for good.

use portal_adapters::OsRandomness;
use portal_domain::StoreError;
use portal_domain::ids::{OidcClientId, PortalUserId};
use portal_domain::oidc::{
    AMR_PASSWORD, AuthorizationCode, CODE_LIFETIME, ClientSettings, ClientType, OidcClient,
    OidcGrant, PROVIDER_SESSION_LIFETIME, ProviderSession,
};
use portal_domain::secret_token::token_hash;
use portal_domain::session::NewSession;

use crate::support::{Subject, new_email, now};

/// A unique hash per call, so tests on one table never meet.
fn fresh_hash() -> String {
    token_hash(new_email().as_ref())
}

pub fn oidc_client(name: &str) -> OidcClient {
    let settings = ClientSettings::parse(
        name,
        &["https://app.example.com/callback".into()],
        &["https://app.example.com/".into()],
        Some("https://app.example.com/login"),
    )
    .expect("valid client settings");
    OidcClient::new(
        OidcClientId::generate(&OsRandomness),
        settings,
        ClientType::Confidential,
        Some(token_hash("client-secret")),
        now(),
    )
}

/// A fresh code for `client`, and the session its redemption begins (an app's session,
/// with the code's grant on its family).
pub fn code_and_session(client: &OidcClient) -> (AuthorizationCode, NewSession) {
    let user_id = PortalUserId::generate(&OsRandomness);
    let session = app_session(client, &user_id);
    let code = AuthorizationCode {
        code_hash: fresh_hash(),
        client_id: client.id.clone(),
        redirect_uri: client.redirect_uris[0].clone(),
        user_id,
        scopes: vec!["openid".into(), "email".into()],
        nonce: Some("nonce-1".into()),
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
        auth_time: now(),
        amr: vec![AMR_PASSWORD.into()],
        family_id: session.family.id.clone(),
        expires_at: now() + CODE_LIFETIME,
        used_at: None,
    };
    (code, session)
}

/// Another session a redemption of the same code could begin (a replay's).
fn app_session(client: &OidcClient, user_id: &PortalUserId) -> NewSession {
    let mut session = NewSession::begin(&OsRandomness, user_id, 1, now());
    session.family.oidc = Some(OidcGrant {
        client_id: client.id.clone(),
        scopes: vec!["openid".into(), "email".into()],
        auth_time: now(),
        amr: vec![AMR_PASSWORD.into()],
    });
    session
}

fn provider_session() -> ProviderSession {
    ProviderSession {
        key_hash: fresh_hash(),
        user_id: PortalUserId::generate(&OsRandomness),
        token_version: 1,
        auth_time: now(),
        amr: vec![AMR_PASSWORD.into()],
        expires_at: now() + PROVIDER_SESSION_LIFETIME,
    }
}

fn by_id(mut clients: Vec<OidcClient>) -> Vec<OidcClient> {
    clients.sort_by(|a, b| a.id.cmp(&b.id));
    clients
}

pub async fn an_oidc_client_is_created_listed_by_name_updated_and_deleted(store: &impl Subject) {
    let time_sheets = oidc_client("Time Sheets");
    let twins = by_id(vec![oidc_client("Billing"), oidc_client("billing")]);
    let acme = oidc_client("Acme");
    let acme_ltd = oidc_client("acme ltd");
    for client in [&time_sheets, &twins[1], &acme_ltd, &twins[0], &acme] {
        store.create_oidc_client(client).await.unwrap();
    }
    assert_eq!(
        store.oidc_client(&time_sheets.id).await.unwrap(),
        Some(time_sheets.clone())
    );
    // By name, case aside ("Acme" before "acme ltd"), then by id.
    assert_eq!(
        store.oidc_clients().await.unwrap(),
        [
            acme.clone(),
            acme_ltd.clone(),
            twins[0].clone(),
            twins[1].clone(),
            time_sheets.clone(),
        ]
    );
    let again = OidcClient {
        name: "Another".into(),
        ..time_sheets.clone()
    };
    assert!(matches!(
        store.create_oidc_client(&again).await,
        Err(StoreError::ConditionFailed)
    ));
    assert_eq!(
        store.oidc_client(&time_sheets.id).await.unwrap(),
        Some(time_sheets.clone())
    );

    let settings = ClientSettings::parse(
        "Absences",
        &["https://absences.example.com/cb".into()],
        &[],
        None,
    )
    .unwrap();
    let renamed = time_sheets.with_settings(settings);
    store.update_oidc_client(&renamed).await.unwrap();

    assert_eq!(
        store.oidc_client(&renamed.id).await.unwrap(),
        Some(renamed.clone())
    );
    let listed = store.oidc_clients().await.unwrap();
    assert_eq!(
        listed,
        [
            renamed.clone(),
            acme.clone(),
            acme_ltd.clone(),
            twins[0].clone(),
            twins[1].clone(),
        ]
    );

    store.delete_oidc_client(&renamed.id).await.unwrap();
    // Twice: deleting is idempotent.
    store.delete_oidc_client(&renamed.id).await.unwrap();

    assert_eq!(store.oidc_client(&renamed.id).await.unwrap(), None);
    assert_eq!(
        store.oidc_clients().await.unwrap(),
        [acme, acme_ltd, twins[0].clone(), twins[1].clone()]
    );
    let before = store.everything().await;
    assert!(matches!(
        store.update_oidc_client(&renamed).await,
        Err(StoreError::ConditionFailed)
    ));
    assert_eq!(store.oidc_client(&renamed.id).await.unwrap(), None);
    assert_eq!(store.everything().await, before);
}

pub async fn no_oidc_clients_is_an_empty_list(store: &impl Subject) {
    assert_eq!(store.oidc_clients().await.unwrap(), Vec::new());
    let unknown = OidcClientId::generate(&OsRandomness);
    assert_eq!(store.oidc_client(&unknown).await.unwrap(), None);
}

pub async fn a_redeemed_authorization_code_is_used_and_its_session_begun_once(
    store: &impl Subject,
) {
    let client = oidc_client("Time Sheets");
    let (code, session) = code_and_session(&client);
    store.save_authorization_code(&code).await.unwrap();
    assert_eq!(
        store.authorization_code(&code.code_hash).await.unwrap(),
        Some(code.clone())
    );
    assert!(matches!(
        store.save_authorization_code(&code).await,
        Err(StoreError::ConditionFailed)
    ));

    let used = code.used(now());
    store
        .redeem_authorization_code(&used, &session)
        .await
        .unwrap();

    let stored = store.authorization_code(&code.code_hash).await.unwrap();
    assert!(stored.as_ref().is_some_and(|c| c.used_at.is_some()));
    assert_eq!(stored, Some(used.clone()));
    let family = store.session_family(&session.family.id).await.unwrap();
    assert_eq!(family.as_ref(), Some(&session.family));
    assert_eq!(
        family.and_then(|family| family.oidc),
        session.family.oidc.clone()
    );
    assert_eq!(
        store
            .refresh_token(&session.refresh.token_hash)
            .await
            .unwrap(),
        Some(session.refresh.clone())
    );

    // A replay: the code is used, nothing is written, no second session begins.
    let before = store.everything().await;
    let replay = app_session(&client, &code.user_id);
    let again = store
        .redeem_authorization_code(&code.used(now()), &replay)
        .await;

    assert!(
        matches!(again, Err(StoreError::ConditionFailed)),
        "{again:?}"
    );
    assert_eq!(store.session_family(&replay.family.id).await.unwrap(), None);
    assert_eq!(
        store
            .refresh_token(&replay.refresh.token_hash)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.authorization_code(&code.code_hash).await.unwrap(),
        Some(used)
    );
    assert_eq!(store.everything().await, before);
}

pub async fn redeeming_an_unknown_code_is_refused_and_writes_nothing(store: &impl Subject) {
    let client = oidc_client("Time Sheets");
    let (code, session) = code_and_session(&client);
    let before = store.everything().await;

    let result = store
        .redeem_authorization_code(&code.used(now()), &session)
        .await;

    assert!(
        matches!(result, Err(StoreError::ConditionFailed)),
        "{result:?}"
    );
    assert_eq!(
        store.authorization_code(&code.code_hash).await.unwrap(),
        None
    );
    assert_eq!(
        store.session_family(&session.family.id).await.unwrap(),
        None
    );
    assert_eq!(store.everything().await, before);
}

pub async fn of_two_racing_redemptions_of_one_code_exactly_one_wins(store: &impl Subject) {
    let client = oidc_client("Time Sheets");
    let (code, first) = code_and_session(&client);
    // As the use case begins it: the family the code names, with a refresh token of its own.
    let mut second = app_session(&client, &code.user_id);
    second.family.id = code.family_id.clone();
    second.refresh.family_id = code.family_id.clone();
    store.save_authorization_code(&code).await.unwrap();
    let used = code.used(now());

    let (first_result, second_result) = tokio::join!(
        store.redeem_authorization_code(&used, &first),
        store.redeem_authorization_code(&used, &second),
    );

    let (winner, loser) = match (first_result, second_result) {
        (Ok(()), Err(StoreError::ConditionFailed)) => (&first, &second),
        (Err(StoreError::ConditionFailed), Ok(())) => (&second, &first),
        other => panic!("expected exactly one redemption to win, got {other:?}"),
    };
    assert_eq!(
        store.session_family(&code.family_id).await.unwrap(),
        Some(winner.family.clone())
    );
    assert_eq!(
        store
            .refresh_token(&winner.refresh.token_hash)
            .await
            .unwrap(),
        Some(winner.refresh.clone())
    );
    assert_eq!(
        store
            .refresh_token(&loser.refresh.token_hash)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.authorization_code(&code.code_hash).await.unwrap(),
        Some(used)
    );
}

pub async fn a_provider_session_is_started_read_and_ended_for_good(store: &impl Subject) {
    let session = provider_session();
    store.start_provider_session(&session).await.unwrap();
    assert_eq!(
        store.provider_session(&session.key_hash).await.unwrap(),
        Some(session.clone())
    );
    let duplicate = ProviderSession {
        token_version: 2,
        ..session.clone()
    };
    assert!(matches!(
        store.start_provider_session(&duplicate).await,
        Err(StoreError::ConditionFailed)
    ));
    assert_eq!(
        store.provider_session(&session.key_hash).await.unwrap(),
        Some(session.clone())
    );

    store.end_provider_session(&session.key_hash).await.unwrap();
    // Twice: ending is idempotent, and so is ending one never started.
    store.end_provider_session(&session.key_hash).await.unwrap();
    store.end_provider_session(&fresh_hash()).await.unwrap();

    assert_eq!(
        store.provider_session(&session.key_hash).await.unwrap(),
        None
    );
}

//! Second factors live on the user: each change is one conditional write of it, so they
//! read back whole and two racing sign-in steps from one version cannot both pass.

use portal_adapters::OsRandomness;
use portal_domain::StoreError;
use portal_domain::login::LoginEvent;
use portal_domain::mfa::{
    AMR_MFA, AMR_OTP, AMR_PASSWORD, ChallengePurpose, MfaChallenge, PasskeyCeremony, PasskeyFactor,
    PasskeyUse, RecoveryCodes, SecondFactorProof,
};
use portal_domain::organization::OrganizationChange;

use crate::support::{Subject, active_in, client, now, organization, session, staff};

/// An active user with a confirmed authenticator app, ten recovery codes and a second
/// step under way, as the store keeps it.
async fn with_second_step(store: &impl Subject) -> portal_domain::user::PortalUser {
    let (user, _) = active_in(store).await;
    let pending = user.start_totp("sealed-secret".into(), now()).unwrap();
    store.update_portal_user(&pending, None).await.unwrap();
    let codes = RecoveryCodes::generate(&OsRandomness);
    let enrolled = pending.confirm_totp(7, codes.hashes, now()).unwrap();
    store.update_portal_user(&enrolled, None).await.unwrap();
    let (challenge, _) = MfaChallenge::begin(
        &OsRandomness,
        enrolled.id(),
        ChallengePurpose::SecondFactor,
        now(),
    );
    let stepping = enrolled.begin_mfa_challenge(challenge);
    store.update_portal_user(&stepping, None).await.unwrap();
    stepping
}

pub async fn second_factors_and_a_sign_in_step_read_back_with_the_user(store: &impl Subject) {
    let user = with_second_step(store).await;

    let stored = store.portal_user(user.id()).await.unwrap().unwrap();
    assert_eq!(stored, user);
    assert_eq!(stored.second_factors().recovery_codes.len(), 10);
    assert!(stored.second_factors().challenge.is_some());
    let by_username = store
        .portal_user_by_username(user.username().unwrap())
        .await
        .unwrap();
    assert_eq!(by_username, Some(user));
}

pub async fn of_two_racing_second_steps_from_one_version_exactly_one_is_recorded(
    store: &impl Subject,
) {
    let user = with_second_step(store).await;
    let event = LoginEvent::new(user.id(), true, &client(), now());
    let by_code = user.second_factor_passed(SecondFactorProof::Totp { step: 8 }, now());
    let by_recovery =
        user.second_factor_passed(SecondFactorProof::RecoveryCode { index: 0 }, now());

    let first = store
        .record_login_success(&by_code, &event, Some(&session(&by_code)))
        .await;
    let before = store.everything().await;
    let second = store
        .record_login_success(&by_recovery, &event, Some(&session(&by_recovery)))
        .await;

    assert!(first.is_ok(), "{first:?}");
    assert!(
        matches!(second, Err(StoreError::ConditionFailed)),
        "{second:?}"
    );
    assert_eq!(store.everything().await, before, "the loser wrote nothing");
    let stored = store.portal_user(user.id()).await.unwrap().unwrap();
    assert_eq!(stored.second_factors().challenge, None);
    assert_eq!(stored.second_factors().recovery_codes.len(), 10);
}

/// An active user with a passkey (what webauthn-rs keeps is opaque text to the store), a
/// registration under way and a spent sign-in.
async fn with_passkey(store: &impl Subject) -> portal_domain::user::PortalUser {
    let (user, _) = active_in(store).await;
    let passkey = PasskeyFactor {
        id: "cred-1".into(),
        name: "Laptop «work»".into(),
        added_at: now(),
        last_used_at: None,
        credential: r#"{"cred":{"counter":0}}"#.into(),
    };
    let codes = RecoveryCodes::generate(&OsRandomness);
    let added = user
        .add_passkey(passkey, Some(codes.hashes), now())
        .unwrap();
    store.update_portal_user(&added, None).await.unwrap();
    let ceremony = PasskeyCeremony {
        state: r#"{"rs":{"challenge":"abc"}}"#.into(),
        expires_at: now(),
    };
    let pending = added.start_passkey(ceremony).unwrap();
    store.update_portal_user(&pending, None).await.unwrap();
    pending
}

fn passkey_used(counter: u32) -> PasskeyUse {
    PasskeyUse {
        index: 0,
        credential: format!(r#"{{"cred":{{"counter":{counter}}}}}"#),
    }
}

pub async fn passkeys_their_ceremonies_and_spent_sign_ins_read_back_with_the_user(
    store: &impl Subject,
) {
    let user = with_passkey(store).await;
    let event = LoginEvent::new(user.id(), true, &client(), now());
    let signed_in = user.passkey_signed_in(passkey_used(1), "spent".into(), now(), now());
    store
        .record_login_success(&signed_in, &event, Some(&session(&signed_in)))
        .await
        .unwrap();

    let stored = store.portal_user(user.id()).await.unwrap().unwrap();

    assert_eq!(stored, signed_in);
    assert!(stored.passkey_sign_in_spent("spent"));
    assert!(stored.second_factors().passkeys[0].last_used_at.is_some());
    assert!(stored.second_factors().pending_passkey.is_some());
}

pub async fn of_two_racing_passkey_sign_ins_from_one_version_exactly_one_is_recorded(
    store: &impl Subject,
) {
    let user = with_passkey(store).await;
    let event = LoginEvent::new(user.id(), true, &client(), now());
    let first = user.passkey_signed_in(passkey_used(1), "one".into(), now(), now());
    let second = user.passkey_signed_in(passkey_used(1), "two".into(), now(), now());

    let won = store
        .record_login_success(&first, &event, Some(&session(&first)))
        .await;
    let before = store.everything().await;
    let lost = store
        .record_login_success(&second, &event, Some(&session(&second)))
        .await;

    assert!(won.is_ok(), "{won:?}");
    assert!(matches!(lost, Err(StoreError::ConditionFailed)), "{lost:?}");
    assert_eq!(store.everything().await, before, "the loser wrote nothing");
}

pub async fn an_organizations_policy_and_a_sessions_amr_read_back(store: &impl Subject) {
    let mut acme = organization();
    acme.require_mfa = true;
    store.create_organization(&acme).await.unwrap();
    assert_eq!(
        store.organization(&acme.id).await.unwrap(),
        Some(acme.clone())
    );
    let change = OrganizationChange {
        require_mfa: Some(false),
        ..OrganizationChange::default()
    };
    let relaxed = acme.change(&staff(), &change, now());
    store.update_organization(&relaxed).await.unwrap();
    assert_eq!(
        store
            .organization(&acme.id)
            .await
            .unwrap()
            .map(|o| o.require_mfa),
        Some(false)
    );

    let (user, _) = active_in(store).await;
    let amr = vec![
        AMR_PASSWORD.to_owned(),
        AMR_OTP.to_owned(),
        AMR_MFA.to_owned(),
    ];
    let begun = session(&user).signed_in_with(amr.clone());
    let event = LoginEvent::new(user.id(), true, &client(), now());
    store
        .record_login_success(&user.login_succeeded(now()), &event, Some(&begun))
        .await
        .unwrap();
    let family = store
        .session_family(&begun.family.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(family.amr, amr);
}

/// A member of an organization that requires a second factor accepts their invitation:
/// the user is active with the enrolment step, and no session begins.
pub async fn an_invitation_accepted_without_a_session_writes_none(store: &impl Subject) {
    let invited = crate::support::invited_in(store).await;
    let (challenge, _) = MfaChallenge::begin(
        &OsRandomness,
        invited.user.id(),
        ChallengePurpose::Enrolment,
        now(),
    );
    let next = crate::support::accepted(&invited).with_mfa_challenge(challenge);
    let with_session = session(&next);

    store.accept_invitation(&next, None, None).await.unwrap();

    assert_eq!(store.portal_user(next.id()).await.unwrap(), Some(next));
    assert_eq!(
        store.session_family(&with_session.family.id).await.unwrap(),
        None
    );
    let everything = store.everything().await;
    assert!(!everything.contains("FAMILY#"), "{everything}");
    assert!(!everything.contains("refresh_tokens\":{\""), "{everything}");
}

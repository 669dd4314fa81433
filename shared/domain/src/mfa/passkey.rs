//! Passkeys (WebAuthn Level 3) through `webauthn-rs`: the ceremonies' options and checks.
//! Everything here speaks JSON at its edge (the options the page hands to the browser, the
//! credential the browser answers), so no WebAuthn type reaches the HTTP layer or the store:
//! a passkey and a ceremony under way are kept as the JSON `webauthn-rs` serialises.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::error::{DomainError, FieldError};
use crate::ids::PortalUserId;

/// How long the browser has between the options and its answer.
pub const CEREMONY_LIFETIME: Duration = Duration::minutes(5);
/// Passkeys one user may hold: each is about 400 bytes of the user's item.
pub const MAX_PASSKEYS: usize = 10;
/// What a passkey is called when the person gives no name.
pub const DEFAULT_PASSKEY_NAME: &str = "Passkey";
const MAX_NAME_CHARS: usize = 60;

/// The one answer to every passkey that does not prove its user: unknown, another user's,
/// a wrong origin or relying party, a replay, an expired ceremony.
pub const PASSKEY_REFUSED: DomainError = DomainError::CodeInvalid("the passkey was not accepted");

/// A registered passkey, as stored on its user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyFactor {
    /// The credential id, base64url: what `DELETE /me/passkeys/{id}` names.
    pub id: String,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// The public key, its signature counter and flags, as `webauthn-rs` keeps them.
    pub credential: String,
}

/// A ceremony under way: what `webauthn-rs` must get back to check the browser's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyCeremony {
    pub state: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl PasskeyCeremony {
    fn new(state: &impl Serialize, now: OffsetDateTime) -> Self {
        Self {
            state: serde_json::to_string(state).expect("webauthn-rs state serialises"),
            expires_at: now + CEREMONY_LIFETIME,
        }
    }

    fn state<T: for<'de> Deserialize<'de>>(&self, now: OffsetDateTime) -> Option<T> {
        if now >= self.expires_at {
            return None;
        }
        serde_json::from_str(&self.state).ok()
    }
}

/// Which stored passkey an assertion proved, and that passkey as it is after it (its
/// signature counter moved on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyUse {
    pub index: usize,
    pub credential: String,
}

/// The portal as a WebAuthn relying party: its id is the host of `PORTAL_BASE_URL`, and
/// only that origin is accepted.
pub struct RelyingParty(Webauthn);

impl RelyingParty {
    /// Passkeys are bound to a domain name: a portal reached by an IP address (portal-local's
    /// default `http://127.0.0.1:…`) cannot offer them; `http://localhost:…` can.
    pub fn for_portal(base_url: &str) -> Result<Self, DomainError> {
        const NO_DOMAIN: DomainError = DomainError::InvalidState(
            "passkeys need the portal at a domain name (for example localhost), not an IP address",
        );
        let origin = Url::parse(base_url).map_err(|_| NO_DOMAIN)?;
        let rp_id = origin.domain().ok_or(NO_DOMAIN)?.to_owned();
        WebauthnBuilder::new(&rp_id, &origin)
            .and_then(|builder| builder.rp_name(&rp_id).build())
            .map(Self)
            .map_err(|_| NO_DOMAIN)
    }

    /// Creation options for a new passkey of `user_id`, refusing the ones they hold, and
    /// the ceremony to keep. The passkey is asked to be discoverable, so that it can sign
    /// in without a username (`webauthn-rs` leaves that to the caller).
    pub fn start_registration(
        &self,
        user_id: &PortalUserId,
        account: &str,
        display_name: &str,
        held: &[PasskeyFactor],
        now: OffsetDateTime,
    ) -> Result<(Value, PasskeyCeremony), DomainError> {
        let exclude = held
            .iter()
            .filter_map(|factor| passkey(factor).map(|passkey| passkey.cred_id().clone()))
            .collect();
        let (options, state) = self
            .0
            .start_passkey_registration(user_handle(user_id), account, display_name, Some(exclude))
            .map_err(refused)?;
        let mut options = serde_json::to_value(options).expect("options serialise");
        if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
            selection["residentKey"] = "required".into();
            selection["requireResidentKey"] = true.into();
        }
        Ok((options, PasskeyCeremony::new(&state, now)))
    }

    /// The browser's answer to [`start_registration`](Self::start_registration): the new
    /// passkey's id and what to store.
    pub fn finish_registration(
        &self,
        credential: &Value,
        ceremony: &PasskeyCeremony,
        now: OffsetDateTime,
    ) -> Result<(String, String), DomainError> {
        let credential: RegisterPublicKeyCredential = parse_credential(credential)?;
        let state: PasskeyRegistration = ceremony.state(now).ok_or(PASSKEY_REFUSED)?;
        let passkey = self
            .0
            .finish_passkey_registration(&credential, &state)
            .map_err(refused)?;
        Ok((
            credential_id(passkey.cred_id()),
            serde_json::to_string(&passkey).expect("a passkey serialises"),
        ))
    }

    /// Request options naming the user's passkeys (the second step after a password).
    pub fn start_authentication(
        &self,
        held: &[PasskeyFactor],
        now: OffsetDateTime,
    ) -> Result<(Value, PasskeyCeremony), DomainError> {
        let passkeys: Vec<Passkey> = held.iter().filter_map(passkey).collect();
        let (options, state) = self
            .0
            .start_passkey_authentication(&passkeys)
            .map_err(refused)?;
        let options = serde_json::to_value(options).expect("options serialise");
        Ok((options, PasskeyCeremony::new(&state, now)))
    }

    /// Checks an assertion against the ceremony and the user's passkeys.
    pub fn finish_authentication(
        &self,
        credential: &Value,
        ceremony: &PasskeyCeremony,
        held: &[PasskeyFactor],
        now: OffsetDateTime,
    ) -> Result<PasskeyUse, DomainError> {
        let credential: PublicKeyCredential = parse_credential(credential)?;
        let state: PasskeyAuthentication = ceremony.state(now).ok_or(PASSKEY_REFUSED)?;
        let result = self
            .0
            .finish_passkey_authentication(&credential, &state)
            .map_err(refused)?;
        used(held, &result)
    }

    /// Request options for a sign-in without a username: the browser offers the passkeys it
    /// holds for this portal. Shown in a dialog, not in the username field's autofill.
    pub fn start_discoverable(
        &self,
        now: OffsetDateTime,
    ) -> Result<(Value, PasskeyCeremony), DomainError> {
        let (mut options, state) = self
            .0
            .start_discoverable_authentication()
            .map_err(refused)?;
        options.mediation = None;
        let options = serde_json::to_value(options).expect("options serialise");
        Ok((options, PasskeyCeremony::new(&state, now)))
    }

    /// The user a discoverable passkey's answer names (its user handle), before anything is
    /// checked: the caller reads that user's passkeys for
    /// [`finish_discoverable`](Self::finish_discoverable).
    pub fn claimed_user(&self, credential: &Value) -> Result<PortalUserId, DomainError> {
        let credential: PublicKeyCredential = parse_credential(credential)?;
        let (handle, _) = self
            .0
            .identify_discoverable_authentication(&credential)
            .map_err(refused)?;
        PortalUserId::parse(&handle.simple().to_string()).ok_or(PASSKEY_REFUSED)
    }

    pub fn finish_discoverable(
        &self,
        credential: &Value,
        ceremony: &PasskeyCeremony,
        held: &[PasskeyFactor],
        now: OffsetDateTime,
    ) -> Result<PasskeyUse, DomainError> {
        let credential: PublicKeyCredential = parse_credential(credential)?;
        let state: DiscoverableAuthentication = ceremony.state(now).ok_or(PASSKEY_REFUSED)?;
        let id = credential_id(&credential.raw_id);
        let stored = held
            .iter()
            .find(|factor| factor.id == id)
            .and_then(passkey)
            .ok_or(PASSKEY_REFUSED)?;
        let result = self
            .0
            .finish_discoverable_authentication_v2(&credential, state, &stored)
            .map_err(refused)?;
        used(held, &result)
    }
}

/// A passkey's name as the person gave it: trimmed, up to 60 characters, no control
/// characters; none gives "Passkey".
pub fn passkey_name(raw: Option<&str>) -> Result<String, FieldError> {
    let name = raw.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Ok(DEFAULT_PASSKEY_NAME.into());
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(FieldError::new(
            "name",
            "must be at most 60 characters, without control characters",
        ));
    }
    Ok(name.to_owned())
}

/// A WebAuthn user handle is opaque bytes; ours are the user id's 16 bytes, so a
/// discoverable passkey's answer names its user without a lookup table.
fn user_handle(user_id: &PortalUserId) -> Uuid {
    Uuid::parse_str(user_id.as_str()).expect("portal user ids are 32 hex digits")
}

fn credential_id(raw: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn passkey(factor: &PasskeyFactor) -> Option<Passkey> {
    serde_json::from_str(&factor.credential).ok()
}

/// The stored passkey `result` is for, moved on past this use. `webauthn-rs` checked the
/// signature counter against its ceremony's copy of the passkey, which a use since then
/// may have left behind: the counter is checked again against the passkey as stored now,
/// so an assertion replayed into a ceremony still open is refused (W3C WebAuthn §7.2
/// step 21; an authenticator that keeps no counter sends 0 every time).
fn used(
    held: &[PasskeyFactor],
    result: &webauthn_rs::prelude::AuthenticationResult,
) -> Result<PasskeyUse, DomainError> {
    held.iter()
        .enumerate()
        .find_map(|(index, factor)| {
            let stored_counter = serde_json::from_str::<Value>(&factor.credential)
                .ok()?
                .pointer("/cred/counter")?
                .as_u64()?;
            let counter = u64::from(result.counter());
            if (counter > 0 || stored_counter > 0) && counter <= stored_counter {
                return None;
            }
            let mut passkey = passkey(factor)?;
            passkey.update_credential(result)?;
            Some(PasskeyUse {
                index,
                credential: serde_json::to_string(&passkey).expect("a passkey serialises"),
            })
        })
        .ok_or(PASSKEY_REFUSED)
}

fn parse_credential<T: for<'de> Deserialize<'de>>(credential: &Value) -> Result<T, DomainError> {
    T::deserialize(credential).map_err(|_| {
        DomainError::Validation(
            FieldError::new("credential", "is not a WebAuthn credential").into(),
        )
    })
}

/// Why `webauthn-rs` refused goes to the log (it may be a misconfigured origin); the
/// person gets the one answer.
fn refused(error: webauthn_rs::prelude::WebauthnError) -> DomainError {
    tracing::info!(%error, "passkey refused");
    PASSKEY_REFUSED
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use webauthn_authenticator_rs::WebauthnAuthenticator;
    use webauthn_authenticator_rs::softpasskey::SoftPasskey;

    use super::*;
    use crate::testing::TestRandomness;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);
    const PORTAL: &str = "https://portal.example";

    fn rp() -> RelyingParty {
        RelyingParty::for_portal(PORTAL).unwrap()
    }

    fn origin(url: &str) -> Url {
        Url::parse(url).unwrap()
    }

    /// A software authenticator that verifies its user (as a phone's biometrics would).
    fn authenticator() -> SoftPasskey {
        SoftPasskey::new(true)
    }

    fn register(authenticator: &mut SoftPasskey, user: &PortalUserId) -> PasskeyFactor {
        let (mut options, ceremony) = rp()
            .start_registration(user, "ada@example.com", "Ada Lovelace", &[], NOW)
            .unwrap();
        // The software authenticator cannot keep a discoverable credential (Chromium's
        // virtual one, in the browser tests, does).
        options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = false.into();
        let credential = authenticator
            .do_registration(origin(PORTAL), serde_json::from_value(options).unwrap())
            .unwrap();
        let (id, credential) = rp()
            .finish_registration(&serde_json::to_value(credential).unwrap(), &ceremony, NOW)
            .unwrap();
        PasskeyFactor {
            id,
            name: DEFAULT_PASSKEY_NAME.into(),
            added_at: NOW,
            last_used_at: None,
            credential,
        }
    }

    fn assertion(authenticator: &mut SoftPasskey, options: Value, at: &str) -> Value {
        let credential = authenticator
            .do_authentication(origin(at), serde_json::from_value(options).unwrap())
            .unwrap();
        serde_json::to_value(credential).unwrap()
    }

    /// `passkey`'s answer, at the portal, to a second step that names it, and the ceremony.
    fn answered(key: &mut SoftPasskey, passkey: &PasskeyFactor) -> (Value, PasskeyCeremony) {
        let (options, ceremony) = rp()
            .start_authentication(std::slice::from_ref(passkey), NOW)
            .unwrap();
        (assertion(key, options, PORTAL), ceremony)
    }

    fn user() -> PortalUserId {
        PortalUserId::generate(&TestRandomness)
    }

    #[test]
    fn a_portal_at_an_ip_address_cannot_offer_passkeys_but_localhost_can() {
        assert!(RelyingParty::for_portal("http://127.0.0.1:3000").is_err());
        assert!(RelyingParty::for_portal("http://localhost:3000").is_ok());
    }

    #[test]
    fn registration_asks_for_a_discoverable_passkey_that_verifies_its_user() {
        let (options, _) = rp()
            .start_registration(&user(), "ada@example.com", "Ada", &[], NOW)
            .unwrap();

        let selection = &options["publicKey"]["authenticatorSelection"];
        assert_eq!(selection["residentKey"], "required");
        assert_eq!(selection["userVerification"], "required");
        assert_eq!(options["publicKey"]["rp"]["id"], "portal.example");
    }

    #[test]
    fn a_registered_passkey_passes_the_second_step_and_its_counter_moves_on() {
        let mut key = authenticator();
        let passkey = register(&mut key, &user());

        let (answer, ceremony) = answered(&mut key, &passkey);
        let used = rp()
            .finish_authentication(&answer, &ceremony, std::slice::from_ref(&passkey), NOW)
            .unwrap();

        assert_eq!(used.index, 0);
        assert_ne!(used.credential, passkey.credential, "the counter is kept");
    }

    #[test]
    fn a_replayed_assertion_is_refused_by_the_signature_counter() {
        let mut key = authenticator();
        let mut passkey = register(&mut key, &user());
        let (answer, ceremony) = answered(&mut key, &passkey);
        let used = rp()
            .finish_authentication(&answer, &ceremony, std::slice::from_ref(&passkey), NOW)
            .unwrap();
        passkey.credential = used.credential;

        let replayed = rp().finish_authentication(&answer, &ceremony, &[passkey], NOW);

        assert!(matches!(replayed, Err(DomainError::CodeInvalid(_))));
    }

    #[test]
    fn an_assertion_from_another_origin_or_for_another_relying_party_is_refused() {
        let mut key = authenticator();
        let passkey = register(&mut key, &user());
        let held = [passkey];

        let (options, ceremony) = rp().start_authentication(&held, NOW).unwrap();
        let from_subdomain = assertion(&mut key, options, "https://evil.portal.example");
        assert!(
            rp().finish_authentication(&from_subdomain, &ceremony, &held, NOW)
                .is_err()
        );

        let (mut options, ceremony) = rp().start_authentication(&held, NOW).unwrap();
        options["publicKey"]["rpId"] = "evil.example".into();
        let other_party = assertion(&mut key, options, "https://evil.example");
        assert!(
            rp().finish_authentication(&other_party, &ceremony, &held, NOW)
                .is_err()
        );
    }

    #[test]
    fn another_users_passkey_does_not_answer_this_users_step() {
        let mut ada = authenticator();
        let mut eve = authenticator();
        let ada_passkey = register(&mut ada, &user());
        let eve_passkey = register(&mut eve, &user());
        let (mut options, ceremony) = rp()
            .start_authentication(std::slice::from_ref(&ada_passkey), NOW)
            .unwrap();
        // Eve's authenticator answers with her own credential.
        options["publicKey"]["allowCredentials"][0]["id"] = eve_passkey.id.clone().into();

        let answer = assertion(&mut eve, options, PORTAL);

        assert!(
            rp().finish_authentication(&answer, &ceremony, &[ada_passkey], NOW)
                .is_err()
        );
    }

    #[test]
    fn a_ceremony_is_answered_within_five_minutes_only() {
        let mut key = authenticator();
        let passkey = register(&mut key, &user());
        let (answer, ceremony) = answered(&mut key, &passkey);

        let late =
            rp().finish_authentication(&answer, &ceremony, &[passkey], NOW + CEREMONY_LIFETIME);

        assert!(matches!(late, Err(DomainError::CodeInvalid(_))));
    }

    #[test]
    fn a_discoverable_answer_names_its_user_by_the_user_handle_and_passes() {
        let ada = user();
        let mut key = authenticator();
        let passkey = register(&mut key, &ada);
        let (mut options, ceremony) = rp().start_discoverable(NOW).unwrap();
        assert!(options.get("mediation").is_none(), "a dialog, not autofill");
        // The software authenticator keeps no user handle: answer as a discoverable
        // passkey does, with the handle the registration gave it.
        options["publicKey"]["allowCredentials"] =
            serde_json::json!([{"type": "public-key", "id": passkey.id}]);
        let mut answer = assertion(&mut key, options, PORTAL);
        let handle = Uuid::parse_str(ada.as_str()).unwrap();
        answer["response"]["userHandle"] = credential_id(handle.as_bytes()).into();

        assert_eq!(rp().claimed_user(&answer).unwrap(), ada);
        let used = rp()
            .finish_discoverable(&answer, &ceremony, &[passkey], NOW)
            .unwrap();
        assert_eq!(used.index, 0);
    }

    #[test]
    fn a_credential_that_is_not_webauthn_is_a_validation_error() {
        let (_, ceremony) = rp().start_discoverable(NOW).unwrap();

        let answer = rp().finish_discoverable(&serde_json::json!({"id": 1}), &ceremony, &[], NOW);

        assert!(matches!(answer, Err(DomainError::Validation(_))));
    }

    #[test]
    fn a_passkey_name_is_trimmed_bounded_and_defaults_to_passkey() {
        assert_eq!(passkey_name(None).unwrap(), "Passkey");
        assert_eq!(passkey_name(Some("  ")).unwrap(), "Passkey");
        assert_eq!(passkey_name(Some(" Laptop ")).unwrap(), "Laptop");
        assert!(passkey_name(Some(&"x".repeat(61))).is_err());
        assert!(passkey_name(Some("a\u{7}b")).is_err());
    }
}

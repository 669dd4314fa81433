//! A person's passkey for tests: `webauthn-authenticator-rs`'s software authenticator,
//! which signs real WebAuthn answers (the portal's checks are `webauthn-rs`'s, not ours).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

/// One authenticator holding one passkey, used from one origin.
pub struct TestPasskey {
    key: SoftPasskey,
    origin: Url,
    /// What the registration gave it: the credential id and the user handle.
    credential_id: Option<String>,
    user_handle: Option<String>,
}

impl TestPasskey {
    /// An authenticator that verifies its user, used from `origin` (the portal's).
    pub fn at(origin: &str) -> Self {
        Self {
            key: SoftPasskey::new(true),
            origin: Url::parse(origin).expect("an origin"),
            credential_id: None,
            user_handle: None,
        }
    }

    /// The same authenticator, now used from another origin (a phishing site's).
    pub fn from_origin(mut self, origin: &str) -> Self {
        self.origin = Url::parse(origin).expect("an origin");
        self
    }

    /// The credential id of the passkey this authenticator made.
    pub fn credential_id(&self) -> &str {
        self.credential_id.as_deref().expect("registered")
    }

    /// The browser's answer (`toJSON()`) to creation options `{publicKey}`.
    pub fn create(&mut self, options: &Value) -> Value {
        let mut options = options.clone();
        // The software authenticator cannot keep a discoverable credential (Chromium's
        // virtual one, in the browser tests, does); asking for one would fail it.
        options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = false.into();
        self.user_handle = options["publicKey"]["user"]["id"]
            .as_str()
            .map(str::to_owned);
        let credential = self
            .key
            .do_registration(
                self.origin.clone(),
                serde_json::from_value(options).expect("WebAuthn options"),
            )
            .expect("the authenticator registers");
        let credential = serde_json::to_value(credential).expect("JSON");
        self.credential_id = credential["id"].as_str().map(str::to_owned);
        credential
    }

    /// The browser's answer to request options `{publicKey}`: with no credentials named
    /// (a sign-in without a username) it answers as a discoverable passkey does, naming
    /// its user by the handle the registration gave it.
    pub fn get(&mut self, options: &Value) -> Value {
        let mut options = options.clone();
        let discoverable = options["publicKey"]["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty);
        if discoverable {
            options["publicKey"]["allowCredentials"] =
                json!([{ "type": "public-key", "id": self.credential_id() }]);
        }
        let credential = self
            .key
            .do_authentication(
                self.origin.clone(),
                serde_json::from_value(options).expect("WebAuthn options"),
            )
            .expect("the authenticator answers");
        let mut credential = serde_json::to_value(credential).expect("JSON");
        if discoverable {
            credential["response"]["userHandle"] = self.user_handle.clone().into();
        }
        credential
    }

    /// `answer` as another user's passkey would send it: the user handle names `user_id`.
    pub fn claiming(answer: &Value, user_id: &str) -> Value {
        let mut answer = answer.clone();
        let bytes: Vec<u8> = (0..user_id.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&user_id[at..at + 2], 16).expect("hex"))
            .collect();
        answer["response"]["userHandle"] = URL_SAFE_NO_PAD.encode(bytes).into();
        answer
    }
}

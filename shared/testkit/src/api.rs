//! One helper per endpoint, each answering the [`Reply`], and the journeys built from
//! them (which assert every step and answer what the test goes on with).

use axum::Router;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use axum::http::{HeaderValue, Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::{InProcess, PASSWORD, Reply, Secret, Transport, link_token, profile};

/// A portal user who can act: their id, address and a fresh token pair.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// A route of a table: method, path and JSON body.
pub type Route = (Method, String, Option<Value>);

/// A portal behind a transport, and a staff token with both permissions.
pub struct Api<T> {
    transport: T,
    /// A staff token with both permissions.
    pub token: String,
}

/// A request with a bearer token and a JSON body, if given.
pub fn request(
    method: Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Request<Vec<u8>> {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = bearer {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    match body {
        Some(body) => request
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string().into_bytes()),
        None => request.body(Vec::new()),
    }
    .expect("a valid request")
}

/// A `multipart/form-data` body of a file and text fields: its content type and bytes.
fn multipart(file_name: &str, file: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "portal-testkit-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// `path`, with `?query` unless it is empty.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

#[track_caller]
fn expect(reply: &Reply, status: StatusCode, step: &str) {
    assert_eq!(reply.status, status, "{step}: {}", reply.body);
}

impl Api<InProcess> {
    /// `router` in this process, without staff.
    pub fn in_process(router: Router) -> Self {
        Self::new(InProcess::new(router), String::new())
    }
}

impl<T: Transport> Api<T> {
    pub fn new(transport: T, token: String) -> Self {
        Self { transport, token }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The same portal, as staff with this token (other permissions, or none that works).
    pub fn as_staff(&self, token: &str) -> Api<&T> {
        Api::new(&self.transport, token.to_owned())
    }

    /// Sends `request` as it is (with the kit's `User-Agent` unless it has one).
    pub async fn send(&self, mut request: Request<Vec<u8>>) -> Reply {
        request
            .headers_mut()
            .entry(USER_AGENT)
            .or_insert(HeaderValue::from_static(crate::USER_AGENT));
        self.transport.send(request).await
    }

    /// One request; `bearer` goes in the `Authorization` header, `body` as JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.send(request(method, path, bearer, body.as_ref()))
            .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, None, Some(body)).await
    }

    /// A POST whose body is sent as it is, with this content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> Reply {
        let request = Request::post(path)
            .header(CONTENT_TYPE, content_type)
            .body(body.into())
            .expect("a valid request");
        self.send(request).await
    }

    /// Sends every route with `bearer` and asserts each answers `status` (and, if given,
    /// the problem `code`).
    pub async fn expect_all(
        &self,
        routes: &[Route],
        bearer: Option<&str>,
        status: StatusCode,
        code: Option<&str>,
    ) {
        for (method, path, body) in routes {
            let reply = self.call(method.clone(), path, bearer, body.clone()).await;
            assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
            if let Some(code) = code {
                assert_eq!(reply.body["code"], code, "{method} {path}");
            }
        }
    }

    /// The `/org` routes, as the organization administrator with this access token.
    pub fn org<'a>(&'a self, access_token: &'a str) -> OrgAdmin<'a, T> {
        OrgAdmin {
            api: self,
            access_token,
        }
    }

    /// As staff holding both permissions.
    pub async fn staff(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.call(method, path, Some(&self.token), body).await
    }

    pub async fn staff_get(&self, path: &str) -> Reply {
        self.staff(Method::GET, path, None).await
    }

    pub async fn staff_post(&self, path: &str, body: Value) -> Reply {
        self.staff(Method::POST, path, Some(body)).await
    }

    // Registration.

    /// `POST /registrations`
    pub async fn register(&self, form: Value) -> Reply {
        self.post("/registrations", form).await
    }

    /// `POST /registrations/{id}/verify`
    pub async fn verify(&self, id: &str, code: &str) -> Reply {
        self.post(
            &format!("/registrations/{id}/verify"),
            json!({ "code": code }),
        )
        .await
    }

    /// `POST /registrations/{id}/resend-code`
    pub async fn resend(&self, id: &str) -> Reply {
        self.call(
            Method::POST,
            &format!("/registrations/{id}/resend-code"),
            None,
            None,
        )
        .await
    }

    // Approval, as staff.

    /// `GET /staff/registrations?{query}`
    pub async fn registrations(&self, query: &str) -> Reply {
        self.staff_get(&with_query("/staff/registrations", query))
            .await
    }

    /// `GET /staff/registrations/{id}`
    pub async fn registration(&self, id: &str) -> Reply {
        self.staff_get(&format!("/staff/registrations/{id}")).await
    }

    /// `POST /staff/registrations/{id}/link-contact`
    pub async fn link_contact(&self, id: &str, body: Value) -> Reply {
        self.staff_post(&format!("/staff/registrations/{id}/link-contact"), body)
            .await
    }

    /// `POST /staff/registrations/{id}/link-contact` making a new contact from the request.
    pub async fn link_new_contact(&self, id: &str) -> Reply {
        self.link_contact(id, json!({ "create_contact": true }))
            .await
    }

    /// `POST /staff/registrations/{id}/approve`
    pub async fn approve(&self, id: &str, body: Value) -> Reply {
        self.staff_post(&format!("/staff/registrations/{id}/approve"), body)
            .await
    }

    /// `POST /staff/registrations/{id}/reject`
    pub async fn reject(&self, id: &str, body: Value) -> Reply {
        self.staff_post(&format!("/staff/registrations/{id}/reject"), body)
            .await
    }

    /// `POST /staff/contacts`
    pub async fn create_contact(&self, first_name: &str, last_name: &str, email: &str) -> Reply {
        self.staff_post(
            "/staff/contacts",
            json!({ "first_name": first_name, "last_name": last_name, "email": email }),
        )
        .await
    }

    /// `GET /staff/contacts/{id}`
    pub async fn contact(&self, id: &str) -> Reply {
        self.staff_get(&format!("/staff/contacts/{id}")).await
    }

    /// `GET /staff/contacts?email={email}`
    pub async fn find_contacts(&self, email: &str) -> Reply {
        self.staff_get(&format!("/staff/contacts?email={email}"))
            .await
    }

    /// `GET /staff/contacts?{query}`: a search (`q=`), with its page.
    pub async fn search_contacts(&self, query: &str) -> Reply {
        self.staff_get(&with_query("/staff/contacts", query)).await
    }

    /// `POST /staff/imports`: `file` as `file_name` with these bytes, and the form's other
    /// `fields`.
    pub async fn start_import(
        &self,
        file_name: &str,
        file: &[u8],
        fields: &[(&str, &str)],
    ) -> Reply {
        self.start_import_as(&self.token, file_name, file, fields)
            .await
    }

    /// [`Self::start_import`] with this staff token.
    pub async fn start_import_as(
        &self,
        bearer: &str,
        file_name: &str,
        file: &[u8],
        fields: &[(&str, &str)],
    ) -> Reply {
        let (content_type, body) = multipart(file_name, file, fields);
        let request = Request::post("/staff/imports")
            .header(AUTHORIZATION, format!("Bearer {bearer}"))
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .expect("a valid request");
        self.send(request).await
    }

    /// `GET /staff/imports/{id}`
    pub async fn import(&self, id: &str) -> Reply {
        self.staff_get(&format!("/staff/imports/{id}")).await
    }

    /// `GET /staff/imports/{id}/rows?{query}`
    pub async fn import_rows(&self, id: &str, query: &str) -> Reply {
        self.staff_get(&with_query(&format!("/staff/imports/{id}/rows"), query))
            .await
    }

    /// The import `id` once it has finished (`done` or `failed`), the portal's background
    /// work given turns meanwhile; panics after a minute.
    pub async fn finished_import(&self, id: &str) -> Reply {
        for _ in 0..600 {
            self.transport.background().await;
            let reply = self.import(id).await;
            expect(&reply, StatusCode::OK, "read the import");
            if reply.body["status"] == "done" || reply.body["status"] == "failed" {
                return reply;
            }
        }
        panic!("import {id} did not finish within a minute");
    }

    /// `PATCH /staff/contacts/{id}`
    pub async fn change_contact(&self, id: &str, body: Value) -> Reply {
        self.staff(Method::PATCH, &format!("/staff/contacts/{id}"), Some(body))
            .await
    }

    /// `GET /staff/outbox/dead?{query}`
    pub async fn dead_emails(&self, query: &str) -> Reply {
        self.staff_get(&with_query("/staff/outbox/dead", query))
            .await
    }

    /// `POST /staff/outbox/dead/{id}/requeue`
    pub async fn requeue_dead_email(&self, id: &str) -> Reply {
        self.staff_post(&format!("/staff/outbox/dead/{id}/requeue"), json!({}))
            .await
    }

    /// `POST /staff/outbox/dead/requeue`
    pub async fn requeue_dead_emails(&self) -> Reply {
        self.staff_post("/staff/outbox/dead/requeue", json!({}))
            .await
    }

    // Invitation, as staff.

    /// `POST /staff/organizations`
    pub async fn create_organization(&self, body: Value) -> Reply {
        self.staff_post("/staff/organizations", body).await
    }

    /// `GET /staff/organizations/{id}`
    pub async fn organization(&self, id: &str) -> Reply {
        self.staff_get(&format!("/staff/organizations/{id}")).await
    }

    /// `GET /staff/organizations?{query}`
    pub async fn organizations(&self, query: &str) -> Reply {
        self.staff_get(&with_query("/staff/organizations", query))
            .await
    }

    /// `PATCH /staff/organizations/{id}`
    pub async fn change_organization(&self, id: &str, body: Value) -> Reply {
        self.staff(
            Method::PATCH,
            &format!("/staff/organizations/{id}"),
            Some(body),
        )
        .await
    }

    /// `POST /staff/organizations/{id}/members`
    pub async fn add_members(&self, organization_id: &str, body: Value) -> Reply {
        self.staff_post(
            &format!("/staff/organizations/{organization_id}/members"),
            body,
        )
        .await
    }

    /// `POST /staff/portal-users`
    pub async fn create_user(&self, body: Value) -> Reply {
        self.staff_post("/staff/portal-users", body).await
    }

    /// `GET /staff/portal-users?{query}`
    pub async fn users(&self, query: &str) -> Reply {
        self.staff_get(&with_query("/staff/portal-users", query))
            .await
    }

    /// `GET /staff/portal-users/{id}`
    pub async fn user(&self, id: &str) -> Reply {
        self.staff_get(&format!("/staff/portal-users/{id}")).await
    }

    /// `PATCH /staff/portal-users/{id}`
    pub async fn change_user(&self, id: &str, body: Value) -> Reply {
        self.staff(
            Method::PATCH,
            &format!("/staff/portal-users/{id}"),
            Some(body),
        )
        .await
    }

    /// `POST /staff/portal-users/{id}/invitation`
    pub async fn reinvite(&self, id: &str) -> Reply {
        self.staff(
            Method::POST,
            &format!("/staff/portal-users/{id}/invitation"),
            None,
        )
        .await
    }

    // Deactivation, as staff.

    /// `POST /staff/portal-users/{id}/access-info`
    pub async fn access_info(&self, id: &str, body: Value) -> Reply {
        let path = format!("/staff/portal-users/{id}/access-info");
        self.staff_post(&path, body).await
    }

    /// `POST /staff/portal-users/access-info`
    pub async fn access_info_to_many(&self, body: Value) -> Reply {
        self.staff_post("/staff/portal-users/access-info", body)
            .await
    }

    /// `POST /staff/portal-users/{id}/deactivate`
    pub async fn deactivate(&self, id: &str) -> Reply {
        self.staff(
            Method::POST,
            &format!("/staff/portal-users/{id}/deactivate"),
            None,
        )
        .await
    }

    /// `POST /staff/portal-users/{id}/reactivate`
    pub async fn reactivate(&self, id: &str) -> Reply {
        self.staff(
            Method::POST,
            &format!("/staff/portal-users/{id}/reactivate"),
            None,
        )
        .await
    }

    /// `POST /staff/portal-users/{id}/unlock`
    pub async fn unlock(&self, id: &str) -> Reply {
        self.staff(
            Method::POST,
            &format!("/staff/portal-users/{id}/unlock"),
            None,
        )
        .await
    }

    // Password: invitations, sessions, resets.

    /// `POST /invitations/lookup`
    pub async fn lookup_invitation(&self, token: &str) -> Reply {
        self.post("/invitations/lookup", json!({ "token": token }))
            .await
    }

    /// `POST /invitations/accept`, with a profile if given.
    pub async fn accept_invitation(
        &self,
        token: &str,
        password: &str,
        profile: Option<Value>,
    ) -> Reply {
        let mut body = json!({ "token": token, "password": password });
        if let Some(profile) = profile {
            body["profile"] = profile;
        }
        self.post("/invitations/accept", body).await
    }

    /// A contact with a name alone, its portal user created without sending anything, and
    /// the personal link staff hand over: the contact's id, the user's id and the link's
    /// token.
    pub async fn known_by_name(
        &self,
        first_name: &str,
        last_name: &str,
    ) -> (String, String, String) {
        let contact = self
            .staff_post(
                "/staff/contacts",
                json!({ "first_name": first_name, "last_name": last_name }),
            )
            .await;
        assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
        let contact_id = contact.id("contact_id");
        let user = self
            .create_user(json!({ "contact_id": contact_id, "send_invitation": false }))
            .await;
        assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
        let user_id = user.id("portal_user_id");
        let handed = self
            .access_info(&user_id, json!({ "delivery": "link" }))
            .await;
        assert_eq!(handed.status, StatusCode::CREATED, "{}", handed.body);
        let link = handed.body["link"].as_str().expect("a link");
        let token = link_token(link).expect("a token in the link");
        (contact_id, user_id, token)
    }

    /// `POST /invitations/email`: a person known by name alone gives their address.
    pub async fn send_email_code(&self, token: &str, email: &str) -> Reply {
        self.post(
            "/invitations/email",
            json!({ "token": token, "email": email }),
        )
        .await
    }

    /// `POST /sessions`
    pub async fn log_in(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/sessions",
            json!({ "username": username, "password": password }),
        )
        .await
    }

    /// `POST /sessions/mfa` with `{mfa_token}` and `answer` (`code` or `recovery_code`).
    pub async fn second_factor(&self, mfa_token: &str, answer: Value) -> Reply {
        let mut body = answer;
        body["mfa_token"] = Value::String(mfa_token.to_owned());
        self.post("/sessions/mfa", body).await
    }

    /// Sets up an authenticator app for the bearer of `token` (an access or enrolment
    /// token): `POST /me/mfa/totp`, then its first code (at the clock's `now`) to
    /// `/me/mfa/totp/confirm`. Answers the secret and the recovery codes.
    pub async fn enrol_totp(
        &self,
        token: &str,
        now: time::OffsetDateTime,
    ) -> (String, Vec<String>) {
        let setup = self
            .call(Method::POST, "/me/mfa/totp", Some(token), None)
            .await;
        expect(&setup, StatusCode::OK, "start_totp");
        let secret = setup.id("secret");
        let confirmed = self
            .call(
                Method::POST,
                "/me/mfa/totp/confirm",
                Some(token),
                Some(json!({ "code": crate::totp_code(&secret, now) })),
            )
            .await;
        expect(&confirmed, StatusCode::OK, "confirm_totp");
        let codes = confirmed.body["recovery_codes"]
            .as_array()
            .expect("recovery codes")
            .iter()
            .map(|code| code.as_str().expect("a code").to_owned())
            .collect();
        (secret, codes)
    }

    /// A registered user moved into a new organization that requires a second factor:
    /// the member, and the enrolment token their password now answers.
    pub async fn member_who_must_enrol(&self, email: &str) -> (Member, String) {
        let organization = self
            .create_organization(json!({ "name": "Acme", "roles": [], "require_mfa": true }))
            .await;
        let member = self.registered_user(crate::person(email)).await;
        let moved = self
            .change_user(
                &member.id,
                json!({ "organization_id": organization.id("organization_id") }),
            )
            .await;
        expect(&moved, StatusCode::OK, "change_user");
        let step = self.log_in(email, crate::PASSWORD).await;
        expect(&step, StatusCode::OK, "log_in");
        (member, step.id("enrollment_token"))
    }

    /// Registers `passkey` for the bearer of `token` (an access or enrolment token):
    /// `POST /me/passkeys/options`, then its answer to `POST /me/passkeys`.
    pub async fn enrol_passkey(&self, token: &str, passkey: &mut crate::TestPasskey) -> Reply {
        let options = self
            .call(Method::POST, "/me/passkeys/options", Some(token), None)
            .await;
        expect(&options, StatusCode::OK, "passkey_creation_options");
        let credential = passkey.create(&options.body);
        let added = self
            .call(
                Method::POST,
                "/me/passkeys",
                Some(token),
                Some(json!({ "credential": credential, "name": "Laptop" })),
            )
            .await;
        expect(&added, StatusCode::CREATED, "add_passkey");
        added
    }

    /// A sign-in with `passkey` alone: `POST /sessions/passkey/options`, then its answer
    /// (as `answer` changes it) to `POST /sessions/passkey`.
    pub async fn passkey_sign_in(
        &self,
        passkey: &mut crate::TestPasskey,
        answer: impl FnOnce(Value) -> Value,
    ) -> Reply {
        let options = self.post("/sessions/passkey/options", json!({})).await;
        expect(&options, StatusCode::OK, "passkey_request_options");
        let credential = answer(passkey.get(&json!({ "publicKey": options.body["publicKey"] })));
        self.post(
            "/sessions/passkey",
            json!({ "passkey_token": options.id("passkey_token"), "credential": credential }),
        )
        .await
    }

    /// `POST /sessions/refresh`
    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post(
            "/sessions/refresh",
            json!({ "refresh_token": refresh_token }),
        )
        .await
    }

    /// `DELETE /sessions`
    pub async fn log_out(&self, access_token: &str) -> Reply {
        self.call(Method::DELETE, "/sessions", Some(access_token), None)
            .await
    }

    /// `GET /me`
    pub async fn me(&self, access_token: &str) -> Reply {
        self.call(Method::GET, "/me", Some(access_token), None)
            .await
    }

    /// `GET /.well-known/jwks.json`
    pub async fn jwks(&self) -> Reply {
        self.get("/.well-known/jwks.json").await
    }

    /// `POST /staff/oidc-clients`
    pub async fn register_oidc_client(&self, body: Value) -> Reply {
        self.staff_post("/staff/oidc-clients", body).await
    }

    /// `POST /oauth2/login`, as the portal's login page sends it (its own `Origin`).
    pub async fn provider_sign_in(&self, username: &str, password: &str) -> Reply {
        let body = json!({ "username": username, "password": password });
        self.provider_post("/oauth2/login", &body, crate::TEST_BASE_URL)
            .await
    }

    /// `POST /oauth2/login/mfa`, as the portal's login page sends it.
    pub async fn provider_second_factor(&self, mfa_token: &str, answer: Value) -> Reply {
        let mut body = answer;
        body["mfa_token"] = Value::String(mfa_token.to_owned());
        self.provider_post("/oauth2/login/mfa", &body, crate::TEST_BASE_URL)
            .await
    }

    /// A provider sign-in with `passkey` alone, sent from `origin`: the options of
    /// `POST /sessions/passkey/options`, then its answer to `POST /oauth2/login/passkey`.
    pub async fn provider_passkey_sign_in(
        &self,
        passkey: &mut crate::TestPasskey,
        origin: &str,
    ) -> Reply {
        let options = self.post("/sessions/passkey/options", json!({})).await;
        expect(&options, StatusCode::OK, "passkey_request_options");
        let credential = passkey.get(&json!({ "publicKey": options.body["publicKey"] }));
        let body =
            json!({ "passkey_token": options.id("passkey_token"), "credential": credential });
        self.provider_post("/oauth2/login/passkey", &body, origin)
            .await
    }

    /// A JSON POST to the provider's login, from the page at `origin`.
    async fn provider_post(&self, path: &str, body: &Value, origin: &str) -> Reply {
        let request = Request::post(path)
            .header(CONTENT_TYPE, "application/json")
            .header("origin", origin)
            .body(body.to_string().into_bytes())
            .expect("a valid request");
        self.send(request).await
    }

    /// `GET /oauth2/authorize?<query>`, with the provider session's cookie if given.
    pub async fn authorize(&self, query: &str, provider_cookie: Option<&str>) -> Reply {
        let mut request = Request::get(format!("/oauth2/authorize?{query}"));
        if let Some(cookie) = provider_cookie {
            request = request.header("cookie", format!("__Host-portal-provider={cookie}"));
        }
        self.send(request.body(Vec::new()).expect("a valid request"))
            .await
    }

    /// `POST /oauth2/token` with `pairs` form-encoded, the client by HTTP Basic.
    pub async fn oidc_token(&self, client_id: &str, secret: &str, pairs: &[(&str, &str)]) -> Reply {
        self.oidc_form("/oauth2/token", client_id, secret, pairs)
            .await
    }

    /// `GET /oauth2/userinfo`
    pub async fn userinfo(&self, access_token: &str) -> Reply {
        self.call(Method::GET, "/oauth2/userinfo", Some(access_token), None)
            .await
    }

    /// A form POST to an OAuth endpoint (token, revoke), the client by HTTP Basic.
    pub async fn oidc_form(
        &self,
        path: &str,
        client_id: &str,
        secret: &str,
        pairs: &[(&str, &str)],
    ) -> Reply {
        use base64::Engine;
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let request = Request::post(path)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(AUTHORIZATION, format!("Basic {basic}"))
            .body(body.into_bytes())
            .expect("a valid request");
        self.send(request).await
    }

    /// `POST /password-resets`
    pub async fn request_reset(&self, email: &str) -> Reply {
        self.post("/password-resets", json!({ "email": email }))
            .await
    }

    /// `POST /password-resets/complete`
    pub async fn complete_reset(&self, token: &str, password: &str) -> Reply {
        self.post(
            "/password-resets/complete",
            json!({ "token": token, "password": password }),
        )
        .await
    }

    // What the portal mailed.

    /// Every secret of this kind mailed to `to`, oldest first.
    pub async fn secrets(&self, to: &str, secret: Secret) -> Vec<String> {
        self.transport.mailed(to, secret).await
    }

    /// The newest secret of this kind mailed to `to`.
    pub async fn secret(&self, to: &str, secret: Secret) -> String {
        self.secrets(to, secret)
            .await
            .pop()
            .unwrap_or_else(|| panic!("no {} mailed to {to}", secret.kind()))
    }

    /// The newest verification code mailed to `to`.
    pub async fn code_for(&self, to: &str) -> String {
        self.secret(to, Secret::Code).await
    }

    /// The token of the newest invitation mailed to `to`.
    pub async fn invitation_token(&self, to: &str) -> String {
        self.secret(to, Secret::Invitation).await
    }

    /// The tokens of every invitation mailed to `to`, oldest first.
    pub async fn invitation_tokens(&self, to: &str) -> Vec<String> {
        self.secrets(to, Secret::Invitation).await
    }

    /// The token of the newest reset link mailed to `to`.
    pub async fn reset_token(&self, to: &str) -> String {
        self.secret(to, Secret::Reset).await
    }

    /// The token of the newest access information mailed to `to`.
    pub async fn access_info_token(&self, to: &str) -> String {
        self.secret(to, Secret::AccessInfo).await
    }

    // Journeys.

    /// `form` registered: a request waiting for its code. Its id.
    pub async fn submitted_request(&self, form: Value) -> String {
        let submitted = self.register(form).await;
        expect(&submitted, StatusCode::ACCEPTED, "register");
        submitted.id("registration_id")
    }

    /// `form` registered and its mailed code verified: a request in the staff queue
    /// (status `new`). Its id.
    pub async fn verified_request(&self, form: Value) -> String {
        let email = form["email"]
            .as_str()
            .expect("a form with an email")
            .to_owned();
        let id = self.submitted_request(form).await;
        let verified = self.verify(&id, &self.code_for(&email).await).await;
        expect(&verified, StatusCode::OK, "verify");
        id
    }

    /// A verified request linked to a new contact made from it (status `resolved`).
    pub async fn resolved_request(&self, form: Value) -> String {
        let id = self.verified_request(form).await;
        expect(&self.link_new_contact(&id).await, StatusCode::OK, "link");
        id
    }

    /// A resolved request approved (no roles, no organization): the token of the
    /// invitation mailed to the person.
    pub async fn invitation_for(&self, form: Value) -> String {
        let email = form["email"]
            .as_str()
            .expect("a form with an email")
            .to_owned();
        let id = self.resolved_request(form).await;
        expect(
            &self.approve(&id, json!({})).await,
            StatusCode::OK,
            "approve",
        );
        self.invitation_token(&email).await
    }

    /// A person who registered with `form`, was approved and accepted.
    pub async fn registered_user(&self, form: Value) -> Member {
        let token = self.invitation_for(form).await;
        self.accepted(&token).await
    }

    /// The person the invitation `token` is for accepts it with [`PASSWORD`] (naming
    /// themselves if the invitation asks for it).
    pub async fn accepted(&self, token: &str) -> Member {
        let invitation = self.lookup_invitation(token).await;
        expect(&invitation, StatusCode::OK, "lookup");
        let needs_profile = invitation.body["needs_profile"] == true;
        let pair = self
            .accept_invitation(token, PASSWORD, needs_profile.then(profile))
            .await;
        expect(&pair, StatusCode::OK, "accept");
        let access_token = pair.id("access_token");
        let me = self.me(&access_token).await;
        expect(&me, StatusCode::OK, "me");
        Member {
            id: me.id("portal_user_id"),
            email: invitation.id("username"),
            access_token,
            refresh_token: pair.id("refresh_token"),
        }
    }

    /// A contact of Ada Lovelace at `email`: its id.
    pub async fn new_contact(&self, email: &str) -> String {
        let reply = self.create_contact("Ada", "Lovelace", email).await;
        expect(&reply, StatusCode::CREATED, "create a contact");
        reply.id("contact_id")
    }

    /// An organization with these roles: its id.
    pub async fn new_organization(&self, name: &str, roles: &[&str]) -> String {
        let reply = self
            .create_organization(json!({ "name": name, "roles": roles }))
            .await;
        expect(&reply, StatusCode::CREATED, "create an organization");
        reply.id("organization_id")
    }

    /// `POST /staff/portal-users` for a new contact of `email`, with `extra` fields.
    /// Each one a tick after the one before, so lists (oldest first) have one order.
    pub async fn create_user_for(&self, email: &str, extra: Value) -> Reply {
        self.transport.tick();
        let mut body = json!({ "contact_id": self.new_contact(email).await });
        body.as_object_mut()
            .expect("an object")
            .extend(extra.as_object().expect("extra fields").clone());
        self.create_user(body).await
    }

    /// A user staff invited: their id.
    pub async fn invited_user(&self, email: &str, extra: Value) -> String {
        let reply = self.create_user_for(email, extra).await;
        expect(&reply, StatusCode::CREATED, "create a user");
        reply.id("portal_user_id")
    }

    /// A user staff invited who accepted.
    pub async fn active_user(&self, email: &str, extra: Value) -> Member {
        self.invited_user(email, extra).await;
        self.accepted(&self.invitation_token(email).await).await
    }

    /// An active administrator of `organization_id`.
    pub async fn org_admin(&self, organization_id: &str, email: &str) -> Member {
        self.active_user(
            email,
            json!({ "organization_id": organization_id, "org_admin": true }),
        )
        .await
    }

    /// Asks for a reset link for `email`: its token.
    pub async fn reset_link(&self, email: &str) -> String {
        expect(
            &self.request_reset(email).await,
            StatusCode::ACCEPTED,
            "request a reset",
        );
        self.reset_token(email).await
    }
}

/// An organization's administrator: the `/org` routes with their access token.
pub struct OrgAdmin<'a, T> {
    api: &'a Api<T>,
    access_token: &'a str,
}

impl<T: Transport> OrgAdmin<'_, T> {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.api
            .call(method, path, Some(self.access_token), body)
            .await
    }

    /// `GET /org/members?{query}`
    pub async fn members(&self, query: &str) -> Reply {
        self.call(Method::GET, &with_query("/org/members", query), None)
            .await
    }

    /// `POST /org/members`
    pub async fn invite(&self, body: Value) -> Reply {
        self.call(Method::POST, "/org/members", Some(body)).await
    }

    /// `POST /org/members/access-info`
    pub async fn access_info(&self, body: Value) -> Reply {
        self.call(Method::POST, "/org/members/access-info", Some(body))
            .await
    }

    /// `POST /org/members/{id}/invitation`
    pub async fn reinvite(&self, id: &str) -> Reply {
        self.call(Method::POST, &format!("/org/members/{id}/invitation"), None)
            .await
    }

    /// `PATCH /org/members/{id}`
    pub async fn change_member(&self, id: &str, body: Value) -> Reply {
        self.call(Method::PATCH, &format!("/org/members/{id}"), Some(body))
            .await
    }

    /// `PUT /org/members/{id}/admin`
    pub async fn set_admin(&self, id: &str, body: Value) -> Reply {
        self.call(Method::PUT, &format!("/org/members/{id}/admin"), Some(body))
            .await
    }

    /// `POST /org/members/{id}/deactivate`
    pub async fn deactivate(&self, id: &str) -> Reply {
        self.call(Method::POST, &format!("/org/members/{id}/deactivate"), None)
            .await
    }

    /// `POST /org/members/{id}/reactivate`
    pub async fn reactivate(&self, id: &str) -> Reply {
        self.call(Method::POST, &format!("/org/members/{id}/reactivate"), None)
            .await
    }
}

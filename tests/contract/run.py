#!/usr/bin/env python3
"""Schemathesis against a spawned portal-local: the served OpenAPI document is the contract.

    .venv/bin/python tests/contract/run.py target/debug/portal-local embedded
    .venv/bin/python tests/contract/run.py target/debug/portal-local dynamodb   # moto: scripts/moto.sh

Starts portal-local on a free port with a fresh data dir (and, on DynamoDB, a table of its
own), creates through the HTTP API an organization with an administrator and another
organization with a plain member (each accepts their invitation and logs in), and a few
records to act on (an invited colleague, a verified registration request, a portal user,
contacts), then runs Schemathesis (every check, a fixed seed) against `GET /openapi.json`
three times, with the `staff` and `portal` security schemes filled in per identity:

  org-admin  the operations of the `portal` scheme, as the organization administrator
  member     the operations of the `portal` scheme, as the plain member (no administrator)
  staff      every operation: `staff` = a staff token with both permissions, `portal` = the
             plain member

Where the service refuses schema-valid input by design (an unknown cursor, token or record),
BY_DESIGN below says so, operation by operation; hooks.py holds the check that keeps those
allowances to exactly those refusals.

Prints one line per run (and one per kind of failure), exits 1 if any run failed, and always
stops portal-local (printing the tail of its log when setup went wrong). Each run's config,
output, JUnit and JSON reports land in target/contract/<store>/<run>/; the output has a curl
command that reproduces each failure. The pinned Schemathesis: infra/requirements-dev.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Long, and not guessable from the people's names or addresses.
PASSWORD = "violet tractor harbour 42 mosaic lantern"
MANAGE_USERS = "portal.users.manage"
ASSIGN_ROLES = "portal.roles.assign"
# Settings that would change what the spawned process does, if the caller's shell had them.
CONFIG_ENV = (
    "PORT", "PORTAL_DATA_DIR", "PORTAL_STORE", "DYNAMODB_ENDPOINT", "TABLE_NAME",
    "PORTAL_BASE_URL", "INVITATION_TTL_HOURS", "PASSWORD_MIN_LENGTH", "CLIENT_RATE_LIMIT", "USERNAME_FIELD",
    "OUTBOX_SEAL_KEY", "PORTAL_SIGNING_KEY", "PORTAL_TOKEN_ISSUER", "PORTAL_TOKEN_AUDIENCE",
    "STAFF_JWT_SECRET", "STAFF_JWT_ISSUER", "STAFF_JWT_AUDIENCE",
    "STAFF_OIDC_ISSUER", "STAFF_OIDC_CLIENT_ID", "STAFF_OIDC_CLIENT_SECRET",
    "STAFF_PERMISSIONS_CLAIM", "STAFF_PERMISSION_MAP",
)


@dataclass(frozen=True)
class Refusal:
    """An answer to schema-valid input that is right by design: the status, the problem's
    `code`, and the only `errors[]` (field, message) pairs it may name (None: any)."""

    status: int
    code: str
    errors: tuple[tuple[str, str], ...] | None
    why: str


CURSOR = Refusal(422, "validation_failed", (("cursor", "is not a cursor of this list"),),
                 "a cursor is opaque: one this list never handed out is refused")
ADDRESS = Refusal(422, "validation_failed", (
    ("email", "is not a valid email address"),
    ("email", "must not contain control or invisible characters"),
), "what one mailbox is (no quoted local parts, comments, invisible or bidirectional characters; "
   "IDNA domains) is more than a schema's `format: email` says (docs/security.md)")
NO_ORGANIZATION = ("organization_id", "is not an existing organization")
INVITATION_TOKEN = Refusal(410, "invitation_invalid", None,
                           "a token that is no live invitation's (any generated one) is gone")

# What `positive_data_acceptance` accepts besides its defaults (2xx, 3xx, 401, 403, 404, 409,
# 429, 5xx — a 5xx fails `not_a_server_error` instead), per operation: schema-valid input the
# service refuses by design, for reasons no schema can state (which records exist, which
# cursors and tokens it issued). Each allowance is that refusal only: the `refused_by_design`
# check (hooks.py) fails any other answer with the same status. Nothing else about any check
# is changed.
# Rules between fields or items, which the document's generator (utoipa) cannot write as
# JSON Schema (`anyOf` of `required`, `contains`): each is stated in the operation's text.
NO_ADDRESS = Refusal(422, "validation_failed", (("emails", "must name at least one address"),),
                     "a list whose entries are all blank names nobody (JSON Schema: `contains`)")
ONE_CHANGE = "one of roles, organization_id and org_admin is required"
ORGANIZATION_ROLES = Refusal(
    422, "validation_failed", (("roles", "must be roles of the organization"),),
    "an administrator may give only the roles their organization has: data, not schema")

# The OpenID provider answers browsers with a page where it must not redirect (`page`), and
# apps with OAuth errors (`error`, RFC 6749 §5.2) instead of problems.
UNKNOWN_APP = Refusal(400, "page", None,
                      "an app, redirect URI or login initiation URI that is not registered: a page, "
                      "never a redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.11)")
LOGOUT_REFUSED = Refusal(400, "page", None,
                         "an id_token_hint we did not sign, or a post_logout_redirect_uri not "
                         "registered: a page, never a redirect")
OAUTH_FORM = Refusal(400, "invalid_request", None,
                     "a form without what its grant needs (the document describes the body as a form)")

SECOND_FACTOR = Refusal(422, "validation_failed", (("code", "give one of code, recovery_code or credential"),),
                        "the second step takes exactly one answer: the app's code, a recovery code or a passkey")

NOT_WEBAUTHN = Refusal(422, "validation_failed", (("credential", "is not a WebAuthn credential"),),
                       "what a WebAuthn credential holds (base64url CBOR, signatures) is more than "
                       "an object schema can say")
PASSKEY_REFUSED = Refusal(422, "code_invalid", None,
                          "a credential no authenticator signed for this ceremony: the signature "
                          "decides, not the schema")
PASSKEY_NAME = Refusal(422, "validation_failed",
                       (("name", "must be at most 60 characters, without control characters"),),
                       "control characters in a name: a rule on characters, not on length")

BY_DESIGN: dict[str, list[Refusal]] = {
    "POST /me/passkeys": [NOT_WEBAUTHN, PASSKEY_REFUSED, PASSKEY_NAME],
    "POST /sessions/passkey": [NOT_WEBAUTHN, PASSKEY_REFUSED],
    "POST /oauth2/login/passkey": [NOT_WEBAUTHN, PASSKEY_REFUSED],
    "GET /oauth2/authorize": [UNKNOWN_APP],
    "GET /oauth2/initiate": [UNKNOWN_APP],
    "GET /oauth2/logout": [LOGOUT_REFUSED],
    "POST /oauth2/logout": [LOGOUT_REFUSED],
    "POST /oauth2/token": [
        OAUTH_FORM,
        Refusal(400, "invalid_grant", None, "a code or refresh token this provider never issued"),
        Refusal(400, "unsupported_grant_type", None, "only authorization_code and refresh_token"),
    ],
    "POST /oauth2/revoke": [OAUTH_FORM],
    "POST /staff/portal-users/{id}/access-info": [
        Refusal(422, "validation_failed", (
            ("client_id", "is not an existing OpenID Connect client"),
            ("client_id", "names an app without a login initiation URI"),
        ), "an app named by a link must exist and be able to start a sign-in: data, not schema"),
    ],
    "GET /org/members": [CURSOR],
    "GET /staff/outbox/dead": [CURSOR],
    "GET /staff/organizations": [CURSOR],
    "GET /staff/portal-users": [
        CURSOR,
        Refusal(422, "validation_failed", (NO_ORGANIZATION,), "an organization that does not exist"),
    ],
    "GET /staff/registrations": [CURSOR],
    "GET /staff/contacts": [
        ADDRESS,
        CURSOR,
        Refusal(422, "validation_failed", (
            ("email", "exactly one of email and q is required"),
            ("q", "exactly one of email and q is required"),
        ), "exactly one of `email` and `q` (a rule between parameters)"),
        Refusal(422, "validation_failed", (("q", "must hold at least 2 characters"),),
                "a search is compared with spacing collapsed: `  a ` is one character"),
    ],
    "POST /registrations": [ADDRESS],
    "POST /staff/contacts": [ADDRESS],
    "POST /password-resets": [ADDRESS],
    "POST /invitations/lookup": [INVITATION_TOKEN],
    "POST /invitations/email": [INVITATION_TOKEN, ADDRESS],
    "POST /invitations/accept": [INVITATION_TOKEN],
    "POST /password-resets/complete": [
        Refusal(410, "token_invalid", None, "a token that is no live reset link's is gone"),
    ],
    "POST /registrations/{id}/verify": [
        Refusal(422, "code_invalid", None, "six digits, but not the ones emailed"),
    ],
    "POST /org/members": [ORGANIZATION_ROLES, NO_ADDRESS],
    "PATCH /org/members/{id}": [ORGANIZATION_ROLES],
    "POST /staff/organizations/{id}/members": [
        NO_ADDRESS,
        Refusal(422, "validation_failed", (
            ("emails", "one of emails and contact_ids is required"),
            ("contact_ids", "must not be given with emails"),
        ), "exactly one of `emails` and `contact_ids` (`oneOf` of `required`)"),
    ],
    "PATCH /staff/organizations/{id}": [
        Refusal(422, "validation_failed",
                tuple((field, "one of name, account_ref, roles and require_mfa is required")
                      for field in ("name", "account_ref", "roles", "require_mfa")),
                "a change must change something: at least one field that is not null (`anyOf`)"),
    ],
    "POST /sessions/mfa": [SECOND_FACTOR],
    "POST /me/mfa/totp/confirm": [
        Refusal(422, "code_invalid", None,
                "six digits the authenticator app did not show: the secret and the time decide, "
                "not the schema"),
    ],
    "POST /oauth2/login/mfa": [SECOND_FACTOR],
    "POST /staff/imports": [
        Refusal(422, "validation_failed", tuple(("file", message) for message in (
            "is neither a CSV nor an .xlsx file",
            "is not UTF-8 text",
            "is empty",
            "has unknown columns: *",
            "names the column *",
            "has no email column",
            "holds no rows under its header",
            "must hold at most 10000 rows",
        )), "what a file holds (its format, header and rows) is more than `format: binary` says"),
        Refusal(422, "validation_failed", (NO_ORGANIZATION,), "an organization that does not exist"),
    ],
    "PATCH /staff/contacts/{id}": [
        ADDRESS,
        Refusal(422, "validation_failed",
                tuple((field, "one of first_name, last_name, email, phone, company, locale and "
                       "external_ref is required")
                      for field in ("first_name", "last_name", "email", "phone", "company",
                                    "locale", "external_ref")),
                "a change must change something: at least one field that is not null (`anyOf`)"),
    ],
    "PATCH /staff/portal-users/{id}": [
        Refusal(422, "validation_failed", (NO_ORGANIZATION,), "an organization that does not exist"),
        Refusal(422, "validation_failed",
                (("roles", ONE_CHANGE), ("organization_id", ONE_CHANGE), ("org_admin", ONE_CHANGE)),
                "a change must change something: at least one field that is not null (`anyOf`)"),
        Refusal(422, "validation_failed", (("org_admin", "needs the user to be in an organization"),),
                "an administrator administers an organization: the user's, after the change (data)"),
    ],
    "POST /staff/registrations/{id}/link-contact": [
        Refusal(422, "validation_failed", (
            ("contact_id", "must not be given with create_contact"),
            ("contact_id", "is required unless create_contact is true"),
        ), "exactly one of `contact_id` and `create_contact: true` (`oneOf` of `required`)"),
    ],
    "POST /staff/registrations/{id}/approve": [
        Refusal(422, "validation_failed", (NO_ORGANIZATION,), "an organization that does not exist"),
    ],
    "POST /staff/portal-users": [
        Refusal(422, "validation_failed", (("contact_id", "is not an existing contact"), NO_ORGANIZATION),
                "a contact or an organization that does not exist"),
        Refusal(422, "validation_failed",
                (("contact_id", "has no email: create the user without sending and get a personal link for them"),),
                "a contact known by name alone is reached by a personal link, not invited by email "
                "(`send_invitation` is true by default)"),
    ],
}
POSITIVE_DATA_DEFAULTS = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
HOOKS = Path(__file__).resolve().with_name("hooks.py")


class Failed(Exception):
    """Setup went wrong: the message says what."""


@dataclass
class Portal:
    process: subprocess.Popen
    base_url: str
    data_dir: Path
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # its graceful shutdown (ctrl-c)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def call(self, method: str, path: str, token: str | None = None, body=None) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if body is not None:
            request.add_header("content-type", "application/json")
        if token is not None:
            request.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def expect(self, status: int, method: str, path: str, token: str | None = None, body=None):
        got, reply = self.call(method, path, token, body)
        if got != status:
            raise Failed(f"{method} {path}: expected {status}, got {got}: {reply}")
        return reply

    def email(self, to: str, kind: str) -> str:
        """The text of the newest email of `kind` to `to`, waiting for the background mailer.
        The file outbox (`<data-dir>/outbox.jsonl`) is one JSON line per email."""
        path = self.data_dir / "outbox.jsonl"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            found = None
            if path.exists():
                for line in path.read_text().splitlines():
                    try:
                        message = json.loads(line)
                    except ValueError:
                        continue  # being appended
                    if message.get("to") == to and message.get("kind") == kind:
                        found = message
            if found is not None:
                return found["text"]
            time.sleep(0.2)
        raise Failed(f"no {kind} email to {to} in {path} within 15 s")

    def invitation_token(self, email: str) -> str:
        """The token of the newest invitation link (`<base>/welcome#token=…`) to `email`."""
        text = self.email(email, "invitation")
        start = end = text.index("#token=") + len("#token=")
        while end < len(text) and (text[end].isalnum() or text[end] in "-_"):
            end += 1
        return text[start:end]

    def verification_code(self, email: str) -> str:
        """The six digits of the newest verification email to `email`."""
        match = re.search(r"(?<!\d)\d{6}(?!\d)", self.email(email, "verification_code"))
        if match is None:
            raise Failed(f"no code in the verification email to {email}")
        return match.group()


def child_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in CONFIG_ENV}


def staff_token(binary: Path, data_dir: Path) -> str:
    """Minted by the binary, with the secret it generates into the data dir."""
    out = subprocess.run(
        [str(binary), "--data-dir", str(data_dir), "staff-token",
         "--permission", MANAGE_USERS, "--permission", ASSIGN_ROLES],
        env=child_env(), check=True, capture_output=True, text=True, timeout=60,
    )
    return out.stdout.strip()


def start_portal(binary: Path, store: str, data_dir: Path, log_path: Path) -> Portal:
    args = [str(binary), "--data-dir", str(data_dir), "--port", "0", "--store", store,
            # The per-client limit would answer 429 to the fuzzer's bursts on public routes.
            "--client-rate-limit", "0",
            # Named by a domain name, so that the passkey routes work instead of answering 409.
            "--localhost"]
    if store == "dynamodb":
        endpoint = os.environ.get("PORTAL_TEST_DYNAMODB_ENDPOINT")
        if not endpoint:
            raise Failed("PORTAL_TEST_DYNAMODB_ENDPOINT is not set: run ./scripts/test (it starts moto)")
        args += ["--dynamodb-endpoint", endpoint, "--table", f"portal-contract-{uuid.uuid4().hex[:12]}"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=child_env())
    return Portal(process, "", data_dir, log_path)


def wait_until_ready(portal: Portal) -> None:
    """Its address from its banner (`--port 0` picks a free port), then `GET /register` 200."""
    deadline = time.monotonic() + 60
    while not portal.base_url:
        for line in portal.log_path.read_text(errors="replace").splitlines():
            if line.startswith("portal-local listening on "):
                portal.base_url = line.removeprefix("portal-local listening on ").strip()
        if not portal.base_url:
            check_alive(portal, deadline, "print its banner")
            time.sleep(0.1)
    while True:
        try:
            if portal.call("GET", "/register")[0] == 200:
                return
        except OSError:
            pass
        check_alive(portal, deadline, "answer GET /register with 200")
        time.sleep(0.2)


def check_alive(portal: Portal, deadline: float, what: str) -> None:
    if portal.process.poll() is not None:
        raise Failed(f"portal-local exited with {portal.process.returncode} before it could {what}")
    if time.monotonic() > deadline:
        raise Failed(f"portal-local did not {what} within 60 s")


@dataclass
class Person:
    email: str
    portal_user_id: str


def invite_and_log_in(portal: Portal, staff: str, organization: str, email: str, admin: bool) -> Person:
    """Staff invite `email` into `organization`; the person accepts (a password, and a name
    since the invitation has none), staff make them an administrator if `admin`, and they log
    in as who they should be."""
    reply = portal.expect(200, "POST", f"/staff/organizations/{organization}/members", staff,
                          {"emails": [email]})
    row = reply["results"][0]
    if row.get("outcome") != "invited":
        raise Failed(f"inviting {email}: {row}")
    token = portal.invitation_token(email)
    lookup = portal.expect(200, "POST", "/invitations/lookup", body={"token": token})
    accept = {"token": token, "password": PASSWORD}
    if lookup.get("needs_profile"):
        accept["profile"] = {"first_name": "Casey", "last_name": "Quill"}
    portal.expect(200, "POST", "/invitations/accept", body=accept)
    if admin:
        promoted = portal.expect(200, "PATCH", f"/staff/portal-users/{row['portal_user_id']}", staff,
                                 {"org_admin": True})
        if promoted.get("org_admin") is not True:
            raise Failed(f"promoting {email}: {promoted}")
    session = portal.expect(200, "POST", "/sessions", body={"username": email, "password": PASSWORD})
    me = portal.expect(200, "GET", "/me", session["access_token"])
    if me.get("org_admin") is not admin or me.get("organization_id") != organization:
        raise Failed(f"{email} is not who they should be: {me}")
    return Person(email, row["portal_user_id"])


def invited_member(portal: Portal, staff: str, organization: str, email: str) -> str:
    """A member staff invited into `organization` who never accepted: their id."""
    reply = portal.expect(200, "POST", f"/staff/organizations/{organization}/members", staff,
                          {"emails": [email]})
    return reply["results"][0]["portal_user_id"]


def verified_registration(portal: Portal, email: str) -> str:
    """A registration request with its emailed code verified (in the staff queue): its id."""
    submitted = portal.expect(202, "POST", "/registrations", body={
        "first_name": "Ada", "last_name": "Lovelace", "email": email,
        "phone": "+44 20 7946 0958", "company": "Analytical Engines", "locale": "en"})
    registration = submitted["registration_id"]
    portal.expect(200, "POST", f"/registrations/{registration}/verify",
                  body={"code": portal.verification_code(email)})
    return registration


def contact(portal: Portal, staff: str, email: str) -> str:
    created = portal.expect(201, "POST", "/staff/contacts", staff,
                            {"first_name": "Tara", "last_name": "Target", "email": email})
    return created["contact_id"]


def operations_of(document: dict) -> dict[str, set[str]]:
    """Every operation as Schemathesis names it ("METHOD /path"), with its security schemes."""
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return {
        f"{method.upper()} {path}": {
            name
            for requirement in operation.get("security", document.get("security", []))
            for name in requirement
        }
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in methods
    }


@dataclass
class Run:
    name: str
    # The bearer token of the `staff` scheme, if any.
    staff_token: str | None
    # Who the `portal` scheme logs in as.
    portal_user: Person
    # Only these operations ("METHOD /path"); every operation when None.
    only: list[str] | None
    # Real values for some parameters ("path.id", "body.contact_id", …), drawn half the time
    # instead of generated ones: without them every operation on an id meets only 404s, and
    # what it answers on success is never checked against its schema.
    known: dict[str, list[str]]


def toml_value(value) -> str:
    """TOML for the few kinds this file writes (a JSON string is a TOML basic string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def config_for(run: Run, args, report_dir: Path, operations: dict[str, set[str]]) -> str:
    """The run's schemathesis.toml."""
    lines = [
        "# Written by tests/contract/run.py for one run against one portal-local.",
        f"seed = {args.seed}",
        f"workers = {args.workers}",
        # moto serves one request at a time, portal-local's background sweeps share it, and
        # a full test run keeps both cores busy: a slow moment is the emulator's, not the
        # service's (one in ~3 000 cases once passed the default 10 s).
        "request-timeout = 30.0",
        # The `refused_by_design` check.
        f"hooks = {toml_value(str(HOOKS))}",
        "",
        "[generation]",
        f"max-examples = {args.max_examples}",
        # Reruns comparable: no examples carried over from earlier runs.
        'database = "none"',
        "",
        "[phases.stateful]",
        f"max-steps = {args.max_steps}",
        "",
        "[reports.junit]",
        f"path = {toml_value(str(report_dir / 'junit.xml'))}",
        "[reports.json]",
        f"path = {toml_value(str(report_dir / 'report.json'))}",
        # Every request and response, with how it was generated: large, on request only.
        "[reports.ndjson]",
        f"enabled = {toml_value(args.ndjson)}",
        f"path = {toml_value(str(report_dir / 'events.ndjson'))}",
        "",
        "[auth]",
        # Every scheme the runs need is given below: no signing up through the API.
        "auto-signup = false",
    ]
    if run.staff_token:
        lines += ["", "[auth.openapi.staff]", f"bearer = {toml_value(run.staff_token)}"]
    # The portal user's access token, fetched by logging in, and fetched again (the request
    # replayed) when a request with it answers 401: `DELETE /sessions` ends the session, so a
    # fixed token would leave every later operation of the run at 401, untested.
    lines += [
        "",
        "[auth.dynamic.openapi.portal]",
        'path = "/sessions"',
        'method = "post"',
        "payload = " + toml_value({"username": run.portal_user.email, "password": PASSWORD}),
        'extract_selector = "/access_token"',
    ]
    if run.known:
        lines += ["", "[parameters]"]
        for key in run.known:
            lines.append(f"{toml_value(key)} = {{ dictionary = {toml_value(key)}, probability = 0.5 }}")
        for key, values in run.known.items():
            lines += ["", f"[dictionaries.{toml_value(key)}]", f"values = {toml_value(values)}"]
    for name, refusals in BY_DESIGN.items():
        if name not in operations:
            continue
        statuses = sorted({str(refusal.status) for refusal in refusals})
        lines += [
            "",
            "[[operations]]",
            f"include-name = {toml_value(name)}",
            "checks.positive_data_acceptance.expected-statuses = "
            + toml_value(POSITIVE_DATA_DEFAULTS + statuses),
        ]
    return "\n".join(lines) + "\n"


def run_schemathesis(run: Run, portal: Portal, args, operations: dict[str, set[str]]) -> tuple[int, Path]:
    """`st run` with this run's config (kept beside its reports): its exit code and output."""
    report_dir = args.report_root / run.name
    shutil.rmtree(report_dir, ignore_errors=True)
    report_dir.mkdir(parents=True)
    config = report_dir / "schemathesis.toml"
    config.write_text(config_for(run, args, report_dir, operations))
    location = args.schema or f"{portal.base_url}/openapi.json"
    command = [str(args.st), "--config-file", str(config), "run", location, "--url", portal.base_url,
               "--no-color"]
    for name in run.only or []:
        command += ["--include-name", name]
    command += args.st_args
    output_path = report_dir / "output.txt"
    with open(output_path, "w") as output:
        output.write("$ " + " ".join(command) + "\n")
        output.flush()
        env = dict(os.environ, PORTAL_CONTRACT_BY_DESIGN=json.dumps({
            name: [{"status": r.status, "code": r.code, "errors": r.errors} for r in refusals]
            for name, refusals in BY_DESIGN.items()
        }), PYTHONDONTWRITEBYTECODE="1")  # no __pycache__ beside hooks.py
        code = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, cwd=report_dir,
                              env=env).returncode
    return code, output_path


def summary_lines(report_path: Path) -> list[str]:
    """One line (operations, test cases, failures, errors), then one per kind of failure, from
    the run's JSON report."""
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError):
        return ["no report (see the output)"]
    operations, cases = report["operations"], report["test_cases"]
    line = (f"{operations['tested']}/{operations['selected']} operations tested, "
            f"{cases['generated']} test cases, {cases['unique_failures']} unique failures, "
            f"{len(report['errors'])} errors")
    details = [f"  {failure['code']} {failure['title']} ({failure['count']}): "
               + ", ".join(failure["operations"]) for failure in report["failures"]]
    details += [f"  error: {json.dumps(error)[:300]}" for error in report["errors"]]
    return [line, *details]


def shown(path: Path) -> Path:
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path, help="the portal-local binary")
    parser.add_argument("store", choices=["embedded", "dynamodb"])
    parser.add_argument("--schema", help="a schema file instead of the served /openapi.json (development)")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--max-steps", type=int, default=10, help="steps per stateful scenario")
    # One: Hypothesis is not thread-safe everywhere (two workers met "AST constructor recursion
    # depth mismatch" errors), and test case generation, not the service, is the bottleneck.
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--ndjson", action="store_true", help="also write events.ndjson per run")
    parser.add_argument("--st", type=Path, default=Path(sys.executable).with_name("st"),
                        help="the Schemathesis CLI (default: `st` beside this Python)")
    parser.epilog = "Options after `--` go to `st run` as they are (e.g. -- --continue-on-failure)."
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.st_args = argv[split + 1:]
    args.binary = args.binary.resolve()
    if args.schema:
        args.schema = str(Path(args.schema).resolve())
    args.report_root = REPO / "target" / "contract" / args.store
    args.report_root.mkdir(parents=True, exist_ok=True)
    log_path = args.report_root / "portal-local.log"

    data_dir = Path(tempfile.mkdtemp(prefix=f"portal-contract-{args.store}-"))
    portal = None
    try:
        staff = staff_token(args.binary, data_dir)
        portal = start_portal(args.binary, args.store, data_dir, log_path)
        wait_until_ready(portal)
        print(f"contract ({args.store}): portal-local on {portal.base_url} (log: {shown(log_path)})", flush=True)
        if args.schema:
            document = json.loads(Path(args.schema).read_text())
        else:
            status, document = portal.call("GET", "/openapi.json")
            if status != 200 or not isinstance(document, dict):
                raise Failed(f"GET /openapi.json answered {status}")
        operations = operations_of(document)
        portal_operations = sorted(name for name, schemes in operations.items() if "portal" in schemes)
        # The staff run leaves the portal user's operations to the two runs above: it reaches
        # the member's username (through /me and contacts) and its stateful phase then tries
        # passwords on POST /sessions until the lockout answers 429, after which logging the
        # member in again for a portal operation cannot succeed.
        other_operations = sorted(name for name, schemes in operations.items() if "portal" not in schemes)

        # An organization with an administrator, another with a plain member: apart, so that
        # the administrator's run (deactivating members, say) cannot reach the member.
        suffix = uuid.uuid4().hex[:8]
        acme = portal.expect(201, "POST", "/staff/organizations", staff, {
            "name": "Contract Acme", "account_ref": f"CONTRACT-A-{suffix}", "roles": ["orders.viewer"]})
        other = portal.expect(201, "POST", "/staff/organizations", staff, {
            "name": "Contract Other", "account_ref": f"CONTRACT-B-{suffix}", "roles": ["orders.viewer"]})
        admin = invite_and_log_in(portal, staff, acme["organization_id"], f"admin.{suffix}@example.com",
                                  admin=True)
        member = invite_and_log_in(portal, staff, other["organization_id"], f"member.{suffix}@example.com",
                                   admin=False)

        # What the runs may act on besides: a colleague of the administrator's who was invited
        # and never accepted (so never an active administrator who could let the administrator
        # demote themselves), a verified registration request, a portal user in no
        # organization, and a contact without a portal user.
        colleague = invited_member(portal, staff, acme["organization_id"], f"colleague.{suffix}@example.com")
        registration = verified_registration(portal, f"applicant.{suffix}@example.com")
        target_contact = contact(portal, staff, f"target.{suffix}@example.com")
        target = portal.expect(201, "POST", "/staff/portal-users", staff, {"contact_id": target_contact})
        spare_contact = contact(portal, staff, f"spare.{suffix}@example.com")

        # Staff can reach everyone (deactivate the member, say), so their run comes last.
        runs = [
            Run("org-admin", None, admin, portal_operations, {"path.id": [colleague]}),
            Run("member", None, member, portal_operations, {"path.id": [colleague]}),
            Run("staff", staff, member, other_operations, {
                "path.id": [acme["organization_id"], registration, target["portal_user_id"], target_contact],
                "query.organization_id": [acme["organization_id"]],
                "body.organization_id": [acme["organization_id"]],
                "body.contact_id": [spare_contact],
            }),
        ]
        failed = []
        for run in runs:
            started = time.monotonic()
            code, output_path = run_schemathesis(run, portal, args, operations)
            summary, *details = summary_lines(output_path.with_name("report.json"))
            print(f"schemathesis {args.store}/{run.name}: {summary} "
                  f"({time.monotonic() - started:.0f} s, exit {code}; {shown(output_path)})", flush=True)
            for detail in details:
                print(detail, flush=True)
            if code != 0:
                failed.append(run.name)
            if portal.process.poll() is not None:
                raise Failed(f"portal-local exited with {portal.process.returncode} during the {run.name} run")
        if failed:
            print(f"contract ({args.store}): failures in the {', '.join(failed)} run(s); each output lists "
                  "them, with a curl command that reproduces each", file=sys.stderr)
            return 1
        return 0
    except (Failed, subprocess.SubprocessError, OSError, ValueError) as error:
        print(f"contract ({args.store}): {error}", file=sys.stderr)
        if isinstance(error, subprocess.CalledProcessError) and error.stderr:
            print(error.stderr, file=sys.stderr)
        if log_path.exists():
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
            print(f"--- the last lines of {shown(log_path)} ---\n{tail}", file=sys.stderr)
        return 1
    finally:
        if portal is not None:
            portal.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

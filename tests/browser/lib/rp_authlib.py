"""A relying party of the portal's OpenID provider on Authlib, for tests/browser/oidc.mjs.

    .venv/bin/python tests/browser/lib/rp_authlib.py NAME

Serves on 127.0.0.1, a free port, and prints `listening on http://127.0.0.1:PORT`; then reads
one JSON line on stdin, {"issuer", "client_id", "client_secret"} (the client registered for
that origin), reads the provider's discovery document (checked with Authlib's
OpenIDProviderMetadata) and prints `ready`. A confidential client: Authlib's default
client_secret_basic at the token endpoint.

    GET /login      a new authorization request (OAuth2Session: PKCE S256, state, nonce)
    GET /callback   the answer: iss (RFC 9207) and state checked, the code redeemed; the ID
                    token checked against the JWKS (signature, iss, aud, exp, iat, nonce:
                    authlib.oidc.core.CodeIDToken, on joserfc as Authlib 1.9's own
                    OpenIDMixin.parse_id_token does: authlib.jose is deprecated there);
                    userinfo; a refresh; the old refresh token again; then to /
    GET /           "Signed in to NAME" or "Not signed in"
    GET /result     what the app saw, as JSON (with how the client authenticated at the
                    token endpoint, as sent)

The pinned versions: infra/requirements-dev.txt. Everything goes to stderr, never a token.
"""

from __future__ import annotations

import html
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata, get_well_known_url
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

SCOPE = "openid profile email offline_access"
# What the guarded browser context asks of every page (tests/browser/lib/browser.mjs).
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class App:
    def __init__(self, name: str, origin: str) -> None:
        self.name = name
        self.origin = origin
        self.cookie = f"rp-{urlsplit(origin).port}"
        self.sessions: dict[str, dict] = {}
        self.lock = threading.Lock()

    def configure(self, issuer: str, client_id: str, client_secret: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        answer = requests.get(get_well_known_url(issuer, external=True), timeout=10)
        answer.raise_for_status()
        metadata = OpenIDProviderMetadata(answer.json())
        metadata.validate()
        if metadata["issuer"] != issuer:
            raise ValueError(f"the discovery document names issuer {metadata['issuer']}")
        self.metadata = metadata
        self.jwks = requests.get(metadata["jwks_uri"], timeout=10).json()

    def oauth(self, token_auth: list | None = None, **kwargs) -> OAuth2Session:
        session = OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=SCOPE,
            redirect_uri=f"{self.origin}/callback",
            code_challenge_method="S256",
            default_timeout=10,
            **kwargs,
        )
        if token_auth is not None:
            session.hooks["response"].append(lambda response, *args, **kw: self.record(response, token_auth))
        return session

    def record(self, response, token_auth: list) -> None:
        """How a call to the token endpoint authenticated the client, as sent."""
        request = response.request
        if request.url != self.metadata["token_endpoint"]:
            return
        body = parse_qs(request.body if isinstance(request.body, str) else (request.body or b"").decode())
        if request.headers.get("Authorization", "").lower().startswith("basic "):
            method = "client_secret_basic"
        else:
            method = "client_secret_post" if "client_secret" in body else "none"
        if method not in token_auth:
            token_auth.append(method)

    def session(self, cookie_header: str | None) -> tuple[str, dict]:
        sid = None
        for pair in (cookie_header or "").split(";"):
            name, _, value = pair.strip().partition("=")
            if name == self.cookie:
                sid = value
        with self.lock:
            if sid not in self.sessions:
                sid = secrets.token_urlsafe(16)
                self.sessions[sid] = {"result": {}}
            return sid, self.sessions[sid]

    def login(self, session: dict) -> str:
        session["verifier"] = generate_token(48)
        session["nonce"] = generate_token(24)
        url, state = self.oauth().create_authorization_url(
            self.metadata["authorization_endpoint"],
            code_verifier=session["verifier"],
            nonce=session["nonce"],
        )
        session["state"] = state
        return url

    def callback(self, session: dict, path: str) -> None:
        query = {name: values[0] for name, values in parse_qs(urlsplit(path).query).items()}
        result = {"callback": {name: value for name, value in query.items() if name != "code"}}
        session["result"] = result
        # RFC 9207: the answer names the provider it came from (Authlib does not check it).
        if query.get("iss") != self.issuer:
            raise ValueError(f"the answer's iss is {query.get('iss')!r}, not {self.issuer}")
        if "error" in query:
            raise ValueError(query["error"])
        token_auth: list[str] = []
        result["token_endpoint_auth"] = token_auth
        oauth = self.oauth(token_auth, state=session["state"])
        token = oauth.fetch_token(
            self.metadata["token_endpoint"],
            authorization_response=f"{self.origin}{path}",
            code_verifier=session["verifier"],
        )
        claims = self.id_token(token, session["nonce"])
        result["id_token"] = claims
        result["has_refresh_token"] = "refresh_token" in token
        userinfo = oauth.get(self.metadata["userinfo_endpoint"])
        userinfo.raise_for_status()
        result["userinfo"] = userinfo.json()
        old = dict(token)
        refreshed = oauth.refresh_token(self.metadata["token_endpoint"], refresh_token=old["refresh_token"])
        result["refreshed"] = {
            "new_access_token": refreshed["access_token"] != old["access_token"],
            "new_refresh_token": refreshed.get("refresh_token") not in (None, old["refresh_token"]),
            "id_token_sub": self.id_token(refreshed, None)["sub"] if "id_token" in refreshed else None,
        }
        try:
            self.oauth(token_auth).refresh_token(self.metadata["token_endpoint"], refresh_token=old["refresh_token"])
            result["old_refresh_token"] = "succeeded"
        except Exception as error:  # noqa: BLE001 (what it answered is the result)
            result["old_refresh_token"] = getattr(error, "error", None) or repr(error)
        # The session now holds the refreshed token.
        again = oauth.get(self.metadata["userinfo_endpoint"])
        result["userinfo_after_refresh"] = again.json() if again.ok else again.status_code
        session["signed_in"] = {"email": result["userinfo"].get("email")}

    def id_token(self, token: dict, nonce: str | None) -> dict:
        """The ID token's claims, checked against the provider's JWKS: the signature (an
        algorithm the provider names), then iss, aud, exp, iat, nonce and azp."""
        decoded = jwt.decode(
            token["id_token"],
            KeySet.import_key_set(self.jwks),
            registry=JWSRegistry(algorithms=self.metadata["id_token_signing_alg_values_supported"]),
        )
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": self.issuer},
                "aud": {"essential": True, "value": self.client_id},
            },
            {"nonce": nonce, "client_id": self.client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=60)
        return dict(claims)


def handler_for(app: App):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (the signature of the base class)
            pass  # the callback's URL holds the code: not logged

        def reply(self, status: int, sid: str, body: bytes = b"", content_type: str | None = None,
                  location: str | None = None) -> None:
            self.send_response(status)
            for name, value in HEADERS.items():
                self.send_header(name, value)
            self.send_header("Set-Cookie", f"{app.cookie}={sid}; Path=/; HttpOnly; SameSite=Lax")
            if content_type:
                self.send_header("Content-Type", content_type)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def page(self, sid: str, title: str, main: str) -> None:
            body = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
                    f"</title></head><body><main>{main}</main></body></html>\n")
            self.reply(200, sid, body.encode(), "text/html; charset=utf-8")

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            sid, session = app.session(self.headers.get("Cookie"))
            path = urlsplit(self.path).path
            name = html.escape(app.name)
            if path == "/login":
                self.reply(302, sid, location=app.login(session))
            elif path == "/callback":
                try:
                    app.callback(session, self.path)
                except Exception as error:  # noqa: BLE001 (shown on the page and in the result)
                    reason = getattr(error, "error", None) or str(error)
                    session["result"]["error"] = reason
                    print(f"rp_authlib: sign-in failed: {error!r}", file=sys.stderr, flush=True)
                    self.page(sid, "Sign-in failed", f'<h1>Sign-in failed</h1><p id="error">{html.escape(reason)}</p>')
                    return
                self.reply(302, sid, location=f"{app.origin}/")
            elif path == "/result":
                self.reply(200, sid, json.dumps(session["result"]).encode(), "application/json")
            elif path == "/":
                signed_in = session.get("signed_in")
                if signed_in:
                    self.page(sid, app.name, f"<h1>Signed in to {name}</h1>"
                                             f"<p>as {html.escape(str(signed_in['email']))}</p>")
                else:
                    self.page(sid, app.name, f'<h1>{name}</h1><p>Not signed in</p><p><a href="/login">Sign in</a></p>')
            else:
                self.reply(404, sid)

    return Handler


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "Authlib app"
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    app = App(name, origin)
    server.RequestHandlerClass = handler_for(app)
    print(f"listening on {origin}", flush=True)
    config = json.loads(sys.stdin.readline())
    app.configure(config["issuer"], config["client_id"], config["client_secret"])
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

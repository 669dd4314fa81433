// Two relying parties of the portal's OpenID provider, built on libraries none of us wrote,
// for tests/browser/oidc.mjs: a Node app on `openid-client` (panva; pinned in
// package.json), in this process, and a Python app on Authlib (lib/rp_authlib.py; pinned in
// infra/requirements-dev.txt), spawned. Each serves on 127.0.0.1, a free port, its own
// origin; the test registers a client for it at the portal, then hands it the client's id
// (and secret).
//
// What a Playwright test sees of either app (plain HTML, no script, the portal's security
// headers):
//   GET /login[?prompt=none]  302 to the provider's authorization endpoint
//   GET /callback             the code exchanged, then 302 to /, or a page
//                             <h1>Sign-in failed</h1> <p id="error">login_required</p>
//   GET /                     <h1>Signed in to NAME</h1> (a "Sign out" link: /logout) or
//                             <h1>NAME</h1> <p>Not signed in</p>
//   GET /logout               openid-client only: 302 to the provider's end-session URL
//   GET /signed-out           openid-client only: <h1>Signed out of NAME</h1>
//   GET /result               what the app saw, as JSON (read it with rpResult(page)): the
//                             ID token's claims, userinfo, the refresh, the old refresh
//                             token again, and how the client authenticated at the token
//                             endpoint, as sent on the wire
// Each browser has its own sign-in at an app (a cookie named after the app's port: cookies
// do not tell ports apart, and both apps and the portal live on 127.0.0.1).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as client from 'openid-client';

import { REPO } from './portal.mjs';

export const SCOPE = 'openid profile email offline_access';

/** The headers the guarded browser context asks of every page (lib/browser.mjs). */
const HEADERS = {
  'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** What the app saw, as its /result answers it, read in the browser that signed in. */
export async function rpResult(page) {
  return page.evaluate(async () => (await fetch('/result')).json());
}

/**
 * An openid-client app named `name`, listening (not configured yet): `redirectUri` and
 * `postLogoutRedirectUri` are what to register; `configure({ issuer, clientId,
 * clientSecret })` runs discovery. With a secret it authenticates by `client_secret_post`,
 * without one it is a public client (`none`). Every authorization request has PKCE (S256),
 * `state`, `nonce` and SCOPE.
 */
export async function startOpenidClientRp(name) {
  const sessions = new Map();
  let config;
  /** How each call to the token endpoint authenticated the client, as sent. */
  let tokenAuth = [];
  const recordingFetch = (url, options) => {
    if (url === config?.serverMetadata().token_endpoint) {
      const body = new URLSearchParams(options.body);
      tokenAuth.push(/^Basic /i.test(options.headers.authorization ?? '') ? 'client_secret_basic'
        : body.has('client_secret') ? 'client_secret_post' : 'none');
    }
    return fetch(url, options);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      response.writeHead(500, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${error.stack}\n`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const cookieName = `rp-${server.address().port}`;

  async function handle(request, response) {
    const url = new URL(request.url, origin);
    const cookie = (request.headers.cookie ?? '').split(/;\s*/).find((pair) => pair.startsWith(`${cookieName}=`));
    let id = cookie?.slice(cookieName.length + 1);
    if (!sessions.has(id)) {
      id = randomBytes(16).toString('base64url');
      sessions.set(id, { result: {} });
    }
    const session = sessions.get(id);
    const headers = { ...HEADERS, 'set-cookie': `${cookieName}=${id}; Path=/; HttpOnly; SameSite=Lax` };
    const redirect = (location) => {
      response.writeHead(302, { ...headers, location: String(location) });
      response.end();
    };
    const page = (title, body) => {
      response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
        `<body><main>${body}</main></body></html>\n`);
    };

    switch (url.pathname) {
      case '/login': {
        session.verifier = client.randomPKCECodeVerifier();
        session.state = client.randomState();
        session.nonce = client.randomNonce();
        const parameters = {
          redirect_uri: `${origin}/callback`,
          scope: SCOPE,
          code_challenge: await client.calculatePKCECodeChallenge(session.verifier),
          code_challenge_method: 'S256',
          state: session.state,
          nonce: session.nonce,
        };
        const prompt = url.searchParams.get('prompt');
        if (prompt) parameters.prompt = prompt;
        return redirect(client.buildAuthorizationUrl(config, parameters));
      }
      case '/callback': {
        const result = { callback: Object.fromEntries(url.searchParams) };
        delete result.callback.code;
        session.result = result;
        tokenAuth = [];
        try {
          // Checks state and iss (RFC 9207), redeems the code with the verifier, and checks
          // the ID token: signature against the JWKS, iss, aud, exp, iat, nonce.
          const tokens = await client.authorizationCodeGrant(config, url, {
            pkceCodeVerifier: session.verifier,
            expectedState: session.state,
            expectedNonce: session.nonce,
            idTokenExpected: true,
          });
          const claims = tokens.claims();
          result.id_token = claims;
          result.scope = tokens.scope;
          result.has_refresh_token = Boolean(tokens.refresh_token);
          result.userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
          const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
          result.refreshed = {
            new_access_token: refreshed.access_token !== tokens.access_token,
            new_refresh_token: Boolean(refreshed.refresh_token) && refreshed.refresh_token !== tokens.refresh_token,
            id_token_sub: refreshed.claims()?.sub,
          };
          result.old_refresh_token = await failure(() => client.refreshTokenGrant(config, tokens.refresh_token));
          result.userinfo_after_refresh = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
          result.token_endpoint_auth = [...new Set(tokenAuth)];
          session.signedIn = { idToken: tokens.id_token, ...refreshed, email: result.userinfo.email };
          return redirect(`${origin}/`);
        } catch (error) {
          result.error = error.error ?? error.code ?? error.message;
          return page('Sign-in failed', `<h1>Sign-in failed</h1><p id="error">${escape(result.error)}</p>`);
        }
      }
      case '/logout': {
        session.logoutState = client.randomState();
        return redirect(client.buildEndSessionUrl(config, {
          id_token_hint: session.signedIn.idToken,
          post_logout_redirect_uri: `${origin}/signed-out`,
          state: session.logoutState,
        }));
      }
      case '/signed-out': {
        const ended = session.signedIn;
        session.signedIn = undefined;
        session.result.logout = { state_matches: url.searchParams.get('state') === session.logoutState };
        if (ended) {
          // Whether the provider ended this app's session: do its tokens still work?
          session.result.logout.refresh = await failure(() => client.refreshTokenGrant(config, ended.refresh_token));
          session.result.logout.userinfo = await failure(() =>
            client.fetchUserInfo(config, ended.access_token, client.skipSubjectCheck));
        }
        return page(`Signed out of ${name}`, `<h1>Signed out of ${escape(name)}</h1>`);
      }
      case '/result': {
        response.writeHead(200, { ...headers, 'content-type': 'application/json' });
        return response.end(JSON.stringify(session.result));
      }
      case '/': {
        if (session.signedIn) {
          return page(name, `<h1>Signed in to ${escape(name)}</h1><p>as ${escape(session.signedIn.email)}</p>` +
            '<p><a href="/logout">Sign out</a></p>');
        }
        return page(name, `<h1>${escape(name)}</h1><p>Not signed in</p><p><a href="/login">Sign in</a></p>`);
      }
      default:
        response.writeHead(404, headers);
        return response.end();
    }
  }

  return {
    name,
    origin,
    redirectUri: `${origin}/callback`,
    postLogoutRedirectUri: `${origin}/signed-out`,
    url: (path) => new URL(path, origin).href,
    async configure({ issuer, clientId, clientSecret }) {
      const auth = clientSecret ? client.ClientSecretPost(clientSecret) : client.None();
      // The provider is plain http on 127.0.0.1 here; openid-client refuses that unless told.
      config = await client.discovery(new URL(issuer), clientId, clientSecret, auth, {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: recordingFetch,
      });
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a call that should fail answered: the OAuth error, or the HTTP status. */
async function failure(call) {
  try {
    await call();
    return 'succeeded';
  } catch (error) {
    return error.error ?? error.status ?? error.message;
  }
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The Authlib app (lib/rp_authlib.py), spawned with PORTAL_TEST_PYTHON or .venv/bin/python
 * (where scripts/test installs infra/requirements-dev.txt); like startOpenidClientRp, it
 * listens first and is configured after, over its stdin. A confidential client
 * (`client_secret_basic`, Authlib's default). No logout.
 */
export async function startAuthlibRp(name) {
  const python = process.env.PORTAL_TEST_PYTHON ?? join(REPO, '.venv', 'bin', 'python');
  const child = spawn(python, [join(import.meta.dirname, 'rp_authlib.py'), name], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const log = [];
  child.stderr.on('data', (chunk) => log.push(String(chunk)));
  // Without Authlib in that Python, say where it comes from.
  const hint = `(${python}: ./scripts/test installs infra/requirements-dev.txt into .venv)`;
  let spawnError;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise((done) => child.once('close', done));
  const lines = createInterface({ input: child.stdout });
  const nextLine = (what) =>
    new Promise((found, failed) => {
      const timer = setTimeout(() => failed(new Error(`rp_authlib.py: no ${what} within 30 s\n${log.join('')}`)), 30_000);
      const onExit = (code) => {
        clearTimeout(timer);
        const why = spawnError ? spawnError.message : `exited (${code})`;
        failed(new Error(`rp_authlib.py ${why} before ${what} ${hint}\n${log.join('')}`));
      };
      child.once('close', onExit);
      lines.once('line', (line) => {
        clearTimeout(timer);
        child.off('close', onExit);
        found(line);
      });
    });
  const first = await nextLine('port');
  const origin = first.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/)?.[1];
  if (!origin) throw new Error(`rp_authlib.py said ${first}\n${log.join('')}`);
  return {
    name,
    origin,
    redirectUri: `${origin}/callback`,
    url: (path) => new URL(path, origin).href,
    log,
    async configure({ issuer, clientId, clientSecret }) {
      const ready = nextLine('ready');
      child.stdin.write(`${JSON.stringify({ issuer, client_id: clientId, client_secret: clientSecret })}\n`);
      const line = await ready;
      if (line !== 'ready') throw new Error(`rp_authlib.py said ${line}\n${log.join('')}`);
    },
    async stop() {
      if (child.exitCode === null && !spawnError) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

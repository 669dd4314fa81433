// A real OpenID provider (panva's `oidc-provider`, pinned in package.json) for
// the portal's staff-login browser tests. It runs in-process on 127.0.0.1 with
// the built-in development login pages, so the portal is tested against an
// independent, spec-conformant OP rather than a mock we wrote ourselves.
//
// What a Playwright test sees (oidc-provider 9.13.3 devInteractions):
//
//   Login page  (GET /interaction/<uid>, <title>Sign-in</title>, <h1>Sign-in</h1>)
//     <input type="text"     name="login">     -- the account id, e.g. "ada"
//     <input type="password" name="password">  -- anything; it is never checked
//     <button type="submit">Sign-in</button>
//     (also a hidden input name="prompt" value="login", and a "[ Cancel ]" link
//     to /interaction/<uid>/abort that ends in error=access_denied)
//     e.g.  await page.fill('input[name="login"]', 'ada');
//           await page.fill('input[name="password"]', 'x');
//           await page.click('button:has-text("Sign-in")');
//
//   Consent page: NOT shown for portal-staff. loadExistingGrant below hands
//     out a grant for "openid profile email" to this first-party client, so
//     after Sign-in the browser goes straight back to the redirect URI. (Were
//     it shown, it is <h1>Authorize</h1> with a single
//     <button type="submit">Continue</button>.)
//
//   Logout (GET /session/end?id_token_hint=..&post_logout_redirect_uri=..):
//     a confirmation page "Do you want to sign-out from 127.0.0.1:<port>?"
//     with buttons "Yes, sign me out" (name="logout" value="yes") and
//     "No, stay signed in"; either one redirects to post_logout_redirect_uri
//     (with state, if one was sent), only "Yes" ends the OP session. With no
//     OP session left the page instead auto-submits itself via JS.
//
// Other behaviour worth knowing in tests:
//   - SSO: while the browser context holds the OP's `_session` cookie, a new
//     /auth goes straight back to the portal without any page; use a fresh
//     context, RP logout, or prompt=login to see the login form again.
//   - Signing in as a different account over a live OP session passes through
//     an auto-submitting "Submitting Callback" page (JS, no clicks needed).
//   - The built-in pages @import a Google Fonts stylesheet; offline that
//     fetch just fails, so do not wait for 'networkidle' on them.

import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'portal-staff';
export const CLIENT_SECRET = 'portal-staff-secret-for-tests-only';

// Claims per login name; any other login gets a bare account with no groups,
// which lets tests exercise the "authenticated but not authorised" path.
const ACCOUNTS = {
  ada: { sub: 'ada', name: 'Ada Admin', email: 'ada@staff.example', groups: ['portal-admins'] },
  rey: { sub: 'rey', name: 'Rey Reader', groups: ['portal-readers'] },
  desk: { sub: 'desk', name: 'Dana Desk', groups: ['portal-desk'] },
};

function accountClaims(id) {
  return ACCOUNTS[id] ?? { sub: id, name: id, groups: [] };
}

/**
 * Starts oidc-provider on 127.0.0.1, a free port.
 * Returns {issuer, configure({redirectUri, postLogoutRedirectUri}), stop()};
 * setClient is an alias of configure.
 * Requests answer 503 until configure() has run: the portal needs the issuer
 * before it starts, and the client registration needs the portal's URLs.
 */
export async function startIdp() {
  let handler = (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('idp not configured yet\n');
  };
  // Indirection so configure() can swap the handler on the listening server.
  const server = createServer((req, res) => handler(req, res));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;

  async function configure({ redirectUri, postLogoutRedirectUri }) {
    // A fresh signing key per run instead of oidc-provider's built-in dev
    // keystore (which is public and logs a warning). RS256 is what the portal
    // is configured to expect.
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

    const provider = new Provider(issuer, {
      clients: [{
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: postLogoutRedirectUri ? [postLogoutRedirectUri] : [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      }],
      jwks: { keys: [{ ...jwk, kid: 'test-rs256', use: 'sig', alg: 'RS256' }] },
      // By default oidc-provider only requires PKCE for public clients; the
      // portal always sends it, so insist on it to catch regressions. S256 is
      // the only method oidc-provider 9 supports anyway.
      pkce: { required: () => true },
      async findAccount(_ctx, id) {
        return {
          accountId: id,
          // oidc-provider filters this down to what the granted scopes allow.
          async claims() { return accountClaims(id); },
        };
      },
      claims: { openid: ['sub'], profile: ['name', 'groups'], email: ['email'] },
      // Put the scope's claims into the ID token even though an access token
      // is issued too: the portal reads name/groups from the ID token only.
      conformIdTokenClaims: false,
      // Skip the consent page: the portal is first-party, so a grant for the
      // standard scopes is implied. Reuse the session's grant when it belongs
      // to the same account (a different login in the same browser gets its own).
      async loadExistingGrant(ctx) {
        const { client, session, provider: op } = ctx.oidc;
        const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
        if (grantId) {
          const existing = await op.Grant.find(grantId);
          if (existing && existing.accountId === session.accountId) return existing;
        }
        const grant = new op.Grant({ clientId: client.clientId, accountId: session.accountId });
        grant.addOIDCScope('openid profile email');
        await grant.save();
        return grant;
      },
      features: {
        devInteractions: { enabled: true },
        rpInitiatedLogout: { enabled: true },
      },
      // Short lifetimes: nothing in a test run should need more.
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        IdToken: 600,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
      // Cookie signing keys; fixed strings are fine for throwaway test runs.
      // No `secure` override is needed: oidc-provider only marks cookies
      // Secure when the request itself is https, so plain http works.
      cookies: { keys: ['idp-test-cookie-key-1'] },
    });
    // proxy stays false: the browser talks to us directly, no X-Forwarded-*.
    // Internal errors are only rendered to the browser as a generic page;
    // log them so a failing test shows the cause.
    provider.on('server_error', (_ctx, err) => console.error('[idp] server_error', err));
    handler = provider.callback();
    return provider;
  }

  async function stop() {
    // closeAllConnections: keep-alive sockets from the browser would otherwise
    // hold close() open until they time out.
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(() => resolve()));
  }

  return { issuer, configure, setClient: configure, stop };
}

// The portal as an OpenID provider, tested black-box by two relying-party libraries none of
// us wrote, through Debian's chromium: openid-client (Node) and Authlib (Python), both in
// lib/rp.mjs. run.mjs imports this file; alone: `node tests/browser/oidc.mjs`.
//
// On the embedded store, and on DynamoDB when PORTAL_TEST_DYNAMODB_ENDPOINT names a moto
// (./scripts/test starts one and sets it, with throwaway AWS credentials): each store has
// its own portal-local, the second with a table of its own there.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { launch, screenshot, testContext } from './lib/browser.mjs';
import { Portal, uniqueEmail } from './lib/portal.mjs';
import { SCOPE, rpResult, startAuthlibRp, startOpenidClientRp } from './lib/rp.mjs';

const PASSWORD = 'violet tractor harbour 42 mosaic';

const STORES = [{ name: 'embedded store', env: {} }];
const moto = process.env.PORTAL_TEST_DYNAMODB_ENDPOINT;
if (moto) {
  STORES.push({
    name: 'DynamoDB on moto',
    env: {
      PORTAL_STORE: 'dynamodb',
      DYNAMODB_ENDPOINT: moto,
      TABLE_NAME: `portal-browser-${randomBytes(6).toString('hex')}`,
      // Only the emulator is ever called; scripts/moto.sh exports the same throwaway ones.
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    },
  });
}

for (const store of STORES) {
  describe(`apps signing people in through the portal (${store.name})`, { concurrency: false }, () => {
    let portal;
    let browser;

    before(async () => {
      portal = await Portal.start(store.env);
      const kind = store.env.PORTAL_STORE ?? 'embedded';
      assert.ok(portal.lines.some((line) => line.startsWith(`  store:  ${kind}`)), portal.lines.join('\n'));
      browser = await launch();
    });

    after(async () => {
      await browser?.close();
      await portal?.stop();
    });

    /** A guarded context that may also visit `apps`, closed (and checked) when the test ends. */
    function person(t, apps) {
      return testContext(t, browser, portal.origin, { apps: apps.map((app) => app.origin) });
    }

    /** A portal user with a password: invited through the API, the invitation accepted. */
    async function portalUser(name, first_name, last_name) {
      const email = uniqueEmail(name);
      const link = await portal.invited(email, { first_name, last_name });
      const token = new URL(link).hash.slice('#token='.length);
      const accepted = await portal.call('POST', '/invitations/accept', { body: { token, password: PASSWORD } });
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      const me = await portal.call('GET', '/me', { token: accepted.body.access_token });
      assert.equal(me.status, 200);
      return { email, id: me.body.portal_user_id, name: `${first_name} ${last_name}` };
    }

    /** An app started, registered by staff as `type`, and configured with what that answered. */
    async function registered(t, start, name, type) {
      const app = await start(name);
      t.after(() => app.stop());
      const body = { name, redirect_uris: [app.redirectUri], type };
      if (app.postLogoutRedirectUri) body.post_logout_redirect_uris = [app.postLogoutRedirectUri];
      const client = await portal.staff('POST', '/staff/oidc-clients', body);
      assert.equal(typeof client.client_id, 'string');
      assert.equal(Boolean(client.client_secret), type === 'confidential', JSON.stringify(Object.keys(client)));
      await app.configure({ issuer: portal.origin, clientId: client.client_id, clientSecret: client.client_secret });
      return { app, clientId: client.client_id };
    }

    /** The documents the page loaded from here on, as URLs. */
    function documents(page) {
      const seen = [];
      page.on('request', (request) => {
        if (request.resourceType() === 'document') seen.push(new URL(request.url()));
      });
      return seen;
    }

    /** From an app's /login through the portal's login page, back to the app signed in. */
    async function signIn(page, app, who) {
      await page.goto(app.url('/login'));
      await page.waitForURL((url) => url.origin === portal.origin && url.pathname === '/login');
      const continueTo = new URL(new URL(page.url()).searchParams.get('continue'), portal.origin);
      assert.equal(continueTo.pathname, '/oauth2/authorize');
      await page.getByLabel('Username').fill(who.email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: `Signed in to ${app.name}` }).waitFor();
      await page.getByText(`as ${who.email}`).waitFor();
    }

    /** What every app checks after its sign-in: the person, the claims, the refresh. */
    function assertSignedIn(result, who, clientId, tokenAuth) {
      assert.equal(result.error, undefined, `the app's sign-in failed: ${result.error}`);
      assert.equal(result.callback.iss, portal.origin);
      const claims = result.id_token;
      assert.equal(claims.sub, who.id, 'sub is the portal user id');
      assert.equal(claims.iss, portal.origin);
      assert.equal(claims.aud, clientId);
      assert.equal(claims.email, who.email);
      assert.equal(claims.name, who.name);
      assert.equal(result.has_refresh_token, true, 'offline_access gives a refresh token');
      assert.equal(result.userinfo.sub, who.id);
      assert.equal(result.userinfo.email, who.email);
      // Not claimed: a person handed a personal link never proved the address (docs/oidc.md).
      assert.equal(result.userinfo.email_verified, undefined);
      assert.deepEqual(result.refreshed, { new_access_token: true, new_refresh_token: true, id_token_sub: who.id });
      assert.equal(result.old_refresh_token, 'invalid_grant', 'a rotated refresh token is refused');
      // A refused reuse within seconds of the rotation (REUSE_GRACE) does not end the session.
      assert.equal(result.userinfo_after_refresh.sub, who.id);
      assert.deepEqual(result.token_endpoint_auth, [tokenAuth], 'how the app authenticated at the token endpoint');
    }

    it('sign a person in to an openid-client app (PKCE, client_secret_post), then a public app silently, sign out from the app, and answer prompt=none with login_required', async (t) => {
      const who = await portalUser('katherine.johnson', 'Katherine', 'Johnson');
      const { app: billing, clientId: billingId } = await registered(t, startOpenidClientRp, 'Billing app', 'confidential');
      const { app: cases, clientId: casesId } = await registered(t, startOpenidClientRp, 'Cases app', 'public');
      const { newPage, context } = await person(t, [billing, cases]);
      const page = await newPage();
      const seen = documents(page);

      // The first app: the authorization request as openid-client sends it, then the
      // portal's own login page.
      await signIn(page, billing, who);
      const authorize = new URL(seen.find((url) => url.pathname === '/oauth2/authorize'));
      assert.equal(authorize.origin, portal.origin);
      const asked = Object.fromEntries(authorize.searchParams);
      assert.equal(asked.client_id, billingId);
      assert.equal(asked.response_type, 'code');
      assert.equal(asked.scope, SCOPE);
      assert.equal(asked.code_challenge_method, 'S256');
      assert.match(asked.code_challenge, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(asked.state && asked.nonce);
      assertSignedIn(await rpResult(page), who, billingId, 'client_secret_post');
      await screenshot(page, 'oidc-openid-client');
      // The provider session: one HttpOnly, Secure, SameSite=Lax cookie on the portal.
      const cookies = (await context.cookies(portal.origin)).filter((c) => c.name.startsWith('__Host-portal'));
      assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.secure, c.sameSite]), [
        ['__Host-portal-provider', true, true, 'Lax'],
      ]);

      // The second app, in the same browser: straight back, no login page.
      seen.length = 0;
      await page.goto(cases.url('/login'));
      await page.getByRole('heading', { name: `Signed in to ${cases.name}` }).waitFor();
      const portalPages = seen.filter((url) => url.origin === portal.origin).map((url) => url.pathname);
      assert.deepEqual(portalPages, ['/oauth2/authorize'], 'the provider session signed the person in');
      assertSignedIn(await rpResult(page), who, casesId, 'none');

      // Sign out from the first app: the provider's end-session endpoint with the ID token,
      // back to the app's post-logout URI with its state.
      seen.length = 0;
      await page.goto(billing.url('/'));
      await page.getByRole('link', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: `Signed out of ${billing.name}` }).waitFor();
      const logout = seen.find((url) => url.origin === portal.origin);
      assert.equal(logout.pathname, '/oauth2/logout');
      assert.ok(logout.searchParams.get('id_token_hint'), 'the ID token is the hint');
      assert.equal(logout.searchParams.get('post_logout_redirect_uri'), billing.postLogoutRedirectUri);
      const back = new URL(page.url());
      assert.equal(back.origin + back.pathname, billing.postLogoutRedirectUri);
      assert.equal(back.searchParams.get('state'), logout.searchParams.get('state'));
      const { logout: ended } = await rpResult(page);
      assert.deepEqual(ended, { state_matches: true, refresh: 'invalid_grant', userinfo: 401 },
        "the app's session ended with the sign-out");
      assert.deepEqual((await context.cookies(portal.origin)).map((c) => c.name).filter((n) => n.startsWith('__Host-portal')), []);

      // Signed out at the provider: a silent sign-in answers login_required to the app.
      seen.length = 0;
      await page.goto(billing.url('/login?prompt=none'));
      await page.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
      await page.locator('#error').getByText('login_required', { exact: true }).waitFor();
      const callback = seen.find((url) => url.origin === billing.origin && url.pathname === '/callback');
      assert.equal(callback.searchParams.get('error'), 'login_required');
      assert.equal(callback.searchParams.get('iss'), portal.origin);
      assert.ok(callback.searchParams.get('state'));
      assert.equal(callback.searchParams.get('code'), null);
      assert.ok(!seen.some((url) => url.origin === portal.origin && url.pathname === '/login'), 'no login page');
      assert.equal((await rpResult(page)).error, 'login_required');

      // No JWT (ID token, access token, the logout's id_token_hint) reached a log line.
      assert.deepEqual(portal.logLines().filter((line) => /eyJ[\w-]*\.eyJ/.test(line)), []);
    });

    it('land an invited person, after they set their password, signed in at the app the invitation names', async (t) => {
      const app = await startOpenidClientRp('Orders app');
      t.after(() => app.stop());
      const client = await portal.staff('POST', '/staff/oidc-clients', {
        name: 'Orders app',
        redirect_uris: [app.redirectUri],
        post_logout_redirect_uris: [app.postLogoutRedirectUri],
        // Third-party-initiated login (OpenID Connect Core §4): the app starts its own flow.
        initiate_login_uri: app.url('/login'),
        type: 'confidential',
      });
      await app.configure({ issuer: portal.origin, clientId: client.client_id, clientSecret: client.client_secret });
      const email = uniqueEmail('mary.jackson');
      await portal.invited(email, { first_name: 'Mary', last_name: 'Jackson' });
      const users = await portal.staff('GET', `/staff/portal-users?q=${encodeURIComponent(email)}`);
      const userId = users.items[0].portal_user_id;
      const access = await portal.staff('POST', `/staff/portal-users/${userId}/access-info`, {
        delivery: 'link',
        client_id: client.client_id,
        confirm_contact_data: false,
      });
      assert.ok(access.link.startsWith(`${portal.origin}/welcome?client_id=${client.client_id}#token=`), access.link);

      const { newPage } = await person(t, [app]);
      const page = await newPage();
      const seen = documents(page);
      await page.goto(access.link);
      await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password and log in' }).click();
      await page.getByRole('heading', { name: `Signed in to ${app.name}` }).waitFor();
      await page.getByText(`as ${email}`).waitFor();
      const portalPages = seen.filter((url) => url.origin === portal.origin).map((url) => url.pathname);
      assert.deepEqual(portalPages, ['/welcome', '/oauth2/initiate', '/oauth2/authorize'],
        'from the welcome page on to the app, no login form');
      const result = await rpResult(page);
      assert.equal(result.error, undefined, `the app's sign-in failed: ${result.error}`);
      assert.equal(result.id_token.sub, userId);
      assert.equal(result.id_token.email, email);
      await screenshot(page, 'oidc-invitation-to-app');
    });

    it('sign a person in to an Authlib app (PKCE, client_secret_basic) that checks the ID token against the JWKS, reads userinfo and refreshes', async (t) => {
      const who = await portalUser('dorothy.vaughan', 'Dorothy', 'Vaughan');
      const { app, clientId } = await registered(t, startAuthlibRp, 'Reports app', 'confidential');
      const { newPage } = await person(t, [app]);
      const page = await newPage();
      const seen = documents(page);

      await signIn(page, app, who);
      const authorize = new URL(seen.find((url) => url.pathname === '/oauth2/authorize'));
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(authorize.searchParams.get('scope'), SCOPE);
      assert.ok(authorize.searchParams.get('nonce'));
      const result = await rpResult(page);
      assertSignedIn(result, who, clientId, 'client_secret_basic');
      assert.equal(result.id_token.nonce, authorize.searchParams.get('nonce'));
      await screenshot(page, 'oidc-authlib');
    });
  });
}

if (!moto) {
  describe('apps signing people in through the portal (DynamoDB on moto)', () => {
    it('run the same flows on DynamoDB', { skip: 'PORTAL_TEST_DYNAMODB_ENDPOINT is not set (./scripts/test starts moto and sets it)' }, () => {});
  });
}

// Passkeys through Debian's chromium and its virtual authenticator (the DevTools protocol's
// WebAuthn domain): one added on /account, then signing in with it alone, after the
// password as the second step, refused once removed, and an authenticator without one; one
// set up at the login (portal's and provider's) of an organization that requires a second
// factor, and shown and reset in the staff console.
// WebAuthn needs a domain name, so this portal runs at http://localhost:<port>. run.mjs
// imports this file; alone: `node tests/browser/passkeys.mjs`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DESKTOP, PHONE, launch, screenshot, testContext } from './lib/browser.mjs';
import { Portal, uniqueEmail } from './lib/portal.mjs';
import { rpResult, startOpenidClientRp } from './lib/rp.mjs';

const PASSWORD = 'violet tractor harbour 42 mosaic';
const RECOVERY_CODE = /^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/;
const NO_PASSKEY = 'No passkey was used';

describe('passkeys', { concurrency: false }, () => {
  let portal;
  let browser;
  /** The person of the first test, and their passkey as the authenticator holds it after
   * its latest use (its signature counter only moves on). The later tests go on from it. */
  let who;
  let laptop;

  before(async () => {
    portal = await Portal.start({}, { localhost: true });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
  });

  /** A guarded context with one page, and a virtual authenticator (user-verifying, for
   * discoverable credentials, always touched) in that page, holding `credentials`. */
  async function personWithAuthenticator(t, credentials = [], options = {}) {
    const context = await testContext(t, browser, portal.origin, options);
    const page = await context.newPage();
    const cdp = await context.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    for (const credential of credentials) {
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    }
    const held = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    return { context, page, cdp, authenticatorId, held };
  }

  function isApi(method, path) {
    return (response) =>
      response.request().method() === method && new URL(response.url()).pathname === path;
  }

  async function focusedId(page) {
    return page.evaluate(() => document.activeElement?.id ?? '');
  }

  /** The API paths the page called, in order (`POST /sessions`…). */
  function apiCalls(page) {
    const calls = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (request.resourceType() === 'fetch') calls.push(`${request.method()} ${url.pathname}`);
    });
    return calls;
  }

  /** The access token's claims (display only: the server signed it). */
  function claims(jwt) {
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
  }

  async function stored(page) {
    return page.evaluate(() => ({ ...sessionStorage, ...localStorage }));
  }

  /** The password step of /login (already open), sent. */
  async function sendPassword(page, person) {
    await page.getByLabel('Username').fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  /** A member of a new organization that requires a second factor, with a password and no
   * factor yet (invited by staff, the invitation accepted): no session before one is set up. */
  async function memberOfStrictOrganization(name, first_name, last_name) {
    const organization = await portal.staff('POST', '/staff/organizations', { name, roles: [], require_mfa: true });
    assert.equal(organization.require_mfa, true);
    const email = uniqueEmail(`${first_name}.${last_name}`.toLowerCase());
    await portal.staff('POST', `/staff/organizations/${organization.organization_id}/members`, { emails: [email] });
    const token = new URL(await portal.invitationLink(email)).hash.slice('#token='.length);
    const accepted = await portal.call('POST', '/invitations/accept', {
      body: { token, password: PASSWORD, profile: { first_name, last_name } },
    });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.mfa_enrollment_required, true);
    assert.equal(accepted.body.access_token, undefined);
    return { email, name: `${first_name} ${last_name}`, organizationId: organization.organization_id };
  }

  /** The user id a credential the authenticator holds is for (its user handle). */
  function holder(credential) {
    return Buffer.from(credential.userHandle, 'base64').toString('hex');
  }

  /** The passkey the first test added, with its latest counter: needs that test. */
  function theLaptop() {
    assert.ok(laptop, 'the first test (adding the passkey) did not finish');
    return laptop;
  }

  /** The page's authenticator's only credential, kept for the next test. */
  async function keepLaptop(held) {
    const credentials = await held();
    assert.equal(credentials.length, 1);
    laptop = credentials[0];
    return laptop;
  }

  it('let a person add a passkey on /account, see it listed and the recovery codes once', async (t) => {
    assert.match(portal.origin, /^http:\/\/localhost:\d+$/);
    const email = uniqueEmail('grace.hopper');
    const link = await portal.invited(email, { first_name: 'Grace', last_name: 'Hopper' });
    const token = new URL(link).hash.slice('#token='.length);
    const accepted = await portal.call('POST', '/invitations/accept', { body: { token, password: PASSWORD } });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    const me = await portal.call('GET', '/me', { token: accepted.body.access_token });
    who = { email, id: me.body.portal_user_id };

    const { page, held } = await personWithAuthenticator(t, [], { viewport: PHONE });
    await page.goto(portal.url('/login'));
    await sendPassword(page, who);
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
    const region = page.getByRole('region', { name: 'Passkeys' });
    await region.getByText('You have no passkeys yet.').waitFor();
    assert.equal(await region.getByRole('table').isHidden(), true);

    await region.getByLabel('Name of the new passkey').fill('Laptop');
    const options = page.waitForResponse(isApi('POST', '/me/passkeys/options'));
    const added = page.waitForResponse(isApi('POST', '/me/passkeys'));
    await region.getByRole('button', { name: 'Add a passkey' }).click();
    const creation = await (await options).json();
    assert.equal(creation.publicKey.rp.id, 'localhost');
    const answer = await added;
    assert.equal(answer.status(), 201);
    const sent = answer.request().postDataJSON();
    assert.equal(sent.name, 'Laptop');
    assert.equal(sent.credential.type, 'public-key');
    assert.ok(sent.credential.response.attestationObject, 'the credential as toJSON() gives it');

    // The first second factor: ten recovery codes, shown once.
    await region.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    assert.equal(await focusedId(page), 'passkey-codes-title');
    const codes = await page.locator('#passkey-codes-list li').allTextContents();
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, RECOVERY_CODE);
    assert.deepEqual(codes, (await answer.json()).recovery_codes);
    await screenshot(page, 'passkey-recovery-codes');
    await region.getByRole('button', { name: 'I saved them' }).click();
    await page.getByRole('status').getByText('Your passkey is added').waitFor();
    assert.equal(await page.locator('#passkey-codes-list li').count(), 0, 'the codes left the page');
    assert.ok(!(await page.locator('main').innerText()).includes(codes[0]), 'a recovery code is still shown');

    // Listed, never used yet; the second factor on.
    const row = region.getByRole('row').filter({ hasText: 'Laptop' });
    await row.waitFor();
    assert.match(await row.innerText(), /never/);
    assert.equal(await region.getByRole('button', { name: /^Remove the passkey/ }).count(), 1);
    await page.getByRole('region', { name: 'Second factor' })
      .getByText('On: after your password, you use your passkey. 10 unused recovery codes are left.').waitFor();
    await screenshot(page, 'passkeys');
    const listed = await portal.call('GET', '/me/passkeys', { token: await page.evaluate(() => sessionStorage.getItem('portal.access_token')) });
    assert.deepEqual(listed.body.items.map((passkey) => passkey.name), ['Laptop']);

    // The authenticator holds one discoverable credential for this portal, for this person.
    const credential = await keepLaptop(held);
    assert.equal(credential.isResidentCredential, true);
    assert.equal(credential.rpId, 'localhost');
    assert.equal(Buffer.from(credential.userHandle, 'base64').toString('hex'), who.id);
    assert.equal(Buffer.from(credential.credentialId, 'base64').toString('base64url'), listed.body.items[0].id);
  });

  it('sign a person in with a passkey alone, no password typed', async (t) => {
    const { page, held } = await personWithAuthenticator(t, [theLaptop()], { viewport: PHONE });
    const calls = apiCalls(page);
    await page.goto(portal.url('/login'));
    assert.deepEqual(await stored(page), {});
    const signedIn = page.waitForResponse(isApi('POST', '/sessions/passkey'));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const answer = await signedIn;
    assert.equal(answer.status(), 200);
    assert.deepEqual(Object.keys(answer.request().postDataJSON()).sort(), ['credential', 'passkey_token']);
    await page.waitForURL(portal.url('/account'));
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
    assert.deepEqual(calls.slice(0, 2), ['POST /sessions/passkey/options', 'POST /sessions/passkey']);
    assert.ok(!calls.includes('POST /sessions'), 'no password was sent');

    const access = (await stored(page))['portal.access_token'];
    assert.ok(access, 'the access token is in sessionStorage');
    assert.deepEqual(claims(access).amr, ['hwk', 'mfa']);
    const me = await portal.call('GET', '/me', { token: access });
    assert.equal(me.body.portal_user_id, who.id);
    // The list says when it was used.
    const row = page.getByRole('region', { name: 'Passkeys' }).getByRole('row').filter({ hasText: 'Laptop' });
    await row.waitFor();
    assert.doesNotMatch(await row.innerText(), /never/);
    const before = laptop.signCount;
    assert.ok((await keepLaptop(held)).signCount > before, 'the authenticator signed');
  });

  it('finish a password log-in with the passkey as the second step', async (t) => {
    const { page, held } = await personWithAuthenticator(t, [theLaptop()], { viewport: PHONE });
    await page.goto(portal.url('/login'));
    const answered = page.waitForResponse(isApi('POST', '/sessions'));
    await sendPassword(page, who);
    const step = await (await answered).json();
    assert.deepEqual(step.methods, ['passkey', 'recovery_code']);
    assert.equal(step.passkey_options.publicKey.allowCredentials.length, 1);

    // No authenticator app: the passkey comes first, a recovery code is the other way.
    await page.getByRole('heading', { name: 'Use your passkey' }).waitFor();
    assert.equal(await focusedId(page), 'use-passkey');
    assert.equal(await page.locator('#code').isHidden(), true);
    assert.deepEqual(await stored(page), {}, 'no token before the second step');
    await screenshot(page, 'login-passkey');
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    assert.equal(await focusedId(page), 'recovery_code');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();

    const finished = page.waitForResponse(isApi('POST', '/sessions/mfa'));
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    const answer = await finished;
    assert.equal(answer.status(), 200);
    assert.deepEqual(Object.keys(answer.request().postDataJSON()).sort(), ['credential', 'mfa_token']);
    await page.waitForURL(portal.url('/account'));
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
    assert.deepEqual(claims((await stored(page))['portal.access_token']).amr, ['pwd', 'hwk', 'mfa']);
    await keepLaptop(held);
  });

  it('finish the provider\'s login with the passkey when an app sends the person', async (t) => {
    const app = await startOpenidClientRp('Harvard Mark I');
    t.after(() => app.stop());
    const client = await portal.staff('POST', '/staff/oidc-clients', {
      name: 'Harvard Mark I',
      redirect_uris: [app.redirectUri],
      type: 'confidential',
    });
    await app.configure({ issuer: portal.origin, clientId: client.client_id, clientSecret: client.client_secret });
    const { page, held, context } = await personWithAuthenticator(t, [theLaptop()], { apps: [app.origin] });

    await page.goto(app.url('/login'));
    await page.waitForURL((url) => url.origin === portal.origin && url.pathname === '/login');
    const answered = page.waitForResponse(isApi('POST', '/oauth2/login'));
    await sendPassword(page, who);
    assert.equal((await answered).status(), 200);
    await page.getByRole('heading', { name: 'Use your passkey' }).waitFor();
    const before = (await context.context.cookies(portal.origin)).map((cookie) => cookie.name);
    assert.ok(!before.includes('__Host-portal-provider'), before.join());
    const finished = page.waitForResponse(isApi('POST', '/oauth2/login/mfa'));
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    assert.equal((await finished).status(), 204);
    await page.getByRole('heading', { name: 'Signed in to Harvard Mark I' }).waitFor();
    const result = await rpResult(page);
    assert.equal(result.error, undefined, `the app's sign-in failed: ${result.error}`);
    assert.equal(result.id_token.sub, who.id);
    assert.deepEqual(result.id_token.amr, ['pwd', 'hwk', 'mfa']);
    await keepLaptop(held);
  });

  it('sign in at the provider\'s login with the passkey alone when an app sends the person', async (t) => {
    const app = await startOpenidClientRp('Zuse Z3');
    t.after(() => app.stop());
    const client = await portal.staff('POST', '/staff/oidc-clients', {
      name: 'Zuse Z3',
      redirect_uris: [app.redirectUri],
      type: 'confidential',
    });
    await app.configure({ issuer: portal.origin, clientId: client.client_id, clientSecret: client.client_secret });
    const { page, held } = await personWithAuthenticator(t, [theLaptop()], { apps: [app.origin] });
    const calls = apiCalls(page);

    await page.goto(app.url('/login'));
    await page.waitForURL((url) => url.origin === portal.origin && url.pathname === '/login');
    const signedIn = page.waitForResponse(isApi('POST', '/oauth2/login/passkey'));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const answer = await signedIn;
    assert.equal(answer.status(), 204);
    assert.match((await answer.headerValue('set-cookie')) ?? '', /__Host-portal-provider=/);
    await page.getByRole('heading', { name: 'Signed in to Zuse Z3' }).waitFor();
    assert.ok(!calls.includes('POST /oauth2/login'), 'no password was sent');
    assert.ok(!calls.includes('POST /sessions/passkey'), 'not the portal\'s own sign-in');
    const result = await rpResult(page);
    assert.equal(result.error, undefined, `the app's sign-in failed: ${result.error}`);
    assert.equal(result.id_token.sub, who.id);
    assert.deepEqual(result.id_token.amr, ['hwk', 'mfa']);
    await keepLaptop(held);
  });

  it('remove a passkey on /account after a recent log-in; it signs no one in then', async (t) => {
    const { page } = await personWithAuthenticator(t, [theLaptop()], { viewport: PHONE });
    await page.goto(portal.url('/login'));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
    const region = page.getByRole('region', { name: 'Passkeys' });
    const remove = region.getByRole('button', { name: 'Remove the passkey Laptop' });

    // Removing asks first.
    await remove.click();
    assert.equal(await focusedId(page), 'passkey-remove-no');
    await region.getByText('Remove the passkey Laptop?').waitFor();
    await region.getByRole('button', { name: 'Keep the passkey' }).click();
    assert.equal(await region.locator('#passkey-remove-confirm').isHidden(), true);

    // A log-in older than 5 minutes is refused with what to do (the refusal played here).
    await page.route('**/me/passkeys/*', (route) =>
      route.request().method() === 'DELETE'
        ? route.fulfill({
          status: 403,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'about:blank', title: 'Recent sign-in required', status: 403, code: 'recent_sign_in_required', detail: 'sign in again' }),
        })
        : route.continue(),
    );
    await remove.click();
    await region.getByRole('button', { name: 'Yes, remove the passkey' }).click();
    await page.getByRole('alert').getByText('sign in again to remove it').waitFor();
    await region.getByRole('row').filter({ hasText: 'Laptop' }).waitFor();
    await page.unroute('**/me/passkeys/*');

    // Within 5 minutes of this log-in: gone, and with it the second factor.
    await remove.click();
    const removed = page.waitForResponse(isApi('DELETE', `/me/passkeys/${Buffer.from(laptop.credentialId, 'base64').toString('base64url')}`));
    await region.getByRole('button', { name: 'Yes, remove the passkey' }).click();
    assert.equal((await removed).status(), 204);
    await page.getByRole('status').getByText('The passkey Laptop is removed.').waitFor();
    await region.getByText('You have no passkeys yet.').waitFor();
    assert.equal(await region.getByRole('table').isHidden(), true);
    await page.getByRole('region', { name: 'Second factor' }).getByText('Off: you log in with your password alone.').waitFor();
    const token = (await stored(page))['portal.access_token'];
    assert.deepEqual((await portal.call('GET', '/me/passkeys', { token })).body.items, []);

    // The authenticator still holds it, but the portal no longer takes it.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'You are logged out' }).waitFor();
    await page.goto(portal.url('/login'));
    const refused = page.waitForResponse(isApi('POST', '/sessions/passkey'));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    assert.equal((await refused).status(), 422);
    await page.getByRole('alert').getByText('That passkey was not accepted.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.deepEqual(await stored(page), {});
  });

  it('say so calmly when the authenticator has no passkey for the portal, and sign no one in', async (t) => {
    const { page } = await personWithAuthenticator(t, [], { viewport: PHONE });
    const calls = apiCalls(page);
    await page.goto(portal.url('/login'));
    const started = Date.now();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('alert').getByText(NO_PASSKEY).waitFor();
    assert.ok(Date.now() - started < 5_000, `the refusal took ${Date.now() - started} ms`);
    assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).isEnabled(), true);
    assert.ok(!calls.includes('POST /sessions/passkey'), 'no credential was sent');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.deepEqual(await stored(page), {});
  });

  /** The member of the next test, who set up a passkey at the login, for the staff test. */
  let member;

  it('let a member of an organization that requires a second factor set up a passkey at the login, and sign in with it', async (t) => {
    const who = await memberOfStrictOrganization('Bletchley Park', 'Mavis', 'Batey');
    const { page, held } = await personWithAuthenticator(t, [], { viewport: PHONE });
    const calls = apiCalls(page);
    await page.goto(portal.url('/login'));
    const answered = page.waitForResponse(isApi('POST', '/sessions'));
    await sendPassword(page, who);
    const step = await (await answered).json();
    assert.deepEqual(Object.keys(step).sort(), ['enrollment_token', 'mfa_enrollment_required']);

    // The enrolment step: the authenticator app, or a passkey instead.
    await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
    assert.equal(await focusedId(page), 'enrol-title');
    const choice = page.getByRole('button', { name: 'Use a passkey instead' });
    await choice.waitFor();
    await page.getByRole('heading', { name: 'Or use a passkey' }).waitFor();
    await screenshot(page, 'login-enrolment-passkey');

    // The server's refusal in its words (as at an IP address; played here): nothing made.
    await page.route('**/me/passkeys/options', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'about:blank',
          title: 'Invalid state',
          status: 409,
          code: 'invalid_state',
          detail: 'passkeys need the portal at a domain name (for example localhost), not an IP address',
        }),
      }),
    );
    await choice.click();
    await page.getByRole('alert').getByText('passkeys need the portal at a domain name').waitFor();
    assert.deepEqual(await held(), []);
    await page.unroute('**/me/passkeys/options');

    // The passkey, with the enrolment token as the bearer of both calls.
    await page.getByLabel('Name of the passkey').fill('Phone');
    const options = page.waitForResponse(isApi('POST', '/me/passkeys/options'));
    const added = page.waitForResponse(isApi('POST', '/me/passkeys'));
    await choice.click();
    const offered = await options;
    assert.equal(offered.status(), 200);
    assert.equal(offered.request().headers().authorization, `Bearer ${step.enrollment_token}`);
    assert.equal((await offered.json()).publicKey.rp.id, 'localhost');
    const answer = await added;
    assert.equal(answer.status(), 201);
    assert.equal(answer.request().headers().authorization, `Bearer ${step.enrollment_token}`);
    const sent = answer.request().postDataJSON();
    assert.equal(sent.name, 'Phone');
    assert.equal(sent.credential.type, 'public-key');
    assert.ok(sent.credential.response.attestationObject, 'the credential as toJSON() gives it');

    // The recovery codes, once; nothing stored yet.
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    assert.equal(await focusedId(page), 'codes-title');
    await page.getByText('Your passkey is set up.').waitFor();
    assert.equal(await page.locator('#problem').textContent(), '', 'the played refusal is gone');
    const codes = await page.locator('#codes-list li').allTextContents();
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, RECOVERY_CODE);
    assert.deepEqual(codes, (await answer.json()).recovery_codes);
    assert.deepEqual(await stored(page), {}, 'neither a token nor the password is stored');
    await screenshot(page, 'login-passkey-recovery-codes');

    // Then the sign-in with the new passkey alone: the password is not sent again.
    const signedIn = page.waitForResponse(isApi('POST', '/sessions/passkey'));
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    const finished = await signedIn;
    assert.equal(finished.status(), 200);
    assert.deepEqual(Object.keys(finished.request().postDataJSON()).sort(), ['credential', 'passkey_token']);
    await page.waitForURL(portal.url('/account'));
    await page.getByRole('heading', { name: 'Hello, Mavis Batey' }).waitFor();
    assert.deepEqual(calls.slice(0, 7), [
      'POST /sessions',
      'POST /me/mfa/totp',
      'POST /me/passkeys/options',
      'POST /me/passkeys/options',
      'POST /me/passkeys',
      'POST /sessions/passkey/options',
      'POST /sessions/passkey',
    ]);
    assert.equal(calls.filter((call) => call === 'POST /sessions').length, 1, 'the password was sent once');

    const access = (await stored(page))['portal.access_token'];
    assert.deepEqual(claims(access).amr, ['hwk', 'mfa']);
    const me = await portal.call('GET', '/me', { token: access });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, who.email);
    assert.equal(me.body.organization_id, who.organizationId);
    assert.ok(!(await page.locator('main').innerText()).includes(codes[0]), 'a recovery code is still shown');
    await page.getByRole('region', { name: 'Second factor' })
      .getByText('On: after your password, you use your passkey. 10 unused recovery codes are left.').waitFor();
    await page.getByRole('region', { name: 'Passkeys' }).getByRole('row').filter({ hasText: 'Phone' }).waitFor();

    // One discoverable credential for this portal, for this member.
    const credentials = await held();
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0].isResidentCredential, true);
    assert.equal(credentials[0].rpId, 'localhost');
    assert.equal(holder(credentials[0]), me.body.portal_user_id);
    member = { ...who, id: me.body.portal_user_id };
  });

  it('show the passkeys among a user\'s second factors in /staff, and reset them (English and German)', async (t) => {
    assert.ok(member, 'the test setting up a passkey at the login did not finish');
    const { newPage } = await testContext(t, browser, portal.origin, { viewport: DESKTOP });
    const desk = await newPage();
    await desk.goto(portal.staffPage);
    await desk.getByRole('heading', { name: 'Access requests' }).waitFor();
    await desk.getByRole('button', { name: 'Users', exact: true }).click();
    await desk.getByLabel("A user's name, email or company starts with").fill(member.email);
    await desk.getByRole('button', { name: 'Show users' }).click();
    await desk.getByRole('button', { name: `Open the portal user ${member.email}` }).click();
    await desk.getByRole('heading', { name: `Portal user ${member.email}` }).waitFor();
    assert.match(await desk.locator('#user-facts').innerText(), /Second factors\s+passkeys, recovery codes/);
    await desk.getByRole('button', { name: 'Reset second factors' }).click();
    await desk.getByText(
      `Reset the second factors of ${member.email}? Their authenticator app, passkeys and recovery codes stop ` +
        'working: their next sign-in needs the password alone, or sets up a new second factor where their ' +
        'organization requires one.',
    ).waitFor();
    await desk.getByRole('button', { name: 'Keep them' }).click();

    // In German: the same detail, and the reset.
    const german = await testContext(t, browser, portal.origin, { viewport: DESKTOP });
    await german.context.addInitScript(() => location.protocol === 'about:' || localStorage.setItem('portal.staff_lang', 'de'));
    const deDesk = await german.newPage();
    await deDesk.goto(portal.staffPage);
    await deDesk.getByRole('heading', { name: 'Zugangsanfragen' }).waitFor();
    await deDesk.getByRole('button', { name: 'Benutzer', exact: true }).click();
    await deDesk.getByLabel('Name, E-Mail oder Firma eines Benutzers beginnt mit').fill(member.email);
    await deDesk.getByRole('button', { name: 'Benutzer anzeigen' }).click();
    await deDesk.getByRole('button', { name: `Portalbenutzer ${member.email} öffnen` }).click();
    await deDesk.locator('#user-facts').getByText('Zweite Faktoren').waitFor();
    assert.match(await deDesk.locator('#user-facts').innerText(), /Zweite Faktoren\s+Passkeys, Wiederherstellungscodes/);
    await deDesk.getByRole('button', { name: 'Zweite Faktoren zurücksetzen' }).click();
    await deDesk.getByText(`Zweite Faktoren von ${member.email} zurücksetzen? Authenticator-App, Passkeys und Wiederherstellungscodes`).waitFor();
    const reset = deDesk.waitForResponse(isApi('POST', `/staff/portal-users/${member.id}/mfa/reset`));
    await deDesk.getByRole('button', { name: 'Ja, zurücksetzen' }).click();
    assert.equal((await reset).status(), 200);
    await deDesk.getByRole('status')
      .getByText(`Die zweiten Faktoren von ${member.email} sind zurückgesetzt: Authenticator-App, Passkeys und Wiederherstellungscodes`)
      .waitFor();
    assert.match(await deDesk.locator('#user-facts').innerText(), /Zweite Faktoren\s+keine/);

    // The passkey is gone: the password leads to setting up a factor again.
    const again = await portal.call('POST', '/sessions', { body: { username: member.email, password: PASSWORD } });
    assert.equal(again.body.mfa_enrollment_required, true, JSON.stringify(again.body));
  });

  it('let a member set up a passkey at the provider\'s login their organization requires, then finish it with that passkey', async (t) => {
    const who = await memberOfStrictOrganization('Hut Eight', 'Rolf', 'Noskwith');
    const app = await startOpenidClientRp('Bombe app');
    t.after(() => app.stop());
    const client = await portal.staff('POST', '/staff/oidc-clients', {
      name: 'Bombe app',
      redirect_uris: [app.redirectUri],
      type: 'confidential',
    });
    await app.configure({ issuer: portal.origin, clientId: client.client_id, clientSecret: client.client_secret });
    const { page, held, context } = await personWithAuthenticator(t, [], { apps: [app.origin] });
    const calls = apiCalls(page);

    await page.goto(app.url('/login'));
    await page.waitForURL((url) => url.origin === portal.origin && url.pathname === '/login');
    const answered = page.waitForResponse(isApi('POST', '/oauth2/login'));
    await sendPassword(page, who);
    const step = await (await answered).json();
    assert.equal(step.mfa_enrollment_required, true);
    await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
    const added = page.waitForResponse(isApi('POST', '/me/passkeys'));
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    const answer = await added;
    assert.equal(answer.status(), 201);
    assert.equal(answer.request().postDataJSON().name, undefined, 'no name typed: the server names it');
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    assert.equal(await page.locator('#codes-list li').count(), 10);
    const before = (await context.context.cookies(portal.origin)).map((cookie) => cookie.name);
    assert.ok(!before.includes('__Host-portal-provider'), before.join());

    // Then the new passkey alone signs in at the provider; the password is not sent again.
    const finished = page.waitForResponse(isApi('POST', '/oauth2/login/passkey'));
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    const signedIn = await finished;
    assert.equal(signedIn.status(), 204);
    assert.deepEqual(Object.keys(signedIn.request().postDataJSON()).sort(), ['credential', 'passkey_token']);
    await page.getByRole('heading', { name: 'Signed in to Bombe app' }).waitFor();
    assert.equal(calls.filter((call) => call === 'POST /oauth2/login').length, 1, 'the password went once');
    assert.ok(!calls.includes('POST /sessions/passkey'), 'not the portal\'s own sign-in');
    const credentials = await held();
    assert.equal(credentials.length, 1);
    const result = await rpResult(page);
    assert.equal(result.error, undefined, `the app's sign-in failed: ${result.error}`);
    assert.equal(result.id_token.sub, holder(credentials[0]));
    assert.deepEqual(result.id_token.amr, ['hwk', 'mfa']);
  });

  it('show the reason when the portal is reached by an IP address, where passkeys cannot work', async (t) => {
    const atAddress = await Portal.start();
    t.after(() => atAddress.stop());
    assert.match(atAddress.origin, /^http:\/\/127\.0\.0\.1:/);
    const context = await testContext(t, browser, atAddress.origin, { viewport: PHONE });
    const page = await context.newPage();
    await page.goto(atAddress.url('/login'));
    const refused = page.waitForResponse(isApi('POST', '/sessions/passkey/options'));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    assert.equal((await refused).status(), 409);
    await page.getByRole('alert').getByText('passkeys need the portal at a domain name').waitFor();
    assert.deepEqual(await stored(page), {});
  });
});

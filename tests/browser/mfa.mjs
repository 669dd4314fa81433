// Second factors through Debian's chromium: an authenticator app set up on /account and at
// the login of an organization that requires one, the login's code step (for a token pair
// and at the OpenID provider), recovery codes, and staff resetting a user's factors and
// requiring them of an organization in /staff. The authenticator app is pyotp
// (lib/totp.mjs). run.mjs imports this file; alone: `node tests/browser/mfa.mjs`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DESKTOP, PHONE, launch, screenshot, testContext } from './lib/browser.mjs';
import { Portal, uniqueEmail } from './lib/portal.mjs';
import { rpResult, startOpenidClientRp } from './lib/rp.mjs';
import { totpCode, wrongCode } from './lib/totp.mjs';

const PASSWORD = 'violet tractor harbour 42 mosaic';
const QR_NAME = 'QR code to scan with your authenticator app';
// Fields by role: a page's hidden steps have fields of the same name.
const CODE_FIELD = { name: 'Code from your authenticator app' };
const RECOVERY_CODE = /^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/;

describe('second factors', { concurrency: false }, () => {
  let portal;
  let browser;

  before(async () => {
    portal = await Portal.start();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
  });

  /** A guarded context, closed (and checked) when the test ends. */
  function person(t, options) {
    return testContext(t, browser, portal.origin, options);
  }

  function isApi(method, path) {
    return (response) =>
      response.request().method() === method && new URL(response.url()).pathname === path;
  }

  async function focusedId(page) {
    return page.evaluate(() => document.activeElement?.id ?? '');
  }

  /** A portal user with a password (invited, the invitation accepted), in `organization`. */
  async function portalUser(name, first_name, last_name, organization) {
    const email = uniqueEmail(name);
    let link;
    if (organization) {
      await portal.staff('POST', `/staff/organizations/${organization}/members`, { emails: [email] });
      link = await portal.invitationLink(email);
    } else {
      link = await portal.invited(email, { first_name, last_name });
    }
    const token = new URL(link).hash.slice('#token='.length);
    // A member added by address alone gives their name as they accept.
    const body = { token, password: PASSWORD };
    if (organization) body.profile = { first_name, last_name };
    const accepted = await portal.call('POST', '/invitations/accept', { body });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    if (accepted.body.mfa_enrollment_required) {
      // Its organization requires a second factor: no session before one is set up.
      assert.equal(accepted.body.access_token, undefined);
      return { email, name: `${first_name} ${last_name}` };
    }
    const me = await portal.call('GET', '/me', { token: accepted.body.access_token });
    return { email, id: me.body.portal_user_id, name: `${first_name} ${last_name}` };
  }

  /** An authenticator app set up through the API, as /account does: its key and the codes. */
  async function withAuthenticator(who) {
    const signedIn = await portal.call('POST', '/sessions', { body: { username: who.email, password: PASSWORD } });
    assert.ok(signedIn.body.access_token, JSON.stringify(signedIn.body));
    const token = signedIn.body.access_token;
    const setup = await portal.call('POST', '/me/mfa/totp', { token });
    assert.equal(setup.status, 200, JSON.stringify(setup.body));
    const confirmed = await portal.call('POST', '/me/mfa/totp/confirm', {
      token,
      body: { code: await totpCode(setup.body.secret) },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    return { secret: setup.body.secret, recoveryCodes: confirmed.body.recovery_codes };
  }

  /** The password step of /login (already open), sent. */
  async function sendPassword(page, who) {
    await page.getByLabel('Username').fill(who.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  /** The QR code shown: an inline SVG image with its name, drawn with the server's shapes. */
  async function assertQrCode(page, qrSvg) {
    const qr = page.getByRole('img', { name: QR_NAME });
    await qr.waitFor();
    assert.equal(await qr.evaluate((node) => node.localName), 'svg');
    const box = await qr.boundingBox();
    assert.ok(box.width >= 150 && box.height >= 150, `the QR code is ${box.width}×${box.height}`);
    const drawn = await qr.evaluate((node) => [...node.querySelectorAll('path')].map((path) => path.getAttribute('d')));
    const served = [...qrSvg.matchAll(/<path[^>]* d="([^"]+)"/g)].map((match) => match[1]);
    assert.ok(served.length > 0, qrSvg.slice(0, 200));
    assert.deepEqual(drawn, served, 'the page draws the QR code the server made');
  }

  /** The key as the page shows it for typing, checked against what the server answered. */
  async function shownKey(page, id, secret) {
    const key = await page.locator(`#${id}`).textContent();
    assert.match(key, /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, 'the key, in groups of four');
    assert.equal(key.replace(/\s/g, ''), secret);
    return key;
  }

  /** The access token's claims (display only: the server signed it). */
  function claims(jwt) {
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
  }

  it('let a person set up an authenticator app on /account, then ask for its code at every login', async (t) => {
    const who = await portalUser('hedy.lamarr', 'Hedy', 'Lamarr');
    const page = await (await person(t, { viewport: PHONE })).newPage();
    await page.goto(portal.url('/login'));
    await sendPassword(page, who);
    await page.getByRole('heading', { name: 'Hello, Hedy Lamarr' }).waitFor();
    const region = page.getByRole('region', { name: 'Second factor' });
    await region.getByText('Off: you log in with your password alone.').waitFor();

    // The app's secret: a QR code and the key to type instead.
    const started = page.waitForResponse(isApi('POST', '/me/mfa/totp'));
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const setup = await (await started).json();
    await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    assert.equal(await focusedId(page), 'mfa-setup-title');
    await assertQrCode(page, setup.qr_svg);
    const key = await shownKey(page, 'mfa-secret', setup.secret);
    await screenshot(page, 'mfa-setup');

    // A wrong code is refused on its field; the app's code, typed as apps show it, works.
    const field = page.getByRole('textbox', CODE_FIELD);
    await field.fill(await wrongCode(key));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').getByText('That code is not right.').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await focusedId(page), 'mfa-code');
    const code = await totpCode(key);
    await field.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    const confirmed = page.waitForResponse(isApi('POST', '/me/mfa/totp/confirm'));
    await page.getByRole('button', { name: 'Confirm' }).click();
    assert.equal((await confirmed).status(), 200);

    // Ten recovery codes, shown once.
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = await page.locator('#mfa-codes-list li').allTextContents();
    assert.equal(codes.length, 10);
    for (const recovery of codes) assert.match(recovery, RECOVERY_CODE);
    await screenshot(page, 'mfa-recovery-codes');
    await page.getByRole('button', { name: 'I saved them' }).click();
    await page.getByRole('status').getByText('Your second factor is on').waitFor();
    await region.getByText('10 unused recovery codes are left.').waitFor();
    assert.equal(await page.locator('#mfa-codes-list li').count(), 0, 'the codes left the page');
    assert.ok(!(await page.locator('main').innerText()).includes(codes[0]), 'a recovery code is still shown');

    // Logged out and in again: the password, then the app's next code.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'You are logged out' }).waitFor();
    await page.goto(portal.url('/login'));
    const answered = page.waitForResponse(isApi('POST', '/sessions'));
    await sendPassword(page, who);
    assert.deepEqual(Object.keys(await (await answered).json()).sort(), ['methods', 'mfa_required', 'mfa_token']);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    const step = page.getByRole('textbox', CODE_FIELD);
    assert.equal(await focusedId(page), 'code');
    assert.equal(await step.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await step.getAttribute('inputmode'), 'numeric');
    assert.deepEqual(await page.evaluate(() => ({ ...sessionStorage })), {}, 'no token before the code');
    await screenshot(page, 'login-code');
    // The code that confirmed the app is spent; the app's next one is not.
    await step.fill(await totpCode(key, Date.now() / 1000 + 30));
    const finished = page.waitForResponse(isApi('POST', '/sessions/mfa'));
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.equal((await finished).status(), 200);
    await page.waitForURL(portal.url('/account'));
    await page.getByRole('heading', { name: 'Hello, Hedy Lamarr' }).waitFor();
    await region.getByText('On: after your password, you enter a code from your authenticator app.').waitFor();
    const access = await page.evaluate(() => sessionStorage.getItem('portal.access_token'));
    assert.deepEqual(claims(access).amr, ['pwd', 'otp', 'mfa']);
  });

  it('let a person log in with a recovery code instead, and get new codes or remove the app on /account', async (t) => {
    const who = await portalUser('ada.king', 'Ada', 'King');
    const { recoveryCodes } = await withAuthenticator(who);
    const page = await (await person(t, { viewport: PHONE })).newPage();
    await page.goto(portal.url('/login'));
    await sendPassword(page, who);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();

    // The toggle: a recovery code's field, focused, and back again.
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    assert.equal(await focusedId(page), 'recovery_code');
    assert.equal(await page.locator('#code').isHidden(), true);
    await page.getByText('Enter one of the recovery codes you saved').waitFor();
    await screenshot(page, 'login-recovery-code');
    // A made-up code is refused; a saved one works (typed in capitals, without dashes).
    const field = page.getByRole('textbox', { name: 'Recovery code', exact: true });
    await field.fill('aaaa-bbbb-cccc-dddd');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('That is not one of your recovery codes, or it was used already.').waitFor();
    assert.equal(await focusedId(page), 'recovery_code');
    await field.fill(recoveryCodes[3].replace(/-/g, '').toUpperCase());
    const finished = page.waitForResponse(isApi('POST', '/sessions/mfa'));
    await page.getByRole('button', { name: 'Log in' }).click();
    const sent = (await finished).request().postDataJSON();
    assert.deepEqual(Object.keys(sent).sort(), ['mfa_token', 'recovery_code']);
    await page.getByRole('heading', { name: 'Hello, Ada King' }).waitFor();
    const region = page.getByRole('region', { name: 'Second factor' });
    await region.getByText('9 unused recovery codes are left.').waitFor();

    // New codes need a recent log-in: the refusal says what to do.
    await page.route('**/me/mfa/recovery-codes', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Recent sign-in required', status: 403, code: 'recent_sign_in_required', detail: 'sign in again' }),
      }),
    );
    await page.getByRole('button', { name: 'New recovery codes' }).click();
    await page.getByRole('alert').getByText('this needs a recent log-in: log out, log in again').waitFor();
    await page.unroute('**/me/mfa/recovery-codes');
    // Within 5 minutes of this log-in: ten new codes, the used and the old ones gone.
    await page.getByRole('button', { name: 'New recovery codes' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const fresh = await page.locator('#mfa-codes-list li').allTextContents();
    assert.equal(fresh.length, 10);
    assert.ok(!fresh.includes(recoveryCodes[0]), 'an old code is among the new ones');
    await page.getByRole('button', { name: 'I saved them' }).click();
    await region.getByText('10 unused recovery codes are left.').waitFor();

    // Removing the app asks first.
    await page.getByRole('button', { name: 'Remove the authenticator app' }).click();
    assert.equal(await focusedId(page), 'mfa-remove-no');
    await page.getByRole('button', { name: 'Keep it' }).click();
    assert.equal(await focusedId(page), 'mfa-remove');
    await page.getByRole('button', { name: 'Remove the authenticator app' }).click();
    const removed = page.waitForResponse(isApi('DELETE', '/me/mfa/totp'));
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    assert.equal((await removed).status(), 204);
    await page.getByRole('status').getByText('The authenticator app is removed').waitFor();
    await region.getByText('Off: you log in with your password alone.').waitFor();
    // The password alone signs in again.
    const signedIn = await portal.call('POST', '/sessions', { body: { username: who.email, password: PASSWORD } });
    assert.ok(signedIn.body.access_token, JSON.stringify(signedIn.body));
  });

  it('send a member of an organization that requires a second factor from the invitation to the login, without a session', async (t) => {
    const organization = await portal.staff('POST', '/staff/organizations', {
      name: 'Hut Six',
      roles: [],
      require_mfa: true,
    });
    const email = uniqueEmail('dilly.knox');
    await portal.staff('POST', `/staff/organizations/${organization.organization_id}/members`, { emails: [email] });
    const page = await (await person(t, { viewport: PHONE })).newPage();
    await page.goto(await portal.invitationLink(email));
    await page.getByLabel('First name').fill('Dilly');
    await page.getByLabel('Last name').fill('Knox');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    const accepted = page.waitForResponse(isApi('POST', '/invitations/accept'));
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    assert.equal((await accepted).status(), 200);
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByRole('status').getByText('Your organization requires a second factor').waitFor();
    assert.equal(await page.getByLabel('Username').inputValue(), email);
    assert.deepEqual(await page.evaluate(() => ({ ...sessionStorage, ...localStorage })), {},
      'no session before the second factor');
    await sendPassword(page, { email });
    await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
  });

  it('make a member of an organization that requires a second factor set up an app at the login, then ask for its code', async (t) => {
    const organization = await portal.staff('POST', '/staff/organizations', {
      name: 'Enigma Works',
      roles: [],
      require_mfa: true,
    });
    assert.equal(organization.require_mfa, true);
    const who = await portalUser('joan.clarke', 'Joan', 'Clarke', organization.organization_id);
    const page = await (await person(t, { viewport: PHONE })).newPage();
    await page.goto(portal.url('/login'));
    await page.getByLabel('Username').fill(who.email);
    await page.getByLabel('Password', { exact: true }).fill(`${PASSWORD} typo`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('The username or password is wrong.').waitFor();
    const started = page.waitForResponse(isApi('POST', '/me/mfa/totp'));
    await sendPassword(page, who);

    // The enrolment step (the wrong password's alert gone): no token yet, the QR code and
    // the key.
    await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
    assert.equal(await page.locator('#problem').textContent(), '');
    const setup = await (await started).json();
    assert.equal(await focusedId(page), 'enrol-title');
    await assertQrCode(page, setup.qr_svg);
    const key = await shownKey(page, 'enrol-secret', setup.secret);
    assert.deepEqual(await page.evaluate(() => ({ ...sessionStorage, ...localStorage })), {},
      'neither a token nor the password is stored');
    // This portal is at an IP address, where passkeys cannot work: no passkey offered instead.
    assert.equal(await page.getByRole('button', { name: 'Use a passkey instead' }).isHidden(), true);
    await screenshot(page, 'login-enrolment');
    const enrol = page.locator('#enrol-step');
    await enrol.getByRole('textbox', CODE_FIELD).fill(await totpCode(key));
    await enrol.getByRole('button', { name: 'Confirm' }).click();

    // The codes once, then the login again by itself: the app's next code finishes it.
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = await page.locator('#codes-list li').allTextContents();
    assert.equal(codes.length, 10);
    for (const recovery of codes) assert.match(recovery, RECOVERY_CODE);
    await screenshot(page, 'login-recovery-codes');
    const again = page.waitForResponse(isApi('POST', '/sessions'));
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    assert.equal((await again).request().postDataJSON().username, who.email);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByRole('status').getByText('Wait until it shows a new code').waitFor();
    assert.equal(await focusedId(page), 'code');
    assert.equal(await page.locator('#codes-list li').count(), 0, 'the codes left the page');
    await page.getByRole('textbox', CODE_FIELD).fill(await totpCode(key, Date.now() / 1000 + 30));
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(portal.url('/account'));
    await page.getByRole('heading', { name: 'Hello, Joan Clarke' }).waitFor();
    await page.getByRole('region', { name: 'Second factor' }).getByText('On: after your password').waitFor();
  });

  it('ask for the code at the provider\'s login when an app sends a person with a second factor', async (t) => {
    const who = await portalUser('margaret.hamilton', 'Margaret', 'Hamilton');
    const { secret } = await withAuthenticator(who);
    const app = await startOpenidClientRp('Apollo app');
    t.after(() => app.stop());
    const client = await portal.staff('POST', '/staff/oidc-clients', {
      name: 'Apollo app',
      redirect_uris: [app.redirectUri],
      type: 'confidential',
    });
    await app.configure({ issuer: portal.origin, clientId: client.client_id, clientSecret: client.client_secret });
    const { newPage, context } = await person(t, { apps: [app.origin] });
    const page = await newPage();

    await page.goto(app.url('/login'));
    await page.waitForURL((url) => url.origin === portal.origin && url.pathname === '/login');
    const answered = page.waitForResponse(isApi('POST', '/oauth2/login'));
    await sendPassword(page, who);
    assert.equal((await answered).status(), 200);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    // No provider session before the code.
    const before = (await context.cookies(portal.origin)).map((cookie) => cookie.name);
    assert.ok(!before.includes('__Host-portal-provider'), before.join());
    // The code confirmed through the API is spent: the app's next one.
    const finished = page.waitForResponse(isApi('POST', '/oauth2/login/mfa'));
    await page.getByRole('textbox', CODE_FIELD).fill(await totpCode(secret, Date.now() / 1000 + 30));
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.equal((await finished).status(), 204);
    await page.getByRole('heading', { name: 'Signed in to Apollo app' }).waitFor();
    const result = await rpResult(page);
    assert.equal(result.error, undefined, `the app's sign-in failed: ${result.error}`);
    assert.equal(result.id_token.sub, who.id);
    assert.deepEqual(result.id_token.amr, ['pwd', 'otp', 'mfa']);
  });

  it('let staff reset the second factors of a user and require them of an organization in /staff (English and German)', async (t) => {
    const who = await portalUser('tommy.flowers', 'Tommy', 'Flowers');
    await withAuthenticator(who);
    const { newPage } = await person(t, { viewport: DESKTOP });
    const desk = await newPage();
    await desk.goto(portal.staffPage);
    await desk.getByRole('heading', { name: 'Access requests' }).waitFor();

    // An organization created with the rule, then edited without it.
    await desk.getByRole('button', { name: 'Organizations', exact: true }).click();
    await desk.getByLabel('Organization name').fill('Dollis Hill');
    await desk.locator('#new-org-form').getByLabel('Require a second factor').check();
    const created = desk.waitForResponse(isApi('POST', '/staff/organizations'));
    await desk.getByRole('button', { name: 'Create the organization' }).click();
    const answer = await created;
    assert.equal(answer.request().postDataJSON().require_mfa, true);
    const id = (await answer.json()).organization_id;
    await desk.getByRole('heading', { name: 'Organization Dollis Hill' }).waitFor();
    await desk.locator('#org-facts').getByText('required of every member').waitFor();
    const rule = desk.locator('#org-edit-form').getByLabel('Require a second factor');
    assert.equal(await rule.isChecked(), true);
    await rule.uncheck();
    await desk.getByRole('button', { name: 'Save the organization' }).click();
    await desk.getByRole('status').getByText('The organization is saved').waitFor();
    await desk.locator('#org-facts').getByText('not required').waitFor();
    assert.equal((await portal.staff('GET', `/staff/organizations/${id}`)).require_mfa, false);

    // The user's factors reset, after a second click.
    await desk.getByRole('button', { name: 'Users', exact: true }).click();
    await desk.getByLabel("A user's name, email or company starts with").fill(who.email);
    await desk.getByRole('button', { name: 'Show users' }).click();
    await desk.getByRole('button', { name: `Open the portal user ${who.email}` }).click();
    await desk.getByRole('heading', { name: `Portal user ${who.email}` }).waitFor();
    assert.match(await desk.locator('#user-facts').innerText(), /Second factors\s+authenticator app, recovery codes/);
    await desk.getByRole('button', { name: 'Reset second factors' }).click();
    await desk.getByText(`Reset the second factors of ${who.email}? Their authenticator app, passkeys and recovery codes stop working`).waitFor();
    assert.equal(await focusedId(desk), 'user-mfa-no');
    await desk.getByRole('button', { name: 'Keep them' }).click();
    assert.equal(await desk.locator('#user-mfa-confirm').isHidden(), true);
    assert.equal(await focusedId(desk), 'user-mfa-reset');
    await desk.getByRole('button', { name: 'Reset second factors' }).click();
    const reset = desk.waitForResponse(isApi('POST', `/staff/portal-users/${who.id}/mfa/reset`));
    await desk.getByRole('button', { name: 'Yes, reset them' }).click();
    assert.equal((await reset).status(), 200);
    await desk.getByRole('status').getByText(`The second factors of ${who.email} are reset`).waitFor();
    await desk.locator('#user-history').getByText('second factors reset').waitFor();
    await screenshot(desk, 'staff-mfa-reset');
    // The password alone signs the user in now.
    const signedIn = await portal.call('POST', '/sessions', { body: { username: who.email, password: PASSWORD } });
    assert.ok(signedIn.body.access_token, JSON.stringify(signedIn.body));
    // Nothing left to reset: the detail says so, and the button is gone.
    await desk.locator('#user-facts').getByText('Second factors').waitFor();
    assert.match(await desk.locator('#user-facts').innerText(), /Second factors\s+none/);
    assert.equal(await desk.locator('#user-mfa-reset').isHidden(), true);

    // The same in German, with a new app to reset.
    await withAuthenticator(who);
    const german = await person(t, { viewport: DESKTOP });
    await german.context.addInitScript(() => location.protocol === 'about:' || localStorage.setItem('portal.staff_lang', 'de'));
    const deDesk = await german.newPage();
    await deDesk.goto(portal.staffPage);
    await deDesk.getByRole('heading', { name: 'Zugangsanfragen' }).waitFor();
    await deDesk.getByRole('button', { name: 'Organisationen', exact: true }).click();
    await deDesk.locator('#new-org-form').getByLabel('Zweiten Faktor verlangen').waitFor();
    await deDesk.getByText('Mitglieder ohne zweiten Faktor richten bei ihrer nächsten Anmeldung einen ein (eine Authenticator-App oder einen Passkey).').first().waitFor();
    await deDesk.getByRole('button', { name: 'Benutzer', exact: true }).click();
    await deDesk.getByLabel('Name, E-Mail oder Firma eines Benutzers beginnt mit').fill(who.email);
    await deDesk.getByRole('button', { name: 'Benutzer anzeigen' }).click();
    await deDesk.getByRole('button', { name: `Portalbenutzer ${who.email} öffnen` }).click();
    await deDesk.getByRole('button', { name: 'Zweite Faktoren zurücksetzen' }).click();
    await deDesk.getByText(`Zweite Faktoren von ${who.email} zurücksetzen?`).waitFor();
    await deDesk.getByRole('button', { name: 'Ja, zurücksetzen' }).click();
    await deDesk.getByRole('status').getByText(`Die zweiten Faktoren von ${who.email} sind zurückgesetzt`).waitFor();
    await deDesk.locator('#user-history').getByText('Zweite Faktoren zurückgesetzt').first().waitFor();
    await screenshot(deDesk, 'staff-german-mfa-reset');
  });
});

// Browser tests of the pages: Playwright (playwright-core) driving Debian's chromium
// against a spawned portal-local. `./scripts/test` runs this after `cargo test`, which
// builds target/debug/portal-local; alone: `node tests/browser/run.mjs`.
//
// Every test runs in fresh browser contexts that fail it on any request to another
// origin, a token in a query string, a page without its security headers, a script error
// or a CSP violation. Screenshots go to target/browser-artifacts/ (UPDATE_DOCS=1 also
// copies the three the README shows to docs/).
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ARTIFACTS, DESKTOP, PHONE, launch, screenshot, testContext } from './lib/browser.mjs';
import { CLIENT_ID, CLIENT_SECRET, startIdp } from './lib/idp.mjs';
import { Portal, REPO, uniqueEmail } from './lib/portal.mjs';
// The portal as an OpenID provider, for apps built on openid-client and Authlib.
import './oidc.mjs';
// Second factors: an authenticator app (pyotp plays it), recovery codes, staff resetting them.
import './mfa.mjs';
// Passkeys: Chromium's virtual authenticator, with a portal at http://localhost.
import './passkeys.mjs';

// Long enough, and not guessable from the person's name or address.
const PASSWORD = 'violet tractor harbour 42 mosaic';

let portal;
let browser;
/** The company's identity provider: a real OpenID provider (`oidc-provider`). */
let idp;

/** A guarded context, closed (and checked) when the test ends. */
function person(t, options) {
  return testContext(t, browser, portal.origin, options);
}

/**
 * A staff member's page on /staff, signed in through the company's provider as `login`
 * (ada: every permission, apps too; desk: `portal.users.manage` only).
 */
async function staffDesk(t, { viewport = DESKTOP, login = 'ada' } = {}) {
  const { newPage } = await person(t, { viewport, provider: idp.issuer });
  const desk = await newPage();
  await desk.goto(portal.url('/staff'));
  await signInAt(desk, login);
  await desk.getByRole('heading', { name: 'Access requests' }).waitFor();
  return desk;
}

/** A page of a fresh context that may visit the provider, on /staff, signed out. */
async function providerDesk(t) {
  const { newPage, context } = await person(t, { provider: idp.issuer });
  const desk = await newPage();
  await desk.goto(portal.url('/staff'));
  await desk.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
  return { desk, context };
}

/** From the console's sign-in view through the provider's login form as `login`. */
async function signInAt(desk, login) {
  await desk.getByRole('link', { name: 'Sign in with your company account' }).click();
  await desk.locator('input[name="login"]').fill(login);
  await desk.locator('input[name="password"]').fill('any password: the test provider takes any');
  await desk.getByRole('button', { name: 'Sign-in' }).click();
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

function isApi(method, path) {
  return (response) =>
    response.request().method() === method && new URL(response.url()).pathname === path;
}

describe('the pages', { concurrency: false }, () => {
  before(async () => {
    idp = await startIdp();
    portal = await Portal.start({
      STAFF_OIDC_ISSUER: idp.issuer,
      STAFF_OIDC_CLIENT_ID: CLIENT_ID,
      STAFF_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      STAFF_PERMISSIONS_CLAIM: 'groups',
      STAFF_PERMISSION_MAP: JSON.stringify({
        'portal-admins': ['portal.users.manage', 'portal.roles.assign', 'portal.clients.manage'],
        'portal-desk': ['portal.users.manage'],
      }),
    });
    await idp.configure({
      redirectUri: portal.url('/staff/callback'),
      postLogoutRedirectUri: portal.url('/staff'),
    });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
    await idp?.stop();
    // The README shows three of the screenshots; refresh them with UPDATE_DOCS=1.
    if (process.env.UPDATE_DOCS === '1') {
      for (const name of ['register.png', 'staff.png', 'staff-organization.png']) {
        await copyFile(join(ARTIFACTS, name), join(REPO, 'docs', name));
      }
    }
  });

  it('take a person from the registration form to their account, with staff approving in /staff', async (t) => {
    const { newPage } = await person(t, { viewport: PHONE });
    const page = await newPage();
    const email = uniqueEmail('ada.lovelace');

    // The public form, then the code from the email.
    await page.goto(portal.url('/register'));
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Phone').fill('+44 20 7946 0958');
    await page.getByLabel('Company').fill('Analytical Engines');
    await screenshot(page, 'register');
    const submitted = page.waitForResponse(isApi('POST', '/registrations'));
    await page.getByRole('button', { name: 'Send me a code' }).click();
    assert.equal((await submitted).status(), 202);
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await page.getByLabel('Code from the email').fill(await portal.code(email));
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await page.getByRole('heading', { name: 'Thank you — we will let you know' }).waitFor();
    await screenshot(page, 'register-done');

    // Staff open the page portal-local's banner links to, with the token in the fragment.
    const staff = await person(t, { viewport: DESKTOP });
    const desk = await staff.newPage();
    await desk.goto(portal.staffPage);
    await desk.getByRole('heading', { name: 'Access requests' }).waitFor();
    assert.equal(new URL(desk.url()).hash, '', 'the token left the address bar');
    assert.equal(await desk.evaluate(() => sessionStorage.getItem('portal.staff_token')), portal.staffToken);
    await desk.getByRole('button', { name: 'Review the request of Ada Lovelace' }).click();
    await desk.getByRole('heading', { name: 'Request of Ada Lovelace' }).waitFor();
    await desk.getByRole('button', { name: 'Create a new contact from this request' }).click();
    await desk.getByText('The contact is linked.').waitFor();
    await desk.getByLabel('Roles (optional)', { exact: true }).fill('billing.viewer');
    const approved = desk.waitForResponse((r) => r.url().endsWith('/approve'));
    await desk.getByRole('button', { name: 'Approve and send the invitation' }).click();
    assert.equal((await approved).status(), 200);
    await desk.getByText(`Approved. ${email} was sent an invitation`).waitFor();

    // The portal user, reached from the contact's detail.
    await desk.getByRole('button', { name: 'Open the contact' }).click();
    await desk.getByRole('heading', { name: 'Contact Ada Lovelace' }).waitFor();
    await desk.getByRole('button', { name: 'Open the portal user' }).click();
    await desk.getByRole('heading', { name: `Portal user ${email}` }).waitFor();
    await desk.locator('#user-facts').getByText('invited', { exact: true }).waitFor();
    await desk.locator('#user-facts').getByText('billing.viewer').first().waitFor();
    // A new link replaces the first one (the person uses the newest email).
    await desk.getByRole('button', { name: 'Send a new invitation' }).click();
    await desk.getByText(`A new invitation was sent to ${email}`).waitFor();
    assert.equal((await portal.emails(email, 'invitation')).length, 2);

    // The welcome link from the invitation email.
    const link = await portal.invitationLink(email);
    const token = new URL(link).hash.slice('#token='.length);
    const lookedUp = page.waitForResponse(isApi('POST', '/invitations/lookup'));
    await page.goto(link);
    assert.equal((await lookedUp).status(), 200);
    await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
    await page.locator('#username').getByText(email).waitFor();
    // Ada confirms the name and phone she registered with.
    assert.equal(await page.getByLabel('First name').inputValue(), 'Ada');
    assert.equal(await page.getByLabel('Last name').inputValue(), 'Lovelace');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.locator('#password-rules').getByText('Length is fine').waitFor();
    await screenshot(page, 'welcome');
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.waitForURL(portal.url('/account'));
    await page.getByRole('heading', { name: 'Hello, Ada Lovelace' }).waitFor();
    await screenshot(page, 'account');
    const stored = await page.evaluate(() => ({ ...sessionStorage }));
    assert.ok(stored['portal.access_token'], 'the access token is in sessionStorage');
    assert.ok(stored['portal.refresh_token'], 'the refresh token is in sessionStorage');
    assert.equal(stored['portal.invitation'], undefined, 'the used invitation token is gone');

    // Log out, and back in through /login.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'You are logged out' }).waitFor();
    assert.deepEqual(await page.evaluate(() => ({ ...sessionStorage })), {});
    await page.goto(portal.url('/login'));
    await page.getByLabel('Username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await screenshot(page, 'login');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Hello, Ada Lovelace' }).waitFor();

    // Staff see the account active, and the login.
    await desk.getByRole('button', { name: 'Back' }).click();
    await desk.getByRole('heading', { name: 'Contact Ada Lovelace' }).waitFor();
    await desk.getByRole('button', { name: 'Open the portal user' }).click();
    await desk.locator('#user-facts').getByText('active', { exact: true }).waitFor();
    await desk.locator('#user-login-rows').getByText('success').first().waitFor();
    await screenshot(desk, 'staff-user');
    // And in the list of users, with the time of that login.
    await desk.getByRole('button', { name: 'Users', exact: true }).click();
    await desk.getByLabel("A user's name, email or company starts with").fill(email);
    await desk.getByRole('button', { name: 'Show users' }).click();
    const listed = desk.locator('#users-rows tr', { hasText: email });
    await listed.locator('td[data-label="Status"]').getByText('active').waitFor();
    await listed.locator('td[data-label="Last login"] time').waitFor();
    await desk.getByRole('button', { name: `Open the portal user ${email}` }).click();
    await desk.getByRole('heading', { name: `Portal user ${email}` }).waitFor();

    // Deactivation ends the person's session at once; reactivation lets them log in again.
    await desk.getByRole('button', { name: 'Deactivate' }).click();
    await desk.getByText(`${email} is deactivated`).waitFor();
    await desk.locator('#user-facts').getByText('deactivated', { exact: true }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'You are not logged in' }).waitFor();
    await desk.getByRole('button', { name: 'Reactivate' }).click();
    await desk.getByText(`${email} is reactivated (active).`).waitFor();
    await page.goto(portal.url('/login'));
    await page.getByLabel('Username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Hello, Ada Lovelace' }).waitFor();

    // The link works once.
    await page.goto(link);
    await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();

    // No token ever reached a log line.
    const logs = portal.logLines().join('\n');
    assert.ok(logs.length > 0, 'portal-local logged the requests');
    for (const secret of [token, stored['portal.access_token'], stored['portal.refresh_token'], portal.staffToken]) {
      assert.ok(!logs.includes(secret), 'a token is in the logs');
    }
  });

  it('refuse a weak password with the reason the server gives', async (t) => {
    const { newPage } = await person(t, { viewport: PHONE });
    const page = await newPage();
    const email = uniqueEmail('grace.hopper');
    const link = await portal.invited(email);
    const accepts = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/invitations/accept')) accepts.push(request);
    });

    await page.goto(link);
    await page.getByRole('heading', { name: 'Welcome, Grace' }).waitFor();
    const password = page.getByLabel('New password', { exact: true });

    // Too short: said live while typing, and refused before any request.
    await password.fill('short');
    await page.locator('#password-rules').getByText('At least 15 characters: 5 so far.').waitFor();
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.getByRole('alert').getByText('The password needs at least 15 characters (it has 5).').waitFor();
    assert.equal(accepts.length, 0);

    // Long enough but common: the server's reason is shown, on the field too.
    await password.fill('password1234567');
    await page.locator('#password-rules').getByText('Length is fine (15 characters).').waitFor();
    const refused = page.waitForResponse(isApi('POST', '/invitations/accept'));
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    const answer = await refused;
    assert.equal(answer.status(), 422);
    const problem = await answer.json();
    assert.equal(problem.code, 'password_rejected');
    await page.getByRole('alert').getByText(`Please choose another password: ${problem.detail}`).waitFor();
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    assert.equal(await focusedId(page), 'password');
    await screenshot(page, 'welcome-weak-password');

    // A good one still works with the same link.
    await password.fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
  });

  it('let a person known by name alone give and confirm an address through their personal link', async (t) => {
    const { newPage } = await person(t, { viewport: PHONE });
    const page = await newPage();
    const contact = await portal.staff('POST', '/staff/contacts', { first_name: 'Ivan', last_name: 'Petrov' });
    const user = await portal.staff('POST', '/staff/portal-users', {
      contact_id: contact.contact_id,
      send_invitation: false,
    });
    const { link } = await portal.staff('POST', `/staff/portal-users/${user.portal_user_id}/access-info`, {
      delivery: 'link',
    });
    const email = uniqueEmail('ivan.petrov');

    await page.goto(link);
    await page.getByRole('heading', { name: 'Welcome, Ivan' }).waitFor();
    await page.getByText('it will be your username').waitFor();
    assert.equal(await page.locator('#username-known').isHidden(), true);
    await page.getByLabel('Email address').fill(email);
    const sent = page.waitForResponse(isApi('POST', '/invitations/email'));
    await page.getByRole('button', { name: 'Send me a code' }).click();
    assert.equal((await sent).status(), 202);
    await page.getByRole('status').getByText(`We sent a code to ${email}`).waitFor();
    assert.equal(await focusedId(page), 'email_code');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);

    // A wrong code is refused on the code's field.
    const code = await portal.code(email);
    await page.getByLabel('Code from the email').fill(code === '000000' ? '111111' : '000000');
    const refused = page.waitForResponse(isApi('POST', '/invitations/accept'));
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    assert.equal((await refused).status(), 422);
    await page.getByRole('alert').getByText('That code is not the one we sent').waitFor();
    await screenshot(page, 'welcome-email-code');

    await page.getByLabel('Code from the email').fill(code);
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.waitForURL(portal.url('/account'));
    await page.getByRole('heading', { name: 'Hello, Ivan Petrov' }).waitFor();
    const signedIn = await portal.call('POST', '/sessions', { body: { username: email, password: PASSWORD } });
    assert.equal(signedIn.status, 200);
  });

  it('let staff add a person known by name alone in /staff and hand them a personal link (ELMA365)', async (t) => {
    const desk = await staffDesk(t, { viewport: DESKTOP });

    // People: a new contact with a name alone.
    await desk.getByRole('button', { name: 'People' }).click();
    await desk.getByRole('heading', { name: 'People' }).waitFor();
    await screenshot(desk, 'staff-people');
    await desk.getByLabel('First name', { exact: true }).fill('Olga');
    await desk.getByLabel('Last name', { exact: true }).fill('Ivanova');
    await desk.getByRole('button', { name: 'Create the contact' }).click();
    await desk.getByRole('heading', { name: 'Contact Olga Ivanova' }).waitFor();
    await desk.getByRole('status').getByText('The contact Olga Ivanova is created.').waitFor();
    await screenshot(desk, 'staff-contact');
    // No email: nothing can be sent, the user is created for a link.
    const send = desk.getByLabel('Email the invitation now');
    assert.equal(await send.isDisabled(), true);
    assert.equal(await send.isChecked(), false);
    await desk.getByText('This contact has no email').waitFor();
    await desk.getByRole('button', { name: 'Create a portal user' }).click();
    await desk.getByRole('heading', { name: 'Portal user Olga Ivanova' }).waitFor();
    assert.equal(await desk.getByRole('button', { name: 'Email access information' }).isHidden(), true);
    await desk.getByRole('button', { name: 'Get a personal link' }).click();
    const linkField = desk.getByLabel('Personal link (shown once: hand it over yourself)');
    await linkField.waitFor();
    const link = await linkField.inputValue();
    assert.ok(link.startsWith(portal.url('/welcome#token=')), link);
    await screenshot(desk, 'staff-personal-link');

    // The contact is found by the start of her name.
    await desk.getByRole('button', { name: 'People' }).click();
    await desk.getByLabel("A contact's name, email or company starts with").fill('olga iv');
    await desk.getByRole('button', { name: 'Search contacts' }).click();
    await desk.getByRole('button', { name: 'Open the contact Olga Ivanova' }).waitFor();

    // Olga opens the link in her own browser and confirms an address.
    const { newPage: olgasPage } = await person(t, { viewport: PHONE });
    const page = await olgasPage();
    const email = uniqueEmail('olga.ivanova');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Welcome, Olga' }).waitFor();
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('Code from the email').fill(await portal.code(email));
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.getByRole('heading', { name: 'Hello, Olga Ivanova' }).waitFor();

    // Staff see the address as her username.
    await desk.getByRole('button', { name: 'Open the contact Olga Ivanova' }).click();
    await desk.getByRole('heading', { name: 'Contact Olga Ivanova' }).waitFor();
    await desk.locator('#contact-facts').getByText(email).waitFor();
    await desk.getByRole('button', { name: 'Open the portal user' }).click();
    await desk.getByRole('heading', { name: `Portal user ${email}` }).waitFor();
    await desk.locator('#user-facts').getByText('active', { exact: true }).waitFor();
  });

  it('let staff select several users in /staff and email them their access information at once', async (t) => {
    const email = uniqueEmail('hedy.lamarr');
    const contact = await portal.staff('POST', '/staff/contacts', { first_name: 'Hedy', last_name: 'Lamarr', email });
    await portal.staff('POST', '/staff/portal-users', { contact_id: contact.contact_id, send_invitation: false });
    const nameOnly = await portal.staff('POST', '/staff/contacts', { first_name: 'Hedwig', last_name: 'Kiesler' });
    await portal.staff('POST', '/staff/portal-users', { contact_id: nameOnly.contact_id, send_invitation: false });

    const desk = await staffDesk(t, { viewport: PHONE });
    await desk.getByRole('button', { name: 'Users', exact: true }).click();
    await desk.getByRole('heading', { name: 'Portal users' }).waitFor();
    await desk.getByLabel("A user's name, email or company starts with").fill('hed');
    await desk.getByRole('button', { name: 'Show users' }).click();
    await desk.getByRole('checkbox', { name: `Select ${email}` }).check();
    await desk.getByRole('checkbox', { name: 'Select Hedwig Kiesler' }).check();
    await desk.getByText('2 users selected.').waitFor();
    await screenshot(desk, 'staff-users');
    const sent = desk.waitForResponse(isApi('POST', '/staff/portal-users/access-info'));
    await desk.getByRole('button', { name: 'Email access information to the selected' }).click();
    assert.equal((await sent).status(), 200);
    await desk.getByRole('status').getByText('Access information was sent to 1 of 2 users.').waitFor();
    await desk.locator('#users-results').getByText(`${email}: access information sent`).waitFor();
    await desk.locator('#users-results').getByText('Hedwig Kiesler: skipped (no email)').waitFor();
    // Hedy was invited by it: her invitation link works.
    await portal.invitationLink(email);
  });

  it('let staff run an organization in /staff: create it, add people by address and from contacts, promote an administrator, edit its roles (Creatio)', async (t) => {
    const first = uniqueEmail('ada.byron');
    const second = uniqueEmail('charles.babbage');
    const existing = uniqueEmail('mary.somerville');
    await portal.staff('POST', '/staff/contacts', { first_name: 'Mary', last_name: 'Somerville', email: existing });

    const desk = await staffDesk(t, { viewport: DESKTOP });
    await desk.getByRole('button', { name: 'Organizations', exact: true }).click();
    await desk.getByRole('heading', { name: 'Organizations', exact: true }).waitFor();
    await screenshot(desk, 'staff-organizations');
    await desk.getByLabel('Organization name').fill('Analytical Society');
    await desk.getByLabel('Roles every member holds').first().fill('orders.viewer');
    await desk.getByRole('button', { name: 'Create the organization' }).click();
    await desk.getByRole('heading', { name: 'Organization Analytical Society' }).waitFor();
    await desk.getByText('No members yet.').waitFor();

    // Two pasted addresses, invited later; one existing contact.
    await desk.getByLabel('Email new members their invitation now').uncheck();
    await desk.getByLabel('Email addresses').fill(`${first}\n${second}, not-an-address`);
    await desk.getByRole('button', { name: 'Add these addresses' }).click();
    await desk.locator('#org-results').getByText(`${first}: added`).waitFor();
    await desk.locator('#org-results').getByText('not-an-address: invalid (is not a valid email address)').waitFor();
    await desk.getByLabel('Find an existing contact by name, email or company').fill('mary som');
    await desk.getByRole('button', { name: 'Find contacts' }).click();
    await desk.getByRole('button', { name: 'Add the contact Mary Somerville' }).click();
    await desk.getByRole('status').getByText('1 of 1 added.').waitFor();
    const members = desk.locator('#org-member-rows tr');
    await desk.locator('#org-member-rows').getByText(existing).waitFor();
    assert.equal(await members.count(), 3);
    assert.equal((await portal.emails(first, 'invitation')).length, 0, 'invited later: nothing sent');

    // The first administrator.
    await desk.getByRole('button', { name: `Make ${first} an administrator` }).click();
    await desk.getByRole('status').getByText(`${first} administers Analytical Society now.`).waitFor();
    assert.equal(await desk.getByRole('button', { name: `Make ${first} an administrator` }).count(), 0);

    // New roles for every member.
    await desk.locator('#org-roles').fill('orders.viewer, invoices.viewer');
    await desk.getByRole('button', { name: 'Save the organization' }).click();
    await desk.getByRole('status').getByText('The organization is saved').waitFor();
    await desk.locator('#org-facts').getByText('invoices.viewer, orders.viewer').waitFor();

    // An Excel file of three rows (made with rust_xlsxwriter by the test kit's
    // `people_xlsx`): its progress reaches 100 %, the invalid row is named.
    await desk.getByLabel('Import people from a file').setInputFiles(join(REPO, 'tests/browser/fixtures/people.xlsx'));
    const started = desk.waitForResponse(isApi('POST', '/staff/imports'));
    await desk.getByRole('button', { name: 'Import the file' }).click();
    assert.equal((await started).status(), 202);
    await desk.locator('#org-import-text').getByText('3 of 3 rows (100 %), done.').waitFor();
    assert.equal(await desk.locator('#org-import-progress').getAttribute('value'), '3');
    await desk.getByRole('status').getByText('Import done: 0 invited, 2 added, 0 already members, 1 invalid.').waitFor();
    await desk.locator('#org-import-invalid').getByText('Row 4 (not an address):').waitFor();
    await desk.locator('#org-member-rows').getByText('lovelace.import@example.com').waitFor();
    assert.equal(await members.count(), 5);
    await screenshot(desk, 'staff-organization');

    // A member deactivated and reactivated from their detail.
    await desk.getByRole('button', { name: `Open ${second}` }).click();
    await desk.getByRole('heading', { name: `Portal user ${second}` }).waitFor();
    await desk.getByRole('button', { name: 'Deactivate' }).click();
    await desk.getByRole('status').getByText(`${second} is deactivated`).waitFor();
    await desk.locator('#user-facts').getByText('deactivated', { exact: true }).waitFor();
    await desk.getByRole('button', { name: 'Reactivate' }).click();
    await desk.getByRole('status').getByText(`${second} is reactivated (invited).`).waitFor();

    // Found again by the start of its name.
    await desk.getByRole('button', { name: 'Organizations', exact: true }).click();
    await desk.getByLabel("An organization's name starts with").fill('analyt');
    await desk.getByRole('button', { name: 'Show organizations' }).click();
    await desk.getByRole('button', { name: 'Open the organization Analytical Society' }).waitFor();
  });

  it('let staff make a portal user with roles from a contact, send access information twice, and change access (EspoCRM)', async (t) => {
    const email = uniqueEmail('alan.turing');
    const contact = await portal.staff('POST', '/staff/contacts', { first_name: 'Alan', last_name: 'Turing', email });
    const desk = await staffDesk(t);
    await desk.getByRole('button', { name: 'People' }).click();
    await desk.getByLabel("A contact's name, email or company starts with").fill('alan tur');
    await desk.getByRole('button', { name: 'Search contacts' }).click();
    await desk.getByRole('button', { name: 'Open the contact Alan Turing' }).click();
    // The contact edited first: a company and the CRM's reference; a bad phone is named.
    await desk.getByText('Edit the contact').click();
    await desk.getByLabel('Contact company').fill('Bletchley Park');
    await desk.getByLabel('CRM reference').fill('ESPO-1912');
    await desk.getByLabel('Contact phone').fill('not a phone');
    await desk.getByRole('button', { name: 'Save the contact' }).click();
    await desk.getByRole('alert').getByText('Contact phone').waitFor();
    await desk.getByLabel('Contact phone').fill('');
    await desk.getByRole('button', { name: 'Save the contact' }).click();
    await desk.getByRole('status').getByText('The contact Alan Turing is saved.').waitFor();
    await desk.locator('#contact-facts').getByText('Bletchley Park').waitFor();
    await desk.getByLabel("The new user's roles").fill('cases.viewer');
    await desk.getByRole('button', { name: 'Create a portal user' }).click();
    await desk.getByRole('heading', { name: `Portal user ${email}` }).waitFor();
    await desk.locator('#user-facts').getByText('cases.viewer', { exact: true }).waitFor();
    // Sign in through the invitation, then access information twice: the newest works.
    const page = await (await person(t, { viewport: PHONE })).newPage();
    await page.goto(await portal.invitationLink(email));
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.getByRole('heading', { name: 'Hello, Alan Turing' }).waitFor();
    await desk.reload();
    await desk.getByRole('button', { name: 'Users', exact: true }).click();
    await desk.getByLabel("A user's name, email or company starts with").fill('alan tur');
    await desk.getByRole('button', { name: 'Show users' }).click();
    await desk.getByRole('button', { name: `Open the portal user ${email}` }).click();
    for (let i = 0; i < 2; i += 1) {
      await desk.getByRole('button', { name: 'Email access information', exact: true }).click();
      await desk.getByRole('status').getByText(`Access information was emailed to ${email}`).waitFor();
    }
    const mailed = await portal.emails(email, 'access_info');
    assert.equal(mailed.length, 2);
    const tokens = mailed.map((message) => message.text.match(/#token=([A-Za-z0-9_-]+)/)[1]);
    const older = await portal.call('POST', '/password-resets/complete', { body: { token: tokens[0], password: `${PASSWORD} again` } });
    assert.equal(older.status, 410);
    const newest = await portal.call('POST', '/password-resets/complete', { body: { token: tokens[1], password: `${PASSWORD} again` } });
    assert.equal(newest.status, 200);

    // Access: another role, edited in place.
    await desk.getByLabel("The user's own roles").fill('cases.viewer, cases.editor');
    await desk.getByRole('button', { name: 'Save access' }).click();
    await desk.getByRole('status').getByText('is saved').waitFor();
    await desk.locator('#user-facts').getByText('cases.editor, cases.viewer', { exact: true }).waitFor();

    // Every email went out: the list of those not delivered says so.
    await desk.getByRole('button', { name: 'Emails not delivered' }).click();
    await desk.getByRole('heading', { name: 'Emails not delivered' }).waitFor();
    await desk.getByText('No email waits: the mailer has delivered every one.').waitFor();
    assert.equal(await desk.getByRole('button', { name: 'Send them all again' }).isHidden(), true);
    await screenshot(desk, 'staff-emails');

    // A staff member without portal.roles.assign sees no role editing, and the server
    // refuses it anyway.
    const other = await staffDesk(t, { login: 'desk' });
    await other.getByRole('button', { name: 'Users', exact: true }).click();
    await other.getByLabel("A user's name, email or company starts with").fill('alan tur');
    await other.getByRole('button', { name: 'Show users' }).click();
    await other.getByRole('button', { name: `Open the portal user ${email}` }).click();
    await other.getByRole('heading', { name: `Portal user ${email}` }).waitFor();
    assert.equal(await other.locator('#user-access-form').isHidden(), true);
    const id = (await portal.staff('GET', `/staff/contacts/${contact.contact_id}`)).portal_user.portal_user_id;
    const refused = await other.evaluate(async (path) => {
      const body = JSON.stringify({ roles: [] });
      const headers = { 'content-type': 'application/json' };
      return (await fetch(path, { method: 'PATCH', headers, body })).status;
    }, `/staff/portal-users/${id}`);
    assert.equal(refused, 403);
  });

  it('let staff register a portal app, see its secret once, edit and remove it', async (t) => {
    const desk = await staffDesk(t);
    await desk.getByRole('button', { name: 'Apps', exact: true }).click();
    await desk.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    const registration = desk.locator('#new-app-form');
    await registration.getByLabel('App name').fill('Orders portal');
    await registration
      .getByLabel('Redirect URIs', { exact: true })
      .fill('https://orders.example/callback\nhttp://localhost:3000/callback\n');
    await registration.getByLabel('Post-logout redirect URIs').fill('https://orders.example/');
    await registration.getByLabel('Login initiation URI').fill('https://orders.example/login');
    assert.equal(await registration.getByLabel('Type').inputValue(), 'confidential');
    const registered = desk.waitForResponse(isApi('POST', '/staff/oidc-clients'));
    await desk.getByRole('button', { name: 'Register the app' }).click();
    const answer = await registered;
    assert.equal(answer.status(), 201);
    assert.deepEqual(answer.request().postDataJSON(), {
      name: 'Orders portal',
      redirect_uris: ['https://orders.example/callback', 'http://localhost:3000/callback'],
      post_logout_redirect_uris: ['https://orders.example/'],
      initiate_login_uri: 'https://orders.example/login',
      type: 'confidential',
    });
    const { client_id: clientId, client_secret: secret } = await answer.json();
    assert.ok(secret, 'a confidential app gets a secret');

    // The app's detail, with its secret this once and a sentence saying so.
    await desk.getByRole('heading', { name: 'App Orders portal' }).waitFor();
    await desk.getByRole('status').getByText('The app Orders portal is registered. Copy its client secret now.').waitFor();
    await desk.getByText('The client secret is shown only now, this once.').waitFor();
    assert.equal(await desk.getByLabel('Client secret').inputValue(), secret);
    assert.equal(await focusedId(desk), 'app-secret-value');
    await desk.locator('#app-facts').getByText(clientId).waitFor();
    await desk.locator('#app-facts').getByText('http://localhost:3000/callback').waitFor();
    await desk.locator('#app-facts').getByText('https://orders.example/login').waitFor();
    await screenshot(desk, 'staff-app-registered');

    // The list again: the app is there, its secret nowhere, nor in any answer after the first.
    const answers = [];
    desk.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/staff/oidc-clients')) answers.push(response.text().catch(() => ''));
    });
    const shown = async () =>
      desk.evaluate(
        () => document.body.innerText + [...document.querySelectorAll('input, textarea')].map((field) => field.value).join(' '),
      );
    await desk.getByRole('button', { name: 'Apps', exact: true }).click();
    const row = desk.locator('#apps-rows tr', { hasText: 'Orders portal' });
    await row.locator('td[data-label="Type"]').getByText('confidential').waitFor();
    await row.locator('td[data-label="Redirect URIs"]').getByText('https://orders.example/callback').waitFor();
    await screenshot(desk, 'staff-apps');
    assert.ok(!(await shown()).includes(secret), 'the list shows the secret');
    await desk.getByRole('button', { name: 'Open the app Orders portal' }).click();
    await desk.getByRole('heading', { name: 'App Orders portal' }).waitFor();
    assert.equal(await desk.locator('#app-secret').isHidden(), true);
    assert.ok(!(await shown()).includes(secret), 'the detail shows the secret again');

    // A redirect URI edited in place.
    const edit = desk.locator('#app-edit-form');
    const uris = edit.getByLabel('Redirect URIs', { exact: true });
    assert.equal(await uris.inputValue(), 'https://orders.example/callback\nhttp://localhost:3000/callback');
    await uris.fill('https://orders.example/auth/callback\nhttp://localhost:3000/callback');
    const saved = desk.waitForResponse(isApi('PATCH', `/staff/oidc-clients/${clientId}`));
    await desk.getByRole('button', { name: 'Save the app' }).click();
    assert.equal((await saved).status(), 200);
    await desk.getByRole('status').getByText('The app Orders portal is saved').waitFor();
    await desk.locator('#app-facts').getByText('https://orders.example/auth/callback').waitFor();

    // Plain http elsewhere than on localhost: refused, the reason next to the field.
    await uris.fill('http://orders.example/callback');
    const refused = desk.waitForResponse(isApi('PATCH', `/staff/oidc-clients/${clientId}`));
    await desk.getByRole('button', { name: 'Save the app' }).click();
    assert.equal((await refused).status(), 422);
    await desk.getByRole('alert').getByText('Please correct this field:').waitFor();
    await desk.getByRole('alert').getByText('Redirect URIs: must use https (http only on localhost)').waitFor();
    await desk.locator('#app-redirect_uris-error').getByText('Must use https (http only on localhost)').waitFor();
    assert.equal(await uris.getAttribute('aria-invalid'), 'true');
    assert.equal(await focusedId(desk), 'app-redirect_uris');
    await screenshot(desk, 'staff-app-error');
    const kept = await portal.staff('GET', `/staff/oidc-clients/${clientId}`);
    assert.deepEqual(kept.redirect_uris, ['https://orders.example/auth/callback', 'http://localhost:3000/callback']);
    assert.equal(kept.initiate_login_uri, 'https://orders.example/login', 'saving kept the login initiation URI');
    const texts = await Promise.all(answers);
    assert.ok(texts.length >= 4, `the console's answers about apps: ${texts.length}`);
    assert.ok(texts.every((text) => !text.includes(secret)), 'an answer after the registration holds the secret');

    // Removed after a second step: the first click only asks.
    await desk.getByRole('button', { name: 'Remove the app', exact: true }).click();
    await desk.getByText('Remove the app Orders portal? People can no longer sign in to it').waitFor();
    assert.equal(await focusedId(desk), 'app-remove-no');
    await desk.getByRole('button', { name: 'Keep the app' }).click();
    assert.equal(await desk.locator('#app-remove-confirm').isHidden(), true);
    assert.equal((await portal.call('GET', `/staff/oidc-clients/${clientId}`, { token: portal.staffToken })).status, 200);
    await desk.getByRole('button', { name: 'Remove the app', exact: true }).click();
    const removed = desk.waitForResponse(isApi('DELETE', `/staff/oidc-clients/${clientId}`));
    await desk.getByRole('button', { name: 'Yes, remove the app' }).click();
    assert.equal((await removed).status(), 204);
    await desk.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    await desk.getByRole('status').getByText('The app Orders portal is removed').waitFor();
    assert.equal(await desk.getByRole('button', { name: 'Open the app Orders portal' }).count(), 0);
    assert.equal((await portal.call('GET', `/staff/oidc-clients/${clientId}`, { token: portal.staffToken })).status, 404);

    // Without portal.clients.manage there is no Apps entry; the server refuses anyway, and
    // the view says so in a sentence if reached.
    const other = await staffDesk(t, { login: 'desk' });
    assert.equal(await other.getByRole('button', { name: 'Apps', exact: true }).count(), 0);
    assert.equal(await other.locator('#nav-apps').isHidden(), true);
    await other.evaluate(() => {
      document.getElementById('nav-apps-item').hidden = false;
    });
    await other.getByRole('button', { name: 'Apps', exact: true }).click();
    await other
      .getByRole('alert')
      .getByText('Managing apps needs the permission portal.clients.manage: ask an administrator for it.')
      .waitFor();
    await other.getByRole('heading', { name: 'Access requests' }).waitFor();
    const forbidden = await other.evaluate(async () => {
      const body = JSON.stringify({ name: 'Sneaky', redirect_uris: ['https://sneaky.example/cb'] });
      const headers = { 'content-type': 'application/json' };
      return (await fetch('/staff/oidc-clients', { method: 'POST', headers, body })).status;
    });
    assert.equal(forbidden, 403);
  });

  it('show a friendly page for an invalid or used link, never an error dump', async (t) => {
    const { newPage } = await person(t, { viewport: PHONE });
    const page = await newPage();

    const lookedUp = page.waitForResponse(isApi('POST', '/invitations/lookup'));
    await page.goto(portal.url('/welcome#token=this-is-not-a-real-invitation-token'));
    assert.equal((await lookedUp).status(), 410);
    await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();
    await page.getByText('ask the person who invited you').waitFor();
    assert.equal(new URL(page.url()).hash, '');
    const text = await page.locator('main').innerText();
    for (const leak of ['invitation_invalid', '410', 'Error', 'undefined', 'stack']) {
      assert.ok(!text.includes(leak), `the page shows ${leak}: ${text}`);
    }
    await screenshot(page, 'welcome-invalid');

    // No token at all.
    await page.goto(portal.url('/welcome'));
    await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();

    // A reset link that does not work says so once the new password is sent.
    await page.goto(portal.url('/reset#token=this-is-not-a-real-reset-token'));
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    const completed = page.waitForResponse(isApi('POST', '/password-resets/complete'));
    await page.getByRole('button', { name: 'Change my password' }).click();
    assert.equal((await completed).status(), 410);
    await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();
  });

  it('let a person reset a forgotten password through the emailed link', async (t) => {
    const { newPage } = await person(t, { viewport: PHONE });
    const page = await newPage();
    const email = uniqueEmail('rear.admiral');
    const link = await portal.invited(email);
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();

    await page.goto(portal.url('/reset'));
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const reset = (await portal.email(email, 'password_reset')).text.match(/https?:\/\/\S+\/reset#token=[A-Za-z0-9_-]+/)[0];
    // Opened in the tab that asked for it: only the fragment changes.
    await page.goto(reset);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.equal(new URL(page.url()).hash, '');
    const fresh = 'saffron ladder quietly 77 orbit';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Change my password' }).click();
    await page.getByRole('heading', { name: 'Your password was changed' }).waitFor();
    await page.getByRole('link', { name: 'Log in' }).last().click();
    await page.getByLabel('Username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Hello, Grace Hopper' }).waitFor();
  });

  it('let a keyboard alone fill in and send the registration form', async (t) => {
    const { newPage } = await person(t, { viewport: PHONE });
    const page = await newPage();
    const email = uniqueEmail('alan.turing');
    await page.goto(portal.url('/register'));

    // Tab from the top of the page to the first field: skip link, then the navigation.
    const seen = [];
    for (let presses = 0; presses < 10 && seen.at(-1) !== 'first_name'; presses += 1) {
      await page.keyboard.press('Tab');
      seen.push(await focusedId(page));
    }
    assert.equal(seen.at(-1), 'first_name', `focus went ${seen.join(' → ')}`);

    // Enter on the empty form: the problems are announced, focus lands on the first one.
    const refused = page.waitForResponse(isApi('POST', '/registrations'));
    await page.keyboard.press('Enter');
    assert.equal((await refused).status(), 422);
    const alert = page.getByRole('alert');
    for (const label of ['First name', 'Last name', 'Work email']) {
      await alert.getByText(new RegExp(`^${label}: `)).waitFor();
    }
    assert.equal(await focusedId(page), 'first_name');
    assert.equal(await page.locator('#first_name').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'register-errors');

    // Type into every field in Tab order, then Enter.
    const entries = [
      ['first_name', 'Alan'],
      ['last_name', 'Turing'],
      ['email', email],
      ['phone', '+44 1908 640404'],
      ['company', 'Bletchley Park'],
    ];
    for (const [index, [id, text]] of entries.entries()) {
      if (index > 0) await page.keyboard.press('Tab');
      assert.equal(await focusedId(page), id);
      await page.keyboard.type(text);
    }
    const submitted = page.waitForResponse(isApi('POST', '/registrations'));
    await page.keyboard.press('Enter');
    assert.equal((await submitted).status(), 202);
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    assert.equal(await focusedId(page), 'code', 'focus moved to the code field');
    await page.keyboard.type(await portal.code(email));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Thank you — we will let you know' }).waitFor();
  });

  it('let staff link a suggested contact, or reject a request with a reason', async (t) => {
    const email = uniqueEmail('mary.somerville');
    const contact = await portal.staff('POST', '/staff/contacts', {
      first_name: 'Mary',
      last_name: 'Somerville',
      email,
      company: 'Royal Society',
    });
    const submitted = await portal.call('POST', '/registrations', {
      body: { first_name: 'Mary', last_name: 'Somerville', email, company: 'Royal Society' },
    });
    const id = submitted.body.registration_id;
    await portal.call('POST', `/registrations/${id}/verify`, { body: { code: await portal.code(email) } });

    const { newPage } = await person(t, { viewport: DESKTOP });
    const desk = await newPage();
    await desk.goto(portal.url('/staff'));
    await desk.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    await desk.getByLabel('Bearer token').fill(portal.staffToken);
    await desk.getByRole('button', { name: 'Use this token' }).click();
    await desk.getByRole('heading', { name: 'Access requests' }).waitFor();
    // The queue searched by company: only Mary's request of the many this run made.
    await desk.getByLabel('Name, email or company contains').fill('royal soc');
    const searched = desk.waitForResponse((r) => r.url().includes('/staff/registrations?') && r.url().includes('q=royal'));
    await desk.getByRole('button', { name: 'Show', exact: true }).click();
    await searched;
    await desk.locator('#queue-caption').getByText('1 new request').waitFor();
    assert.equal(await desk.locator('#queue-rows tr').count(), 1);
    await screenshot(desk, 'staff-queue');
    await desk.getByRole('button', { name: 'Review the request of Mary Somerville' }).click();
    await desk.getByRole('heading', { name: 'Request of Mary Somerville' }).waitFor();
    await desk.locator('#suggestions').getByText('matches by email').waitFor();
    await screenshot(desk, 'staff');
    await desk.getByRole('button', { name: `Link the contact Mary Somerville (${email})` }).click();
    await desk.getByText('The contact is linked.').waitFor();
    await desk.locator('#request-facts').getByText(contact.contact_id).waitFor();

    await desk.getByLabel('Reason for rejecting').fill('We could not confirm your company.');
    await desk.getByRole('button', { name: 'Reject' }).click();
    await desk.getByText(`Rejected. The reason was emailed to ${email}.`).waitFor();
    await desk.locator('#request-facts').getByText('rejected', { exact: true }).waitFor();
    const rejection = await portal.email(email, 'rejection');
    assert.match(rejection.text, /We could not confirm your company\./);

    // A refused token sends staff back to the form.
    await desk.evaluate(() => sessionStorage.setItem('portal.staff_token', 'not-a-token'));
    await desk.getByRole('button', { name: 'Back' }).click();
    await desk.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    await desk.getByRole('alert').getByText(/The token was refused/).waitFor();
  });

  it('let an organization administrator invite a pasted list and manage members in /org', async (t) => {
    const organization = await portal.staff('POST', '/staff/organizations', {
      name: 'Analytical Engines',
      roles: ['billing.viewer'],
    });
    const admin = uniqueEmail('augusta.king');
    await portal.staff('POST', `/staff/organizations/${organization.organization_id}/members`, {
      emails: [admin],
      org_admin: true,
    });
    const link = await portal.invitationLink(admin);

    const { newPage } = await person(t, { viewport: DESKTOP });
    const page = await newPage();
    await page.goto(link);
    await page.getByRole('group', { name: 'About you' }).waitFor();
    await page.getByLabel('First name').fill('Augusta');
    await page.getByLabel('Last name').fill('King');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.getByRole('heading', { name: 'Hello, Augusta King' }).waitFor();
    await page.getByRole('link', { name: 'manage members' }).click();
    await page.getByRole('heading', { name: 'Members of my organization' }).waitFor();

    const one = uniqueEmail('charles.babbage');
    const two = uniqueEmail('michael.faraday');
    await page.getByLabel('Email addresses').fill(`${one}, ${two}\nnot-an-address`);
    // The organization's roles are offered; the one chosen goes to everyone invited.
    await page.getByRole('group', { name: 'Roles to give them' }).getByLabel('billing.viewer').check();
    const invited = page.waitForResponse(isApi('POST', '/org/members'));
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const answer = await invited;
    assert.equal(answer.status(), 200);
    const sent = answer.request().postDataJSON();
    assert.deepEqual(sent.roles, ['billing.viewer']);
    assert.equal(sent.send_invitations, true);
    const rows = page.locator('#result-rows tr');
    await page.getByText('2 of 3 addresses invited or added.').waitFor();
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.outcome)), [
      'invited',
      'invited',
      'invalid',
    ]);
    await page.locator('#member-rows').getByText(two).waitFor();
    const twoRow = page.locator('#member-rows tr', { hasText: two });
    assert.equal(await twoRow.locator('td[data-label="Roles"]').textContent(), 'billing.viewer');
    await screenshot(page, 'org');

    await page.getByRole('button', { name: `Make administrator: ${one}` }).click();
    await page.getByText(`${one} is now an administrator.`).waitFor();
    await page.getByRole('button', { name: `Deactivate ${two}` }).click();
    await page.getByText(`${two} is deactivated`).waitFor();
    await page.getByRole('button', { name: `Reactivate ${two}` }).waitFor();
    await page.getByRole('button', { name: `Send a new invitation to ${one}` }).click();
    await page.getByText(`A new invitation was sent to ${one}`).waitFor();
  });

  it('let staff sign in with the company\'s identity provider, work in the console by its session, and sign out', async (t) => {
    const { desk, context } = await providerDesk(t);
    await signInAt(desk, 'ada');
    await desk.getByRole('heading', { name: 'Access requests' }).waitFor();
    await desk.getByText('Signed in as Ada Admin').waitFor();

    // The browser holds one HttpOnly, Secure, SameSite=Strict cookie and nothing else of
    // the sign-in: no token in storage, the sign-in's own cookie gone.
    const cookies = (await context.cookies(portal.origin)).filter((c) => c.name.startsWith('__Host-portal'));
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.secure, c.sameSite]), [
      ['__Host-portal-staff', true, true, 'Strict'],
    ]);
    assert.equal(await desk.evaluate(() => sessionStorage.length), 0);

    // A state-changing step through the console: the cookie and the page's Origin.
    await desk.getByRole('button', { name: 'Organizations', exact: true }).click();
    await desk.getByRole('heading', { name: 'Organizations', exact: true }).waitFor();
    await desk.getByLabel('Organization name').fill('Sign-in Works Ltd');
    const created = desk.waitForResponse(isApi('POST', '/staff/organizations'));
    await desk.getByRole('button', { name: 'Create the organization' }).click();
    assert.equal((await created).status(), 201);
    // The console goes on to the new organization's detail: wait, so that no load of it
    // is still on its way when the session ends below.
    await desk.getByRole('heading', { name: 'Organization Sign-in Works Ltd' }).waitFor();

    // The same cookie sent by another site's page is refused (no portal Origin).
    const forged = await portal.call('POST', '/staff/organizations', { body: { name: 'Forged' } });
    assert.equal(forged.status, 401);

    // A session that ends elsewhere (here: signed out from another tab; expiry after 30 idle
    // minutes or 8 hours answers alike, tests/sign_in.rs in portal-approval) returns the
    // console to the sign-in at its next request.
    const ended = await desk.evaluate(async () => (await fetch('/staff/logout', { method: 'POST', redirect: 'manual' })).type);
    assert.equal(ended, 'opaqueredirect');
    await desk.getByRole('button', { name: 'Users', exact: true }).click();
    await desk.getByText('Your session has ended').waitFor();
    await desk.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    // Still signed in at the provider: signing in again takes no form.
    await desk.getByRole('link', { name: 'Sign in with your company account' }).click();
    await desk.getByRole('heading', { name: 'Access requests' }).waitFor();

    // Sign out: the session ends here, then at the provider, and back to the console.
    await desk.getByRole('button', { name: 'Sign out' }).click();
    await desk.getByRole('button', { name: 'Yes, sign me out' }).click();
    await desk.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    const session = await desk.evaluate(async () => (await fetch('/staff/session')).status);
    assert.equal(session, 401);
  });

  it('refuse a replayed or foreign sign-in answer, a return address elsewhere, and staff without the permission', async (t) => {
    const { desk } = await providerDesk(t);
    let callback;
    desk.on('request', (request) => {
      if (request.url().startsWith(portal.url('/staff/callback'))) callback = request.url();
    });
    await signInAt(desk, 'ada');
    await desk.getByRole('heading', { name: 'Access requests' }).waitFor();

    // The provider's answer again, in the browser that used it: used up.
    await desk.goto(callback);
    await desk.getByText('This sign-in has expired or was already used').waitFor();
    // In another browser (an attacker who caught the URL): not that browser's sign-in.
    const stranger = await (await person(t, { provider: idp.issuer })).newPage();
    await stranger.goto(callback);
    await stranger.getByText('began in another browser').waitFor();
    const strangerSession = await stranger.evaluate(async () => (await fetch('/staff/session')).status);
    assert.equal(strangerSession, 401);

    // A sign-in that would return to another site does not start.
    await stranger.goto(portal.url('/staff/login?return_to=https://evil.example/staff'));
    await stranger.getByText('outside the staff console').waitFor();

    // Signed in at the provider, but not staff: a clear page, no session.
    const { desk: reader, context } = await providerDesk(t);
    await signInAt(reader, 'rey');
    await reader.getByText('Your account may not use the staff console').waitFor();
    const names = (await context.cookies(portal.origin)).map((c) => c.name);
    assert.ok(!names.includes('__Host-portal-staff'), names.join());
    assert.ok(!names.includes('__Host-portal-staff-sign-in'), `the used sign-in's cookie is cleared: ${names.join()}`);
  });

  it('show the staff console in German', async (t) => {
    const organization = await portal.staff('POST', '/staff/organizations', { name: 'Noether Gesellschaft', roles: [] });
    await portal.staff('POST', `/staff/organizations/${organization.organization_id}/members`, {
      emails: [uniqueEmail('emmy.noether')],
      send_invitations: false,
    });
    await portal.staff('POST', '/staff/oidc-clients', {
      name: 'Noether Portal',
      redirect_uris: ['https://noether.example/callback'],
    });
    const { context, newPage } = await person(t, { viewport: DESKTOP });
    // Not on the first about:blank, which has no storage.
    await context.addInitScript(() => location.protocol === 'about:' || localStorage.setItem('portal.staff_lang', 'de'));
    const desk = await newPage();
    await desk.goto(portal.url('/staff'));
    await desk.getByRole('heading', { name: 'Anmeldung für Mitarbeiter' }).waitFor();
    assert.equal(await desk.evaluate(() => document.documentElement.lang), 'de');
    assert.equal(await desk.title(), 'Mitarbeiter: Zugangsanfragen — Kundenportal');
    assert.equal(await desk.getByLabel('Sprache').inputValue(), 'de');
    // English text nodes: of the page as served, those without a dictionary entry; of the
    // page now, visible ones still in English (data such as names never is a key).
    const english = (served) =>
      desk.evaluate(async (served) => {
        const { german } = await import('/assets/staff-i18n.js');
        const doc = served ? new DOMParser().parseFromString(await (await fetch('/staff')).text(), 'text/html') : document;
        const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
        const left = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.nodeValue.replace(/\s+/g, ' ').trim();
          const parent = node.parentElement;
          if (!/\p{L}/u.test(text) || parent.closest('code, option[lang]')) continue;
          const known = Object.hasOwn(german, text);
          if (served ? !known : known && german[text] !== text && parent.checkVisibility()) left.push(text);
        }
        return left;
      }, served);
    assert.deepEqual(await english(true), [], 'staff.html has text the dictionary lacks');
    await desk.locator('#staff-token').fill(portal.staffToken);
    await desk.getByRole('button', { name: 'Dieses Token verwenden' }).click();
    const views = [
      [null, 'Zugangsanfragen'],
      ['Personen', 'Personen'],
      ['Benutzer', 'Portalbenutzer'],
      ['Nicht zugestellte E-Mails', 'Nicht zugestellte E-Mails'],
      ['Apps', 'Apps'],
      ['Organisationen', 'Organisationen'],
    ];
    for (const [button, heading] of views) {
      if (button) await desk.getByRole('button', { name: button, exact: true }).click();
      await desk.getByRole('heading', { name: heading, exact: true }).waitFor();
      assert.deepEqual(await english(false), [], heading);
    }
    await desk.getByLabel('Name einer Organisation beginnt mit').fill('noether');
    await desk.getByRole('button', { name: 'Organisationen anzeigen' }).click();
    await desk.getByRole('button', { name: 'Organisation Noether Gesellschaft öffnen' }).click();
    await desk.getByRole('heading', { name: 'Organisation Noether Gesellschaft' }).waitFor();
    await desk.locator('#org-member-rows').getByText('eingeladen', { exact: true }).waitFor();
    assert.deepEqual(await english(false), [], 'the organization');
    await screenshot(desk, 'staff-german');
    await desk.getByRole('button', { name: 'Apps', exact: true }).click();
    await desk.getByRole('button', { name: 'App Noether Portal öffnen' }).click();
    await desk.getByRole('heading', { name: 'App Noether Portal' }).waitFor();
    await desk.locator('#app-facts').getByText('vertraulich', { exact: true }).waitFor();
    assert.deepEqual(await english(false), [], 'an app');
    await screenshot(desk, 'staff-german-app');
  });

  it('fit every page on a phone-sized screen', async (t) => {
    const { newPage } = await person(t, { viewport: { width: 360, height: 740 } });
    const page = await newPage();
    for (const path of ['/register', '/welcome', '/login', '/reset', '/account', '/staff', '/org']) {
      await page.goto(portal.url(path));
      await page.locator('main h1:visible').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the screen`);
      await screenshot(page, `phone${path.replace('/', '-')}`);
    }
  });
});

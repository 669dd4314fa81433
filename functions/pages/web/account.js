// /account: who am I (GET /me), log out (DELETE /sessions), and the second factor: its state
// (GET /me/mfa), setting up an authenticator app (QR code and key, confirmed by a first code,
// then the recovery codes shown once), new recovery codes, and removing the app. The last
// two need a log-in within the last 5 minutes: the server refuses them otherwise, and the
// page says what to do.
//
// Passkeys (WebAuthn): the list (GET /me/passkeys), adding one (the server's creation
// options through `navigator.credentials.create`, where the browser has
// `PublicKeyCredential.parseCreationOptionsFromJSON`; the recovery codes shown once when it
// is the first second factor) and removing one (a recent log-in again).
import {
  $, busy, clearProblem, el, newPasskey, recoveryCodeItems, rowButton, say, session, showMessage, showOnly, showProblem,
  showTotpSetup, sixDigits, userApi, when,
} from '/assets/app.js';

const sections = [$('loading'), $('account'), $('signed-out')];

function signedOut() {
  session.clear();
  $('org-link').hidden = true;
  showOnly(sections, $('signed-out'), { focus: false });
}

async function load() {
  if (!session.access()) return signedOut();
  const reply = await userApi('GET', '/me');
  if (reply.status === 401) return signedOut();
  if (!reply.ok) return showProblem(reply.problem);
  const me = reply.data;
  const name = [me.first_name, me.last_name].filter(Boolean).join(' ');
  $('name').textContent = name || me.username;
  $('account-username').textContent = me.username;
  $('account-email').textContent = me.email;
  $('account-roles').textContent = me.roles.length ? me.roles.join(', ') : 'none';
  $('account-organization').textContent = me.organization_id ?? 'none';
  $('admin-note').hidden = !me.org_admin;
  $('org-link').hidden = !me.org_admin;
  showOnly(sections, $('account'), { focus: false });
  await Promise.all([loadMfa(), loadPasskeys()]);
}

$('logout').addEventListener('click', (event) => {
  busy(event.target.closest('.actions'), async () => {
    const reply = await userApi('DELETE', '/sessions');
    // Logged out either way: the tokens leave this tab even if the server is unreachable.
    signedOut();
    $('signed-out-title').textContent = 'You are logged out';
    if (!reply.ok && reply.status !== 401) showProblem(reply.problem);
    else say('You are logged out.');
    $('signed-out-title').tabIndex = -1;
    $('signed-out-title').focus();
  });
});

// ---- The second factor ----------------------------------------------------------------

const mfaMessages = {
  recent_sign_in_required:
    'For your safety, this needs a recent log-in: log out, log in again, and then do it within 5 minutes.',
  code_invalid: 'That code is not right. Enter the code your app shows for this portal now.',
  conflict: 'An authenticator app is already set up for your account.',
};

/** One of the section's panels (`setup`, `codes`, `remove`), or its buttons when `null`. */
function openPanel(name) {
  $('mfa-setup').hidden = name !== 'setup';
  $('mfa-codes').hidden = name !== 'codes';
  $('mfa-remove-confirm').hidden = name !== 'remove';
  $('mfa-actions').hidden = name !== null;
}

function focus(element) {
  element.tabIndex = -1;
  element.focus();
}

function stateText(status) {
  const passkeys = status.passkeys ?? 0;
  if (!status.totp && !passkeys) {
    return (
      'Off: you log in with your password alone. An authenticator app on your phone adds a second step, ' +
      'which keeps your account safe even if someone learns your password.'
    );
  }
  const left = status.recovery_codes_left;
  const codes = left === 1 ? '1 unused recovery code is left' : `${left} unused recovery codes are left`;
  if (!passkeys) return `On: after your password, you enter a code from your authenticator app. ${codes}.`;
  const keys = passkeys === 1 ? 'your passkey' : 'one of your passkeys';
  if (!status.totp) return `On: after your password, you use ${keys}. ${codes}.`;
  return `On: after your password, you enter a code from your authenticator app or use ${keys}. ${codes}.`;
}

/** The latest `GET /me/mfa`. */
let mfaStatus = null;

async function loadMfa() {
  const reply = await userApi('GET', '/me/mfa');
  if (!reply.ok) return failed(reply);
  const status = reply.data;
  mfaStatus = status;
  $('mfa-state').textContent = stateText(status);
  $('mfa-start').hidden = status.totp;
  // Recovery codes come with any second factor: an app or a passkey.
  $('mfa-new-codes').hidden = !status.totp && !status.passkeys;
  $('mfa-remove').hidden = !status.totp;
  return true;
}

/** Shows a refusal (an expired session signs out); false, for the caller to stop. */
function failed(reply, options = {}) {
  if (reply.status === 401) signedOut();
  else showProblem(reply.problem, { messages: mfaMessages, ...options });
  return false;
}

function showCodes(codes) {
  clearProblem();
  $('mfa-codes-list').replaceChildren(...recoveryCodeItems(codes));
  openPanel('codes');
  focus($('mfa-codes-title'));
}

/** A new secret to scan (one shown before and never confirmed is replaced). */
async function startSetup() {
  const reply = await userApi('POST', '/me/mfa/totp');
  if (!reply.ok) {
    if (reply.problem.code === 'conflict') await loadMfa();
    return failed(reply);
  }
  clearProblem();
  $('mfa-setup-form').reset();
  showTotpSetup(reply.data, $('mfa-qr'), $('mfa-secret'));
  openPanel('setup');
  focus($('mfa-setup-title'));
  return true;
}

$('mfa-start').addEventListener('click', () => busy($('mfa-actions'), startSetup));

$('mfa-cancel').addEventListener('click', () => {
  openPanel(null);
  $('mfa-qr').replaceChildren();
  $('mfa-secret').textContent = '';
  $('mfa-start').focus();
});

$('mfa-setup-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = $('mfa-setup-form');
  const field = $('mfa-code');
  const code = sixDigits(field.value);
  if (!code) return showMessage('Enter the 6 digits your authenticator app shows.', { field });
  busy(form, async () => {
    const reply = await userApi('POST', '/me/mfa/totp/confirm', { code });
    if (reply.ok) {
      $('mfa-qr').replaceChildren();
      $('mfa-secret').textContent = '';
      await loadMfa();
      return showCodes(reply.data.recovery_codes);
    }
    // The secret waited more than 30 minutes: a new one, to scan again.
    if (reply.problem.code === 'invalid_state') {
      if (await startSetup()) {
        showMessage('That QR code has expired. Scan this new one (or enter its key), then enter the code.');
      }
      return;
    }
    failed(reply, { form, field: reply.problem.code === 'code_invalid' ? field : undefined });
    field.select();
  });
});

$('mfa-codes-saved').addEventListener('click', () => {
  $('mfa-codes-list').replaceChildren();
  openPanel(null);
  say('Your second factor is on: from your next log-in, you enter a code from your app after your password.');
  focus($('mfa-title'));
});

$('mfa-new-codes').addEventListener('click', () =>
  busy($('mfa-actions'), async () => {
    const reply = await userApi('POST', '/me/mfa/recovery-codes');
    if (!reply.ok) return failed(reply);
    await loadMfa();
    showCodes(reply.data.recovery_codes);
  }),
);

// Removing takes a second click: the first only asks.
$('mfa-remove').addEventListener('click', () => {
  openPanel('remove');
  $('mfa-remove-no').focus();
});

$('mfa-remove-no').addEventListener('click', () => {
  openPanel(null);
  $('mfa-remove').focus();
});

$('mfa-remove-yes').addEventListener('click', () =>
  busy($('mfa-remove-confirm'), async () => {
    const reply = await userApi('DELETE', '/me/mfa/totp');
    openPanel(null);
    // 404: removed already (in another tab): the state below says so.
    if (!reply.ok && reply.status !== 404) {
      failed(reply);
      return $('mfa-remove').focus();
    }
    await loadMfa();
    // With a passkey left, the recovery codes stay.
    say(
      mfaStatus?.passkeys
        ? 'The authenticator app is removed. Your passkeys and recovery codes still work.'
        : 'The authenticator app is removed, and your recovery codes with it.',
    );
    focus($('mfa-title'));
  }),
);

// ---- Passkeys -------------------------------------------------------------------------

const passkeyMessages = {
  ...mfaMessages,
  recent_sign_in_required:
    'For your safety, removing a passkey needs a recent log-in: sign in again to remove it (log out, log in, ' +
    'and remove it within 5 minutes).',
  code_invalid: 'The passkey was not accepted. Please try again.',
  conflict: 'This passkey is added already, or you have the most passkeys an account may hold (10).',
};

/** Whether this browser can make a passkey from the server's JSON options. */
const passkeysWork = typeof window.PublicKeyCredential?.parseCreationOptionsFromJSON === 'function';
$('passkey-form').hidden = !passkeysWork;
$('passkeys-unsupported').hidden = passkeysWork;

/** The passkey the remove panel asks about. */
let removing = null;

function passkeyCell(label, ...content) {
  return el('td', { dataset: { label } }, ...content);
}

function passkeyRow(passkey) {
  return el(
    'tr',
    {},
    passkeyCell('Name', passkey.name),
    passkeyCell('Added', when(passkey.added_at)),
    passkeyCell('Last used', passkey.last_used_at ? when(passkey.last_used_at) : 'never'),
    passkeyCell(
      'Actions',
      rowButton('Remove', `Remove the passkey ${passkey.name}`, () => askToRemove(passkey), 'small danger'),
    ),
  );
}

async function loadPasskeys() {
  const reply = await userApi('GET', '/me/passkeys');
  if (!reply.ok) return failed(reply);
  const rows = reply.data.items.map(passkeyRow);
  $('passkey-rows').replaceChildren(...rows);
  $('passkeys-table').hidden = rows.length === 0;
  $('passkeys-empty').hidden = rows.length !== 0;
  return true;
}

const newPasskeyReasons = {
  cancelled: 'No passkey was added: it was cancelled or the time ran out. You can try again.',
  held: 'This device holds one of your passkeys already.',
  unable: 'Your browser could not make a passkey here.',
};

$('passkey-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = $('passkey-form');
  const name = $('passkey-name').value.trim();
  busy(form, async () => {
    clearProblem();
    const options = await userApi('POST', '/me/passkeys/options');
    if (!options.ok) return failed(options, { messages: passkeyMessages });
    const credential = await newPasskey(options.data.publicKey, newPasskeyReasons);
    if (!credential) return;
    const body = { credential };
    if (name) body.name = name;
    const reply = await userApi('POST', '/me/passkeys', body);
    if (!reply.ok) return failed(reply, { form, messages: passkeyMessages });
    form.reset();
    await Promise.all([loadPasskeys(), loadMfa()]);
    const added = reply.data.passkey.name;
    if (reply.data.recovery_codes) {
      clearProblem();
      $('passkey-codes-list').replaceChildren(...recoveryCodeItems(reply.data.recovery_codes));
      $('passkey-form').hidden = true;
      $('passkey-codes').hidden = false;
      focus($('passkey-codes-title'));
      return;
    }
    say(`The passkey ${added} is added: you can log in with it.`);
    focus($('passkeys-title'));
  });
});

$('passkey-codes-saved').addEventListener('click', () => {
  $('passkey-codes-list').replaceChildren();
  $('passkey-codes').hidden = true;
  $('passkey-form').hidden = !passkeysWork;
  say('Your passkey is added: log in with it alone, or use it after your password as your second factor.');
  focus($('passkeys-title'));
});

// Removing takes a second click: the first only asks.
function askToRemove(passkey) {
  removing = passkey;
  $('passkey-remove-question').textContent =
    `Remove the passkey ${passkey.name}? You can no longer log in with it (the device may still list it: ` +
    'delete it there too).';
  $('passkey-remove-confirm').hidden = false;
  $('passkey-remove-no').focus();
}

function closeRemove() {
  removing = null;
  $('passkey-remove-confirm').hidden = true;
}

$('passkey-remove-no').addEventListener('click', () => {
  closeRemove();
  $('passkeys-title').tabIndex = -1;
  $('passkeys-title').focus();
});

$('passkey-remove-yes').addEventListener('click', () =>
  busy($('passkey-remove-confirm'), async () => {
    const passkey = removing;
    if (!passkey) return closeRemove();
    const reply = await userApi('DELETE', `/me/passkeys/${encodeURIComponent(passkey.id)}`);
    closeRemove();
    // 404: removed already (in another tab): the list below says so.
    if (!reply.ok && reply.status !== 404) {
      failed(reply, { messages: passkeyMessages });
      return focus($('passkeys-title'));
    }
    await Promise.all([loadPasskeys(), loadMfa()]);
    say(`The passkey ${passkey.name} is removed.`);
    focus($('passkeys-title'));
  }),
);

load();

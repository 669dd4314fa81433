// /account: who am I (GET /me), log out (DELETE /sessions), and the second factor: its state
// (GET /me/mfa), setting up an authenticator app (QR code and key, confirmed by a first code,
// then the recovery codes shown once), new recovery codes, and removing the app. The last
// two need a log-in within the last 5 minutes: the server refuses them otherwise, and the
// page says what to do.
import {
  $, busy, clearProblem, recoveryCodeItems, say, session, showMessage, showOnly, showProblem, showTotpSetup, sixDigits,
  userApi,
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
  await loadMfa();
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
  if (!status.totp) {
    return (
      'Off: you log in with your password alone. An authenticator app on your phone adds a second step, ' +
      'which keeps your account safe even if someone learns your password.'
    );
  }
  const left = status.recovery_codes_left;
  const codes = left === 1 ? '1 unused recovery code is left' : `${left} unused recovery codes are left`;
  return `On: after your password, you enter a code from your authenticator app. ${codes}.`;
}

async function loadMfa() {
  const reply = await userApi('GET', '/me/mfa');
  if (!reply.ok) return failed(reply);
  const status = reply.data;
  $('mfa-state').textContent = stateText(status);
  $('mfa-start').hidden = status.totp;
  $('mfa-new-codes').hidden = !status.totp;
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
    say('The authenticator app is removed, and your recovery codes with it.');
    focus($('mfa-title'));
  }),
);

load();

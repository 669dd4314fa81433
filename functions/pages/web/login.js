// /login: username and password for a token pair, kept in this tab's sessionStorage. When
// an app sent the person here through the OpenID provider (`?continue=/oauth2/authorize…`),
// the same form signs in at the provider instead and goes back to the authorization.
//
// A right password may lead to a second step first: a code from the authenticator app, or
// one of the recovery codes. A member of an organization that requires a second factor,
// without one, sets up an app first (with the enrolment token the password answered) and
// sees the recovery codes once; the page then signs in again with the username and password
// typed before, which it keeps in memory only until then, and asks for a code. Where the
// browser can make passkeys (and the portal is at a domain name), a passkey may be set up
// instead, with the same token and the recovery codes shown once; the page then signs in
// with that passkey alone, or, at the OpenID provider's login (which has no passwordless
// route), with the password kept and the new passkey as the second step.
//
// Passkeys (WebAuthn, where the browser has `PublicKeyCredential.parseRequestOptionsFromJSON`):
// "Sign in with a passkey" logs in without a password (not at the OpenID provider's login,
// which has no such route), and the second step offers the person's passkey beside the
// codes; someone with passkeys and no authenticator app is offered the passkey first.
import {
  $, api, busy, clearProblem, clearStatus, newPasskey, recoveryCodeItems, say, session, showMessage, showOnly, showProblem,
  showTotpSetup, sixDigits, values,
} from '/assets/app.js';

const sections = ['password-step', 'code-step', 'enrol-step', 'codes-step'].map($);
const form = $('login-form');
const codeForm = $('code-form');
const enrolForm = $('enrol-form');
const params = new URLSearchParams(location.search);

// Only our own authorization endpoint: anything else would make this page an open redirect.
const continueTo = (() => {
  const target = params.get('continue');
  if (!target) return null;
  const url = new URL(target, location.origin);
  return url.origin === location.origin && url.pathname === '/oauth2/authorize'
    ? url.pathname + url.search
    : null;
})();

const hint = params.get('login_hint');
if (hint && !$('username').value) $('username').value = hint;
// From /welcome: the password is set, and the organization wants a second factor first.
if (params.get('setup') === 'second-factor') {
  say('Your password is set. Your organization requires a second factor: log in to set it up.');
  $('password').focus();
}

const messages = {
  invalid_credentials: 'The username or password is wrong.',
  too_many_attempts: 'Too many failed attempts: this account is locked for a while.',
  rate_limited: 'Too many attempts.',
};
/** A refused passkey; anything else (a portal at an IP address) in the server's words. */
const passkeyMessages = { ...messages, code_invalid: 'That passkey was not accepted.' };

/** Whether this browser can use a passkey with the server's JSON options. */
const passkeysWork = typeof window.PublicKeyCredential?.parseRequestOptionsFromJSON === 'function';
/**
 * Whether it can also make one, for an enrolment the organization requires: not at an IP
 * address, where WebAuthn cannot work (the server would refuse with `invalid_state` too).
 */
const passkeysCanBeMade =
  passkeysWork &&
  typeof window.PublicKeyCredential?.parseCreationOptionsFromJSON === 'function' &&
  !/^(\d{1,3}(\.\d{1,3}){3}|\[.*\])$/.test(location.hostname);

/** The second step's token (single use, 5 minutes). */
let mfaToken = null;
/** How the second step can be finished: the server's `methods`. */
let mfaMethods = [];
/** The second step's WebAuthn request options (`passkey_options.publicKey`), if usable. */
let passkeyOptions = null;
/** The enrolment step's token: the bearer of the app's setup (15 minutes). */
let enrollmentToken = null;
/** What the person typed, between an enrolment and the sign-in after it; never stored. */
let credentials = null;
/** What the enrolment set up (`totp` or `passkey`), until the sign-in after it. */
let enrolled = null;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const body = values(form);
  if (!body.username) return showMessage('Please enter your username.', { field: $('username') });
  if (!body.password) return showMessage('Please enter your password.', { field: $('password') });
  busy(form, async () => {
    const reply = await logIn(body);
    if (!reply.ok) {
      showProblem(reply.problem, { form, messages });
      $('password').select();
    }
  });
});

/** Sends the password, and follows where a right one leads. */
async function logIn(body) {
  const reply = continueTo
    ? await api('POST', '/oauth2/login', { body, cookies: true })
    : await api('POST', '/sessions', { body });
  if (!reply.ok) return reply;
  // The provider answers 204 with its cookie set, or 200 when a second step is due.
  const answer = reply.data ?? {};
  if (answer.mfa_required) askForCode(answer);
  else if (answer.mfa_enrollment_required) await enrol(answer.enrollment_token, body);
  else signedIn(answer);
  return reply;
}

function signedIn(pair) {
  credentials = null;
  enrolled = null;
  if (continueTo) {
    location.assign(continueTo);
    return;
  }
  session.save(pair);
  location.assign('/account');
}

/** Back to the password, with `message` saying why (the step under way has ended). */
function startOver(message) {
  mfaToken = null;
  passkeyOptions = null;
  enrollmentToken = null;
  credentials = null;
  enrolled = null;
  $('password').value = '';
  showOnly(sections, $('password-step'), { focus: false });
  if (message) showMessage(message);
  $('password').focus();
}

// ---- Passkeys ---------------------------------------------------------------------------

/**
 * The browser's answer to WebAuthn request options (`credential.toJSON()`), or null when
 * there is none: the person cancelled, the time ran out, or no passkey of this device is
 * for this portal. The reason is shown.
 */
async function passkeyAnswer(publicKey) {
  try {
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(publicKey),
    });
    if (credential) return credential.toJSON();
  } catch (error) {
    if (error?.name === 'NotAllowedError' || error?.name === 'AbortError') {
      showMessage(
        'No passkey was used: it was cancelled, the time ran out, or this device has no passkey for this ' +
          'portal. You can try again, or log in with your password.',
      );
      return null;
    }
  }
  showMessage('Your browser could not use a passkey here. Please log in with your password.');
  return null;
}

$('passkey-signin').hidden = !passkeysWork;

/** Signs in with a passkey alone; false when that did not happen (the reason is shown). */
async function passkeySignIn() {
  clearProblem();
  clearStatus();
  const options = await api('POST', '/sessions/passkey/options', { body: {} });
  if (!options.ok) {
    showProblem(options.problem, { messages: passkeyMessages });
    return false;
  }
  const credential = await passkeyAnswer(options.data.publicKey);
  if (!credential) return false;
  const body = { passkey_token: options.data.passkey_token, credential };
  // At the OpenID provider's login the answer is its session cookie, not a token pair.
  const reply = continueTo
    ? await api('POST', '/oauth2/login/passkey', { body, cookies: true })
    : await api('POST', '/sessions/passkey', { body });
  if (!reply.ok) {
    showProblem(reply.problem, { messages: passkeyMessages });
    return false;
  }
  signedIn(reply.data ?? {});
  return true;
}

$('passkey-login').addEventListener('click', () => busy($('password-step'), passkeySignIn));

// ---- The second step ------------------------------------------------------------------

/** A new step: the last one's messages (a wrong password before the right one) go. */
function nextStep(section, options) {
  clearProblem();
  clearStatus();
  showOnly(sections, section, options);
}

function askForCode({ mfa_token: token, methods, passkey_options: options }) {
  mfaToken = token;
  mfaMethods = methods ?? [];
  passkeyOptions = passkeysWork && mfaMethods.includes('passkey') ? options?.publicKey ?? null : null;
  codeForm.reset();
  nextStep($('code-step'), { focus: false });
  // The app's code when there is an app; else the passkey, or a recovery code without one.
  if (mfaMethods.includes('totp')) answerWith('code');
  else answerWith(passkeyOptions ? 'passkey' : 'recovery');
}

/**
 * Shows one way to finish the second step (`code`, `recovery` or `passkey`) and buttons for
 * the others the person has; focus goes to the field, or to the passkey's button.
 */
function answerWith(way) {
  const app = mfaMethods.includes('totp');
  $('code-title').textContent = way === 'passkey' ? 'Use your passkey' : 'Enter your code';
  $('passkey-lead').hidden = way !== 'passkey';
  codeForm.hidden = way === 'passkey';
  $('code-field').hidden = way !== 'code';
  $('code-lead').hidden = way !== 'code';
  $('recovery_code-field').hidden = way !== 'recovery';
  $('recovery-lead').hidden = way !== 'recovery';
  // The passkey: the step's one button when it comes first, else one of the other ways.
  $('use-passkey').hidden = !passkeyOptions;
  $('use-passkey').className = way === 'passkey' ? '' : 'secondary';
  const recovery = $('use-recovery');
  recovery.hidden = way === 'recovery' ? !app : !mfaMethods.includes('recovery_code');
  recovery.textContent = way === 'recovery' ? 'Use the code from your app instead' : 'Use a recovery code instead';
  const focus = { code: 'code', recovery: 'recovery_code', passkey: 'use-passkey' }[way];
  $(focus).focus();
}

$('use-recovery').addEventListener('click', () =>
  answerWith($('recovery_code-field').hidden || codeForm.hidden ? 'recovery' : 'code'),
);
$('start-over').addEventListener('click', () => startOver());

/** Finishes the second step with `body` (the token and one answer); the refusal is shown. */
async function finishSecondStep(body, { field, refused }) {
  const reply = continueTo
    ? await api('POST', '/oauth2/login/mfa', { body, cookies: true })
    : await api('POST', '/sessions/mfa', { body });
  if (reply.ok) {
    signedIn(reply.data ?? {});
    return true;
  }
  // Used, older than 5 minutes, or burned by 5 wrong codes: only the password starts anew.
  if (reply.status === 401) {
    startOver('This log-in has expired. Please enter your password again.');
    return true;
  }
  const wrong = reply.problem.code === 'code_invalid';
  showProblem(reply.problem, {
    form: field ? codeForm : undefined,
    field: wrong ? field : undefined,
    messages: { ...messages, code_invalid: refused },
  });
  return false;
}

/** Finishes the second step with the person's passkey (a refusal is shown). */
async function usePasskey() {
  clearProblem();
  const credential = await passkeyAnswer(passkeyOptions);
  if (!credential) return;
  await finishSecondStep({ mfa_token: mfaToken, credential }, { refused: 'That passkey was not accepted.' });
}

$('use-passkey').addEventListener('click', () => busy($('code-step'), usePasskey));

codeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const recovery = !$('recovery_code-field').hidden;
  const field = recovery ? $('recovery_code') : $('code');
  const body = { mfa_token: mfaToken };
  if (recovery) {
    body.recovery_code = field.value.trim();
    if (!body.recovery_code) return showMessage('Please enter one of your recovery codes.', { field });
  } else {
    body.code = sixDigits(field.value);
    if (!body.code) return showMessage('Enter the 6 digits your authenticator app shows.', { field });
  }
  busy(codeForm, async () => {
    const done = await finishSecondStep(body, {
      field,
      refused: recovery
        ? 'That is not one of your recovery codes, or it was used already.'
        : 'That code is not right. Enter the code your app shows for this portal now.',
    });
    if (!done) field.select();
  });
});

// ---- Setting up a second factor (the organization requires one) -----------------------

const enrolPasskeyForm = $('enrol-passkey-form');

/** What the codes step says the codes are for, by what was set up. */
const codesLeads = {
  totp:
    'Your authenticator app is set up. If you ever lose your phone, each of these codes lets you log in once ' +
    'instead of a code from the app.',
  passkey:
    'Your passkey is set up. If you ever lose it, each of these codes lets you log in once after your password ' +
    'instead.',
};

/** Shows a new secret to scan; false when there is none (the reason is shown). */
async function enrol(token, body) {
  enrollmentToken = token;
  credentials = body;
  const reply = await api('POST', '/me/mfa/totp', { token });
  if (!reply.ok) {
    if (reply.status === 401) startOver('This log-in has expired. Please enter your password again.');
    else showProblem(reply.problem);
    return false;
  }
  enrolForm.reset();
  enrolPasskeyForm.reset();
  // A passkey instead of the app, where this browser can make one here.
  $('enrol-passkey').hidden = !passkeysCanBeMade;
  showTotpSetup(reply.data, $('enrol-qr'), $('enrol-secret'));
  nextStep($('enrol-step'));
  return true;
}

/** The recovery codes of a first second factor, shown once; `factor` is what was set up. */
function showRecoveryCodes(factor, codes) {
  enrollmentToken = null;
  enrolled = factor;
  $('codes-lead').textContent = codesLeads[factor];
  $('codes-list').replaceChildren(...recoveryCodeItems(codes));
  nextStep($('codes-step'));
}

enrolForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const field = $('enrol-code');
  const code = sixDigits(field.value);
  if (!code) return showMessage('Enter the 6 digits your authenticator app shows.', { field });
  busy(enrolForm, async () => {
    const reply = await api('POST', '/me/mfa/totp/confirm', { body: { code }, token: enrollmentToken });
    if (reply.ok) return showRecoveryCodes('totp', reply.data.recovery_codes);
    if (reply.status === 401) {
      return startOver('Setting up took too long. Please enter your password again to start over.');
    }
    // The secret waited more than 30 minutes: a new one, to scan again.
    if (reply.problem.code === 'invalid_state') {
      if (await enrol(enrollmentToken, credentials)) {
        showMessage('That QR code has expired. Scan this new one (or enter its key), then enter the code.');
      }
      return;
    }
    showProblem(reply.problem, {
      form: enrolForm,
      field: reply.problem.code === 'code_invalid' ? field : undefined,
      messages: {
        code_invalid: 'That code is not right. Enter the code your app shows for this portal now.',
      },
    });
    field.select();
  });
});

// A passkey instead of the app: the server's creation options, the browser's new passkey,
// and the recovery codes (it is the first second factor).

const enrolPasskeyMessages = {
  code_invalid: 'The passkey was not accepted. Please try again.',
  conflict: 'This passkey is set up already.',
};

const enrolPasskeyReasons = {
  cancelled:
    'No passkey was set up: it was cancelled or the time ran out. You can try again, or set up an ' +
    'authenticator app instead.',
  held: 'This device holds a passkey for your account already.',
  unable: 'Your browser could not make a passkey here. Please set up an authenticator app instead.',
};

enrolPasskeyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('enrol-passkey-name').value.trim();
  busy(enrolPasskeyForm, async () => {
    clearProblem();
    clearStatus();
    const expired = 'Setting up took too long. Please enter your password again to start over.';
    // At an IP address the server refuses (`invalid_state`): its words say why.
    const options = await api('POST', '/me/passkeys/options', { token: enrollmentToken });
    if (!options.ok) {
      if (options.status === 401) return startOver(expired);
      return showProblem(options.problem, { messages: enrolPasskeyMessages });
    }
    const credential = await newPasskey(options.data.publicKey, enrolPasskeyReasons);
    if (!credential) return;
    const body = { credential };
    if (name) body.name = name;
    const reply = await api('POST', '/me/passkeys', { body, token: enrollmentToken });
    if (!reply.ok) {
      if (reply.status === 401) return startOver(expired);
      return showProblem(reply.problem, { form: enrolPasskeyForm, messages: enrolPasskeyMessages });
    }
    if (reply.data.recovery_codes) return showRecoveryCodes('passkey', reply.data.recovery_codes);
    // No codes (a factor was there already): straight on to the sign-in.
    enrollmentToken = null;
    enrolled = 'passkey';
    await signInAfterPasskey();
  });
});

/**
 * The sign-in after a passkey was set up: with it alone, at the portal's login and at the
 * provider's. Where that does not finish, the password step stays, with the reason.
 */
async function signInAfterPasskey() {
  credentials = null;
  enrolled = null;
  if (!(await passkeySignIn())) {
    // The alert says why; the password step offers the passkey, and the password.
    showOnly(sections, $('password-step'), { focus: false });
    $('password').value = '';
    $('passkey-login').focus();
  }
}

$('codes-saved').addEventListener('click', () =>
  busy($('codes-step'), async () => {
    $('codes-list').replaceChildren();
    if (enrolled === 'passkey') return signInAfterPasskey();
    const reply = await logIn(credentials);
    credentials = null;
    if (!reply.ok) {
      startOver();
      return showProblem(reply.problem, { messages });
    }
    // The code that confirmed the app is spent: a sign-in needs the app's next one.
    if (reply.data?.mfa_required) {
      say('Your app is set up. Wait until it shows a new code, then enter that one: each code works once.');
    }
  }),
);

// /login: username and password for a token pair, kept in this tab's sessionStorage. When
// an app sent the person here through the OpenID provider (`?continue=/oauth2/authorize…`),
// the same form signs in at the provider instead and goes back to the authorization.
//
// A right password may lead to a second step first: a code from the authenticator app, or
// one of the recovery codes. A member of an organization that requires a second factor,
// without one, sets up an app first (with the enrolment token the password answered) and
// sees the recovery codes once; the page then signs in again with the username and password
// typed before, which it keeps in memory only until then, and asks for a code.
import {
  $, api, busy, clearProblem, clearStatus, recoveryCodeItems, say, session, showMessage, showOnly, showProblem,
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

/** The second step's token (single use, 5 minutes). */
let mfaToken = null;
/** The enrolment step's token: the bearer of the app's setup (15 minutes). */
let enrollmentToken = null;
/** What the person typed, between an enrolment and the sign-in after it; never stored. */
let credentials = null;

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
  enrollmentToken = null;
  credentials = null;
  $('password').value = '';
  showOnly(sections, $('password-step'), { focus: false });
  if (message) showMessage(message);
  $('password').focus();
}

// ---- The second step ------------------------------------------------------------------

/** A new step: the last one's messages (a wrong password before the right one) go. */
function nextStep(section, options) {
  clearProblem();
  clearStatus();
  showOnly(sections, section, options);
}

function askForCode({ mfa_token: token, methods }) {
  mfaToken = token;
  codeForm.reset();
  $('use-recovery').hidden = !methods?.includes('recovery_code');
  nextStep($('code-step'), { focus: false });
  useRecoveryCode(false);
}

/** Switches between the app's code and a recovery code; focus goes to the field shown. */
function useRecoveryCode(recovery) {
  $('code-field').hidden = recovery;
  $('code-lead').hidden = recovery;
  $('recovery_code-field').hidden = !recovery;
  $('recovery-lead').hidden = !recovery;
  $('use-recovery').textContent = recovery ? 'Use the code from your app instead' : 'Use a recovery code instead';
  $(recovery ? 'recovery_code' : 'code').focus();
}

$('use-recovery').addEventListener('click', () => useRecoveryCode($('recovery_code-field').hidden));
$('start-over').addEventListener('click', () => startOver());

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
    const reply = continueTo
      ? await api('POST', '/oauth2/login/mfa', { body, cookies: true })
      : await api('POST', '/sessions/mfa', { body });
    if (reply.ok) return signedIn(reply.data ?? {});
    // Used, older than 5 minutes, or burned by 5 wrong codes: only the password starts anew.
    if (reply.status === 401) return startOver('This log-in has expired. Please enter your password again.');
    const wrong = reply.problem.code === 'code_invalid';
    showProblem(reply.problem, {
      form: codeForm,
      field: wrong ? field : undefined,
      messages: {
        ...messages,
        code_invalid: recovery
          ? 'That is not one of your recovery codes, or it was used already.'
          : 'That code is not right. Enter the code your app shows for this portal now.',
      },
    });
    field.select();
  });
});

// ---- Setting up an authenticator app (the organization requires one) ------------------

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
  showTotpSetup(reply.data, $('enrol-qr'), $('enrol-secret'));
  nextStep($('enrol-step'));
  return true;
}

enrolForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const field = $('enrol-code');
  const code = sixDigits(field.value);
  if (!code) return showMessage('Enter the 6 digits your authenticator app shows.', { field });
  busy(enrolForm, async () => {
    const reply = await api('POST', '/me/mfa/totp/confirm', { body: { code }, token: enrollmentToken });
    if (reply.ok) {
      enrollmentToken = null;
      $('codes-list').replaceChildren(...recoveryCodeItems(reply.data.recovery_codes));
      nextStep($('codes-step'));
      return;
    }
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

$('codes-saved').addEventListener('click', () =>
  busy($('codes-step'), async () => {
    $('codes-list').replaceChildren();
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

// /welcome#token=…: the invitation landing. Looks the token up, asks a person known by name
// alone for an address and the code mailed to it, asks the person to confirm their name
// and phone (or to give their name, when the invitation lacks it), sets the password and
// logs the person in. A link that names an app (`?client_id=`) then signs the person in at
// the OpenID provider too and sends them on to the app, which signs them in without a form.
import { $, api, appOfLink, busy, say, session, showMessage, showOnly, showProblem, takeFragmentToken, values } from '/assets/app.js';
import { lengthProblem, watchPassword } from '/assets/password.js';

// The token leaves the address bar at once; this tab keeps it until it is used, so a
// reload still works.
const KEY = 'portal.invitation';
const sections = [$('loading'), $('setup'), $('invalid')];
const form = $('setup-form');
const password = $('password');

const messages = {
  password_rejected: (problem) => `Please choose another password: ${problem.detail}`,
  code_invalid: () => 'That code is not the one we sent, or it has expired. Check the email, or send a new code.',
};

watchPassword(password, $('password-rules'), $('show-password'));

/** What the person signs in with: the invitation's username, or the address they confirm. */
let username = '';

function invalid() {
  sessionStorage.removeItem(KEY);
  showOnly(sections, $('invalid'));
}

async function start() {
  const fresh = takeFragmentToken();
  if (fresh) sessionStorage.setItem(KEY, fresh);
  const token = sessionStorage.getItem(KEY);
  if (!token) return invalid();

  const reply = await api('POST', '/invitations/lookup', { body: { token } });
  if (reply.status === 410 || reply.status === 404 || reply.status === 422) return invalid();
  if (!reply.ok) return showProblem(reply.problem);

  const invitation = reply.data;
  username = invitation.username ?? '';
  $('username').textContent = invitation.username ?? '';
  // Known by name alone: the address they confirm becomes their username.
  $('username-known').hidden = invitation.needs_email;
  $('username-asked').hidden = !invitation.needs_email;
  $('email-step').hidden = !invitation.needs_email;
  $('email').required = invitation.needs_email;
  $('email_code').required = invitation.needs_email;
  $('greeting-name').textContent = invitation.first_name ? `, ${invitation.first_name}` : '';
  // The person confirms (or corrects) their name and phone, unless staff chose not to
  // ask; a name nobody knows yet is asked for either way.
  const asked = invitation.needs_profile || invitation.confirm_contact_data;
  const profile = $('profile');
  profile.hidden = !asked;
  for (const name of ['profile-first_name', 'profile-last_name']) {
    $(name).required = asked;
  }
  $('profile-first_name').value = invitation.first_name ?? '';
  $('profile-last_name').value = invitation.last_name ?? '';
  $('profile-phone').value = invitation.phone ?? '';
  showOnly(sections, $('setup'));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = sessionStorage.getItem(KEY);
  if (!token) return invalid();
  const tooLong = lengthProblem(password.value);
  if (tooLong) return showMessage(tooLong, { field: password });

  const body = { token, password: password.value };
  if (!$('email-step').hidden) {
    body.email_code = $('email_code').value.trim();
    if (!/^[0-9]{6}$/.test(body.email_code)) {
      return showMessage('Enter the 6 digits from the email we sent you.', { field: $('email_code') });
    }
  }
  if (!$('profile').hidden) {
    const fields = values(form);
    body.profile = {
      first_name: fields['profile.first_name'] ?? '',
      last_name: fields['profile.last_name'] ?? '',
      phone: fields['profile.phone'],
    };
  }
  busy(form, async () => {
    const reply = await api('POST', '/invitations/accept', { body });
    if (reply.status === 410) return invalid();
    if (!reply.ok) {
      const field = reply.problem.code === 'password_rejected' ? password : undefined;
      return showProblem(reply.problem, { form, messages, field });
    }
    sessionStorage.removeItem(KEY);
    if (reply.data.mfa_enrollment_required) {
      // The organization wants a second factor before any session: the login page sets
      // one up (it has the steps), with the new password.
      const login = new URLSearchParams({ login_hint: username || $('email').value.trim(), setup: 'second-factor' });
      return location.replace(`/login?${login}`);
    }
    session.save(reply.data);
    const app = appOfLink();
    if (app) {
      const signIn = {
        username: username || $('email').value.trim(),
        password: password.value,
      };
      const provider = await api('POST', '/oauth2/login', { body: signIn, cookies: true });
      if (provider.ok) return location.replace(`/oauth2/initiate?client_id=${app}`);
    }
    location.replace('/account');
  });
});

$('send-code').addEventListener('click', () => {
  const token = sessionStorage.getItem(KEY);
  if (!token) return invalid();
  const email = $('email');
  if (!email.value.trim()) return showMessage('Enter your email address first.', { field: email });
  busy(form, async () => {
    const reply = await api('POST', '/invitations/email', { body: { token, email: email.value.trim() } });
    if (reply.status === 410) return invalid();
    if (!reply.ok) return showProblem(reply.problem, { form });
    say(`We sent a code to ${email.value.trim()}. Enter it below.`);
    $('email_code').focus();
  });
});

// A link opened in a tab already on /welcome changes only the fragment.
window.addEventListener('hashchange', () => {
  if (new URLSearchParams(location.hash.slice(1)).has('token')) {
    form.reset();
    password.dispatchEvent(new Event('input'));
    showOnly(sections, $('loading'), { focus: false });
    start();
  }
});

start();

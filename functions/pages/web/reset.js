// /reset: ask for a reset link; /reset#token=…: choose the new password.
import { $, api, appOfLink, busy, showMessage, showOnly, showProblem, takeFragmentToken, values } from '/assets/app.js';
import { lengthProblem, watchPassword } from '/assets/password.js';

const KEY = 'portal.reset';
const sections = ['request', 'sent', 'choose', 'changed', 'invalid'].map($);
const requestForm = $('request-form');
const chooseForm = $('choose-form');
const password = $('password');

const messages = {
  password_rejected: (problem) => `Please choose another password: ${problem.detail}`,
};

requestForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const body = values(requestForm);
  if (!body.email) return showMessage('Please enter your email address.', { field: $('email') });
  busy(requestForm, async () => {
    const reply = await api('POST', '/password-resets', { body });
    if (!reply.ok) return showProblem(reply.problem, { form: requestForm });
    $('sent-email').textContent = body.email.trim();
    showOnly(sections, $('sent'));
  });
});

chooseForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = sessionStorage.getItem(KEY);
  if (!token) return showOnly(sections, $('invalid'));
  const tooLong = lengthProblem(password.value);
  if (tooLong) return showMessage(tooLong, { field: password });
  busy(chooseForm, async () => {
    const reply = await api('POST', '/password-resets/complete', {
      body: { token, password: password.value },
    });
    if (reply.status === 410) {
      sessionStorage.removeItem(KEY);
      return showOnly(sections, $('invalid'));
    }
    if (!reply.ok) {
      const field = reply.problem.code === 'password_rejected' ? password : undefined;
      return showProblem(reply.problem, { form: chooseForm, messages, field });
    }
    sessionStorage.removeItem(KEY);
    // A link that names an app: logging in goes through that app (which sends the person
    // to our login page and back to it, signed in).
    const app = appOfLink();
    if (app) $('changed-login').href = `/oauth2/initiate?client_id=${app}`;
    showOnly(sections, $('changed'));
  });
});

function choose() {
  showOnly(sections, $('choose'), { focus: false });
  password.focus();
}

// The token leaves the address bar at once; this tab keeps it for a reload until it is
// used. Coming back to /reset later starts with the request form again.
const fresh = takeFragmentToken();
const reloaded = performance.getEntriesByType('navigation')[0]?.type === 'reload';
if (fresh) sessionStorage.setItem(KEY, fresh);
else if (!reloaded) sessionStorage.removeItem(KEY);
watchPassword(password, $('password-rules'), $('show-password'));
if (sessionStorage.getItem(KEY)) choose();

// A link opened in a tab already on /reset changes only the fragment.
window.addEventListener('hashchange', () => {
  const token = takeFragmentToken();
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  chooseForm.reset();
  password.dispatchEvent(new Event('input'));
  choose();
});

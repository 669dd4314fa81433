// /login: username and password for a token pair, kept in this tab's sessionStorage. When
// an app sent the person here through the OpenID provider (`?continue=/oauth2/authorize…`),
// the same form signs in at the provider instead and goes back to the authorization.
import { $, api, busy, session, showMessage, showProblem, values } from '/assets/app.js';

const form = $('login-form');
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

const messages = {
  invalid_credentials: 'The username or password is wrong.',
  too_many_attempts: 'Too many failed attempts: this account is locked for a while.',
  rate_limited: 'Too many attempts.',
};

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const body = values(form);
  if (!body.username) return showMessage('Please enter your username.', { field: $('username') });
  if (!body.password) return showMessage('Please enter your password.', { field: $('password') });
  busy(form, async () => {
    const reply = continueTo
      ? await api('POST', '/oauth2/login', { body, cookies: true })
      : await api('POST', '/sessions', { body });
    if (!reply.ok) {
      showProblem(reply.problem, { form, messages });
      $('password').select();
      return;
    }
    if (continueTo) {
      location.assign(continueTo);
      return;
    }
    session.save(reply.data);
    location.assign('/account');
  });
});

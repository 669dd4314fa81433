// /login: username and password for a token pair, kept in this tab's sessionStorage.
import { $, api, busy, session, showMessage, showProblem, values } from '/assets/app.js';

const form = $('login-form');

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
    const reply = await api('POST', '/sessions', { body });
    if (!reply.ok) {
      showProblem(reply.problem, { form, messages });
      $('password').select();
      return;
    }
    session.save(reply.data);
    location.assign('/account');
  });
});

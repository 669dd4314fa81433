// /register: the public form, then the emailed code, then "we will let you know".
import { $, api, browserLocale, busy, clearProblem, clearStatus, say, showMessage, showOnly, showProblem, values } from '/assets/app.js';

const KEY = 'portal.registration';
const steps = [$('step-details'), $('step-code'), $('step-done')];
const detailsForm = $('details-form');
const codeForm = $('code-form');

const messages = {
  code_invalid: 'That code is wrong or has expired. Check the newest email, or ask for a new code.',
  too_many_attempts: 'Too many wrong codes: this code no longer works. Ask for a new code.',
  rate_limited: 'Too many requests for this address.',
  invalid_state: 'This request is already confirmed.',
  not_found: 'We could not find this request any more (unconfirmed requests expire after a day). Please start over.',
};

/** The request waiting for its code survives a reload of this tab. */
function pending() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}

function toCodeStep(request, focus = true) {
  $('code-email').textContent = request.email;
  showOnly(steps, $('step-code'), { focus: false });
  if (focus) $('code').focus();
}

detailsForm.addEventListener('submit', (event) => {
  event.preventDefault();
  busy(detailsForm, async () => {
    const body = values(detailsForm);
    const locale = browserLocale();
    if (locale) body.locale = locale;
    const reply = await api('POST', '/registrations', { body });
    if (!reply.ok) return showProblem(reply.problem, { form: detailsForm, messages });
    const request = { id: reply.data.registration_id, email: body.email.trim() };
    sessionStorage.setItem(KEY, JSON.stringify(request));
    codeForm.reset();
    say(`We sent a code to ${request.email}.`);
    toCodeStep(request);
  });
});

codeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const request = pending();
  if (!request) return showOnly(steps, $('step-details'));
  const code = $('code').value.replace(/\s+/g, '');
  if (!/^[0-9]{6}$/.test(code)) {
    return showMessage('The code is the six digits from the email.', { field: $('code') });
  }
  busy(codeForm, async () => {
    const reply = await api('POST', `/registrations/${encodeURIComponent(request.id)}/verify`, {
      body: { code },
    });
    if (reply.ok || reply.problem.code === 'invalid_state') return finish();
    showProblem(reply.problem, { form: codeForm, messages });
    if (['code_invalid', 'too_many_attempts'].includes(reply.problem.code)) {
      $('code').setAttribute('aria-invalid', 'true');
      $('code').select();
    }
  });
});

$('resend').addEventListener('click', async () => {
  const request = pending();
  if (!request) return showOnly(steps, $('step-details'));
  const reply = await api('POST', `/registrations/${encodeURIComponent(request.id)}/resend-code`, { body: {} });
  if (!reply.ok) return showProblem(reply.problem, { messages });
  say(`We sent a new code to ${request.email}. The old one no longer works.`);
  $('code').focus();
});

$('restart').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  detailsForm.reset();
  clearProblem();
  clearStatus();
  showOnly(steps, $('step-details'));
  $('first_name').focus();
});

function finish() {
  sessionStorage.removeItem(KEY);
  clearProblem();
  clearStatus();
  showOnly(steps, $('step-done'));
}

const request = pending();
if (request) toCodeStep(request, false);

// /staff: the review queue. A request's detail with suggested contacts, link or create the
// contact, approve with roles or reject with a reason; the contact and its portal user
// (logins, a new invitation, access information by email or as a personal link,
// deactivate, reactivate, reset the second factors). People: contacts searched by the start
// of a name, email or company, a new contact (a name is enough) and a portal user for it.
// Users, Organizations, Emails not delivered and Apps are modules of their own.
//
// Staff sign in with the company's identity provider (/staff/login): the server keeps the
// session and this page holds only its HttpOnly cookie, which `staffApi` sends. For scripts
// and local use a bearer token still works, pasted here or handed over in the fragment
// (/staff#token=…, as portal-local's banner links it); this tab keeps it in sessionStorage.
import {
  $, api, busy, clearProblem, clearStatus, el, rowButton, say, showMessage, showOnly, showPage, showProblem,
  takeFragmentToken, values,
} from '/assets/app.js';
import { setupApps } from '/assets/staff-apps.js';
import { dateText, t, translatePage, when } from '/assets/staff-i18n.js';
import { setupDeadEmails } from '/assets/staff-mail.js';
import { setupOrganizations } from '/assets/staff-orgs.js';
import { setupUsers } from '/assets/staff-users.js';

// Before anything is rendered: only the page's static English is replaced.
translatePage();

const TOKEN = 'portal.staff_token';
const views = {
  token: $('token-view'),
  queue: $('queue-view'),
  people: $('people-view'),
  users: $('users-view'),
  orgs: $('orgs-view'),
  org: $('org-view'),
  mail: $('mail-view'),
  apps: $('apps-view'),
  app: $('app-view'),
  request: $('request-view'),
  contact: $('contact-view'),
  user: $('user-view'),
};
const enc = encodeURIComponent;

const messages = {
  contact_required: t('Link a contact to this request before approving it.'),
  invalid_state: (problem) => t('Not possible in the current state: {detail}', { detail: problem.detail }),
  forbidden: (problem) => t('You lack a permission: {detail}', { detail: problem.detail }),
  // app.js's own lead for field errors, in the console's language.
  validation_failed: (problem) => {
    const count = problem.errors?.length ?? 0;
    if (count === 0) return problem.detail ?? problem.title;
    return count === 1 ? t('Please correct this field:') : t('Please correct these {count} fields:', { count });
  },
};

/** How the console names what a user's sign-in can be finished with. */
const FACTORS = { totp: 'authenticator app', passkey: 'passkeys', recovery_code: 'recovery codes' };

/** A state word of the server (`pending_verification`) as the console shows it. */
function word(state) {
  return t(String(state).replace(/_/g, ' '));
}

// ---- Signing in -----------------------------------------------------------------------

function sessionLine(session) {
  const time = dateText(session.expires_at);
  return t('Signed in as {name}; the session ends at {time} unless you keep working.', {
    name: session.name ?? session.subject,
    time,
  });
}

function tokenLine(who) {
  const until = who.exp ? t(', until {time}', { time: dateText(who.exp * 1000) }) : '';
  return t('Signed in as {name} with a token{until}.', { name: who.name ?? who.sub ?? t('staff'), until });
}

/** The signed-in staff member as `/staff/session` names them; null with a token instead. */
let staffSession = null;

function token() {
  return sessionStorage.getItem(TOKEN);
}

function signedIn() {
  return staffSession !== null || token() !== null;
}

/** What the token says about its holder (display only: the server verifies it). */
function claims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

/** The sign-in view; `message` says why, next to the token field when the token is why. */
function showTokenView(message, { aboutToken = true } = {}) {
  $('signed-in').hidden = true;
  $('nav-apps-item').hidden = true;
  trail.length = 0;
  current = null;
  showOnly(Object.values(views), views.token);
  if (message) showMessage(message, aboutToken ? { field: $('staff-token') } : {});
}

function enter() {
  $('who').textContent = staffSession ? sessionLine(staffSession) : tokenLine(claims(token()));
  $('sign-out-form').hidden = !staffSession;
  $('forget-token').hidden = Boolean(staffSession);
  $('signed-in').hidden = false;
  // Apps need portal.clients.manage (the server checks it too): without it, no entry.
  $('nav-apps-item').hidden = !can('portal.clients.manage');
  go('queue', loadQueue, { root: true });
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const pasted = $('staff-token').value.trim().replace(/^Bearer\s+/i, '');
  if (!pasted) return showMessage(t('Paste a token first.'), { field: $('staff-token') });
  sessionStorage.setItem(TOKEN, pasted);
  $('token-form').reset();
  clearProblem();
  enter();
});

$('forget-token').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  showTokenView();
  say(t('The token is forgotten.'));
});

/** A staff call, by the session cookie or the token; a refusal sends the person back to
 * the sign-in. */
async function staffApi(method, path, body) {
  const reply = staffSession
    ? await api(method, path, { body, cookies: true })
    : await api(method, path, { body, token: token() });
  if (reply.status === 401) {
    if (staffSession) {
      staffSession = null;
      showTokenView(t('Your session has ended (after 30 idle minutes, or 8 hours in all). Sign in again.'), {
        aboutToken: false,
      });
    } else {
      sessionStorage.removeItem(TOKEN);
      showTokenView(t('The token was refused: it has expired or is not for this portal. Paste a new one.'));
    }
  }
  // app.js's own problems (no connection, a server failure) carry no code: translate them.
  if (!reply.ok && !reply.problem.code) {
    const { title, detail } = reply.problem;
    reply.problem = { ...reply.problem, title: title && t(title), detail: detail && t(detail) };
  }
  return reply;
}

// ---- Navigation between views ---------------------------------------------------------

let current = null;
const trail = [];

/** Loads a view's data, then shows it; Back returns to the view before it, reloaded. */
async function go(name, load, { root = false } = {}) {
  clearStatus();
  if (!(await load())) return;
  if (root) trail.length = 0;
  else if (current) trail.push(current);
  current = { name, load };
  showOnly(Object.values(views), views[name]);
}

for (const button of document.querySelectorAll('[data-back]')) {
  button.addEventListener('click', async () => {
    const previous = trail.pop();
    if (!previous) return go('queue', loadQueue, { root: true });
    clearProblem();
    clearStatus();
    if (await previous.load()) {
      current = previous;
      showOnly(Object.values(views), views[previous.name]);
    }
  });
}

/** Reloads the view on show after an action changed it, keeping the trail. */
async function refresh() {
  if (current) await current.load();
}

// ---- Rendering helpers ----------------------------------------------------------------

function facts(dl, rows) {
  dl.replaceChildren(
    ...rows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value ?? '—')]),
  );
}

function badge(text) {
  return el('span', { className: 'badge' }, word(text));
}

function historyList(ul, events) {
  ul.replaceChildren(
    ...(events.length ? events : [null]).map((event) =>
      event
        ? el(
            'li',
            {},
            when(event.at),
            ` — ${t('{action} by {actor}', {
              action: word(event.action),
              actor: event.actor.name ?? event.actor.subject,
            })}`,
            event.detail ? `: ${event.detail}` : '',
          )
        : el('li', {}, t('Nothing yet.')),
    ),
  );
}

/** A table cell; `label` (English) names its column on a phone. */
function cell(label, ...content) {
  return el('td', { dataset: { label: t(label) } }, ...content);
}

// ---- The queue ------------------------------------------------------------------------

let queueCursor = null;

async function loadQueue({ more = false } = {}) {
  const status = $('queue-status').value;
  const params = new URLSearchParams({ status, limit: '50' });
  // A search reads a bounded part of the list a page: it may show fewer, with more to read.
  const search = $('queue-q').value.trim();
  if (search) params.set('q', search);
  if (more && queueCursor) params.set('cursor', queueCursor);
  const reply = await staffApi('GET', `/staff/registrations?${params}`);
  if (!reply.ok) {
    if (reply.status !== 401) showProblem(reply.problem, { form: $('queue-form'), messages });
    return false;
  }
  const rows = reply.data.items.map((item) => {
    const name = `${item.first_name} ${item.last_name}`;
    return el(
      'tr',
      {},
      cell('Name', name),
      cell('Email', item.email),
      cell('Company', item.company ?? '—'),
      cell('Received', when(item.created_at)),
      cell(
        'Action',
        rowButton(t('Review'), t('Review the request of {name}', { name }), () =>
          go('request', () => loadRequest(item.registration_id)),
        ),
      ),
    );
  });
  queueCursor = reply.data.next_cursor;
  const shown = showPage('queue', rows, queueCursor, more);
  const caption = shown === 1 ? '{count} {status} request' : '{count} {status} requests';
  $('queue-caption').textContent = t(caption, { count: shown, status: word(status) });
  return true;
}

$('queue-form').addEventListener('submit', (event) => {
  event.preventDefault();
  clearProblem();
  busy($('queue-form'), () => go('queue', loadQueue, { root: true }));
});

$('queue-more').addEventListener('click', () => loadQueue({ more: true }));

// ---- A request ------------------------------------------------------------------------

let request = null;

async function loadRequest(id) {
  const reply = await staffApi('GET', `/staff/registrations/${enc(id)}`);
  if (!reply.ok) {
    if (reply.status !== 401) showProblem(reply.problem, { messages });
    return false;
  }
  request = reply.data;
  const name = `${request.first_name} ${request.last_name}`;
  $('request-title').textContent = t('Request of {name}', { name });
  facts($('request-facts'), [
    [t('Status'), badge(request.status)],
    [t('Name'), name],
    [t('Email'), request.email],
    [t('Phone'), request.phone],
    [t('Company'), request.company],
    [t('Received'), when(request.created_at)],
    [t('Contact'), request.contact_id],
    [t('Portal user'), request.portal_user_id],
    ...(request.rejection_reason ? [[t('Rejection reason'), request.rejection_reason]] : []),
  ]);

  const canLink = request.status === 'new';
  $('request-link').hidden = !canLink;
  const suggestions = request.suggested_contacts ?? [];
  $('suggestions-none').hidden = suggestions.length > 0;
  $('suggestions').replaceChildren(
    ...suggestions.map((contact) =>
      el(
        'li',
        {},
        el('strong', {}, contact.full_name),
        ` · ${contact.email ?? t('no email')}${contact.company ? ` · ${contact.company}` : ''} `,
        el('span', { className: 'badge' }, t('matches by {match}', { match: word(contact.match) })),
        ' ',
        el(
          'button',
          {
            type: 'button',
            className: 'small',
            'aria-label': t('Link the contact {name} ({email})', {
              name: contact.full_name,
              email: contact.email ?? t('no email'),
            }),
            onclick: () => link({ contact_id: contact.contact_id }),
          },
          t('Link this contact'),
        ),
      ),
    ),
  );

  const open = request.status === 'new' || request.status === 'resolved';
  $('request-decide').hidden = !open;
  $('approve-form').hidden = request.status !== 'resolved';
  $('request-links').replaceChildren(
    ...[
      request.contact_id &&
        el(
          'button',
          { type: 'button', onclick: () => go('contact', () => loadContact(request.contact_id)) },
          t('Open the contact'),
        ),
      request.portal_user_id &&
        el(
          'button',
          { type: 'button', onclick: () => go('user', () => loadUser(request.portal_user_id)) },
          t('Open the portal user'),
        ),
    ].filter(Boolean),
  );
  historyList($('request-history'), request.history ?? []);
  return true;
}

async function link(body) {
  const reply = await staffApi('POST', `/staff/registrations/${enc(request.registration_id)}/link-contact`, body);
  if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { messages });
  await refresh();
  say(t('The contact is linked. The request can be approved now.'));
  $('approve-roles').focus();
}

$('create-contact').addEventListener('click', () => link({ create_contact: true }));

$('approve-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const fields = values(form);
  const body = {};
  const roles = (fields.roles ?? '').split(/[\s,]+/).filter(Boolean);
  if (roles.length) body.roles = roles;
  if (fields.organization_id) body.organization_id = fields.organization_id.trim();
  busy(form, async () => {
    const id = request.registration_id;
    const reply = await staffApi('POST', `/staff/registrations/${enc(id)}/approve`, body);
    if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { form, messages });
    form.reset();
    await refresh();
    const expires = reply.data.invitation?.expires_at;
    say(
      expires
        ? t('Approved. {email} was sent an invitation that works until {time}.', {
          email: request.email,
          time: dateText(expires),
        })
        : t('Approved. {email} was sent an invitation.', { email: request.email }),
    );
    $('request-title').focus();
  });
});

$('reject-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const { reason } = values(form);
  if (!reason?.trim()) return showMessage(t('Please give a reason.'), { field: $('reject-reason') });
  busy(form, async () => {
    const id = request.registration_id;
    const reply = await staffApi('POST', `/staff/registrations/${enc(id)}/reject`, { reason });
    if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { form, messages });
    form.reset();
    await refresh();
    say(t('Rejected. The reason was emailed to {email}.', { email: request.email }));
    $('request-title').focus();
  });
});

// ---- People ---------------------------------------------------------------------------

let peopleCursor = null;

$('nav-people').addEventListener('click', () => {
  if (!signedIn()) return;
  go('people', async () => true, { root: true });
});

async function searchPeople({ more = false } = {}) {
  const params = new URLSearchParams({ q: $('people-q').value, limit: '25' });
  if (more && peopleCursor) params.set('cursor', peopleCursor);
  const reply = await staffApi('GET', `/staff/contacts?${params}`);
  if (!reply.ok) {
    if (reply.status !== 401) showProblem(reply.problem, { form: $('people-search'), messages });
    return;
  }
  const rows = reply.data.items.map((contact) =>
    el(
      'tr',
      {},
      cell('Name', contact.full_name),
      cell('Email', contact.email ?? t('no email')),
      cell('Company', contact.company ?? '—'),
      cell(
        'Action',
        rowButton(t('Open'), t('Open the contact {name}', { name: contact.full_name }), () =>
          go('contact', () => loadContact(contact.contact_id)),
        ),
      ),
    ),
  );
  peopleCursor = reply.data.next_cursor;
  showPage('people', rows, peopleCursor, more);
}

$('people-search').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = $('people-q');
  if (q.value.trim().length < 2) return showMessage(t('Type at least 2 characters.'), { field: q });
  clearProblem();
  busy($('people-search'), () => searchPeople());
});
$('people-more').addEventListener('click', () => busy($('people-view'), () => searchPeople({ more: true })));

$('new-contact-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = $('new-contact-form');
  busy(form, async () => {
    const reply = await staffApi('POST', '/staff/contacts', values(form));
    if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { form, messages });
    form.reset();
    await go('contact', () => loadContact(reply.data.contact_id));
    say(t('The contact {name} is created.', { name: reply.data.full_name }));
  });
});

// ---- A contact ------------------------------------------------------------------------

let contact = null;

async function loadContact(id) {
  const reply = await staffApi('GET', `/staff/contacts/${enc(id)}`);
  if (!reply.ok) {
    if (reply.status !== 401) showProblem(reply.problem, { messages });
    return false;
  }
  contact = reply.data;
  $('contact-title').textContent = t('Contact {name}', { name: contact.full_name });
  facts($('contact-facts'), [
    [t('Name'), contact.full_name],
    [t('Email'), contact.email],
    [t('Phone'), contact.phone],
    [t('Company'), contact.company],
    [t('Created'), when(contact.created_at)],
  ]);
  showContactForm(contact);
  const user = contact.portal_user;
  $('contact-no-user').hidden = Boolean(user);
  $('contact-user').hidden = !user;
  $('contact-links').replaceChildren();
  // A person known by name alone is not invited by email: staff hand over a link.
  $('new-user-form').hidden = Boolean(user);
  $('new-user-roles-field').hidden = !can('portal.roles.assign');
  const send = $('new-user-send');
  send.disabled = !contact.email;
  send.checked = Boolean(contact.email);
  $('new-user-send-hint').textContent = contact.email
    ? t('To {email}. Unchecked: send access information later.', { email: contact.email })
    : t('This contact has no email: create the user, then get a personal link for them.');
  if (user) {
    facts($('contact-user'), [
      [t('Username'), user.username ?? t('none yet')],
      [t('Status'), badge(user.status)],
      [t('Last login'), when(user.last_login_at)],
      [t('Invitation'), invitationText(user.invitation)],
    ]);
    $('contact-links').append(
      el(
        'button',
        { type: 'button', onclick: () => go('user', () => loadUser(user.portal_user_id)) },
        t('Open the portal user'),
      ),
    );
  }
  return true;
}

const EDITABLE = ['first_name', 'last_name', 'email', 'phone', 'company', 'external_ref'];

function showContactForm(shown) {
  for (const name of EDITABLE) $(`edit-${name}`).value = shown[name] ?? '';
  // The address of a contact with a portal user is theirs to keep (their username) or to
  // confirm (a person known by name alone): the server refuses a change either way.
  const linked = Boolean(shown.portal_user);
  $('edit-email').readOnly = linked;
  $('edit-email-hint').textContent = linked
    ? t('The portal user signs in with this address or confirms their own: it is not changed here.')
    : t('Unique among contacts.');
}

$('contact-edit-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = $('contact-edit-form');
  // Only what changed is sent; a blank optional field removes it.
  const body = {};
  for (const name of EDITABLE) {
    const value = $(`edit-${name}`).value.trim();
    if (value !== (contact[name] ?? '')) body[name] = value;
  }
  if (Object.keys(body).length === 0) return say(t('Nothing changed.'));
  busy(form, async () => {
    const reply = await staffApi('PATCH', `/staff/contacts/${enc(contact.contact_id)}`, body);
    if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { form, messages });
    await refresh();
    say(t('The contact {name} is saved.', { name: reply.data.full_name }));
  });
});

$('new-user-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = $('new-user-form');
  busy(form, async () => {
    const body = { contact_id: contact.contact_id, send_invitation: $('new-user-send').checked };
    const roles = $('new-user-roles').value.split(/[\s,]+/).filter(Boolean);
    if (roles.length) body.roles = roles;
    const reply = await staffApi('POST', '/staff/portal-users', body);
    if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { form, messages });
    await go('user', () => loadUser(reply.data.portal_user_id));
    say(
      body.send_invitation
        ? t('The portal user is created and invited by email.')
        : t('The portal user is created; nothing was sent.'),
    );
  });
});

function invitationText(invitation) {
  if (!invitation) return t('none');
  const time = dateText(invitation.expires_at);
  if (invitation.status === 'pending') return t('pending, works until {time}', { time });
  if (invitation.status === 'expired') return t('expired on {time}', { time });
  return word(invitation.status);
}

// ---- A portal user --------------------------------------------------------------------

let user = null;

async function loadUser(id) {
  const reply = await staffApi('GET', `/staff/portal-users/${enc(id)}`);
  if (!reply.ok) {
    if (reply.status !== 401) showProblem(reply.problem, { messages });
    return false;
  }
  user = reply.data;
  $('user-title').textContent = t('Portal user {name}', { name: userName(user) });
  facts($('user-facts'), [
    [t('Username'), user.username ?? t('none yet')],
    [t('Status'), badge(user.status)],
    [t('Roles'), user.roles.join(', ') || t('none')],
    [t('Effective roles'), user.effective_roles.join(', ') || t('none')],
    [t('Organization'), user.organization_id],
    [t('Organization admin'), user.org_admin ? t('yes') : t('no')],
    [t('Created'), when(user.created_at)],
    [t('Last login'), when(user.last_login_at)],
    [t('Invitation'), invitationText(user.invitation)],
    [t('Second factors'), (user.second_factors ?? []).map((factor) => t(FACTORS[factor] ?? factor)).join(', ') || t('none')],
  ]);
  $('user-resend').hidden = user.status !== 'invited' || !user.email;
  $('user-access-email').hidden = user.status === 'deactivated' || !user.email;
  $('user-access-link').hidden = user.status === 'deactivated';
  $('user-link').hidden = true;
  // Roles, organization and the admin flag need portal.roles.assign (the server checks
  // it too): without it the form is not offered.
  $('user-access-form').hidden = !can('portal.roles.assign') || user.status === 'deactivated';
  $('user-roles').value = user.roles.join(', ');
  $('user-organization').value = user.organization_id ?? '';
  $('user-admin').checked = user.org_admin;
  $('user-deactivate').hidden = user.status === 'deactivated';
  $('user-reactivate').hidden = user.status !== 'deactivated';
  askToReset(false);
  const logins = user.logins ?? [];
  $('user-no-logins').hidden = logins.length > 0;
  $('user-logins').hidden = logins.length === 0;
  $('user-login-rows').replaceChildren(
    ...logins.map((login) =>
      el(
        'tr',
        {},
        cell('When', when(login.at)),
        cell('Result', login.success ? t('success') : t('failed')),
        cell('IP address', login.ip ?? '—'),
        cell('Browser', login.user_agent ?? '—'),
      ),
    ),
  );
  historyList($('user-history'), user.history ?? []);
  return true;
}

function userAction(button, path, done) {
  button.addEventListener('click', () =>
    busy(button.parentElement, async () => {
      const reply = await staffApi('POST', `/staff/portal-users/${enc(user.portal_user_id)}/${path}`, {});
      if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { messages });
      await refresh();
      say(done(reply.data));
      $('user-title').focus();
    }),
  );
}

// A person known by name alone has no username until they confirm an address.
function userName(user) {
  return user.username ?? [user.first_name, user.last_name].filter(Boolean).join(' ');
}

userAction($('user-resend'), 'invitation', (data) =>
  t('A new invitation was sent to {name}; it works until {time}. Older links no longer work.', {
    name: userName(user),
    time: dateText(data.expires_at),
  }),
);
userAction($('user-deactivate'), 'deactivate', () =>
  t('{name} is deactivated: every session has ended and any pending invitation is revoked.', { name: userName(user) }),
);
userAction($('user-reactivate'), 'reactivate', (data) =>
  t('{name} is reactivated ({status}).', { name: userName(user), status: word(data.status) }),
);

// A lost phone: every second factor removed, after a second click (the first only asks).
// Offered only when the detail lists one; the server still says so if a race removed it.
function askToReset(asking) {
  $('user-mfa-reset').hidden = asking || !user.second_factors?.length;
  $('user-mfa-confirm').hidden = !asking;
  if (!asking) return;
  $('user-mfa-question').textContent = t(
    'Reset the second factors of {name}? Their authenticator app, passkeys and recovery codes stop working: their next sign-in needs the password alone, or sets up a new second factor where their organization requires one.',
    { name: userName(user) },
  );
  $('user-mfa-no').focus();
}

$('user-mfa-reset').addEventListener('click', () => askToReset(true));
$('user-mfa-no').addEventListener('click', () => {
  askToReset(false);
  $('user-mfa-reset').focus();
});
$('user-mfa-yes').addEventListener('click', () =>
  busy($('user-mfa-confirm'), async () => {
    const name = userName(user);
    const reply = await staffApi('POST', `/staff/portal-users/${enc(user.portal_user_id)}/mfa/reset`, {});
    if (reply.status === 401) return;
    askToReset(false);
    if (!reply.ok) {
      const none = t('{name} has no second factor: there is nothing to reset.', { name });
      showProblem(reply.problem, { messages: { ...messages, invalid_state: none } });
      return $('user-mfa-reset').focus();
    }
    await refresh();
    say(
      t('The second factors of {name} are reset: their authenticator app, passkeys and recovery codes no longer work.', {
        name,
      }),
    );
    $('user-title').focus();
  }),
);

/** Whether the session or token carries `permission` (display only: the server decides). */
function can(permission) {
  const held = staffSession ? staffSession.permissions : claims(token()).permissions;
  return Array.isArray(held) && held.includes(permission);
}

$('user-access-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = $('user-access-form');
  const organization = $('user-organization').value.trim();
  const body = {
    roles: $('user-roles').value.split(/[\s,]+/).filter(Boolean),
    organization_id: organization || null,
    org_admin: $('user-admin').checked,
  };
  busy(form, async () => {
    const path = `/staff/portal-users/${enc(user.portal_user_id)}`;
    const reply = await staffApi('PATCH', path, body);
    if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { form, messages });
    await refresh();
    say(t('The access of {name} is saved; their next sign-in carries it.', { name: userName(user) }));
  });
});

function accessInfo(button, delivery, done) {
  button.addEventListener('click', () =>
    busy(button.parentElement, async () => {
      const path = `/staff/portal-users/${enc(user.portal_user_id)}/access-info`;
      const reply = await staffApi('POST', path, { delivery });
      if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { messages });
      await refresh();
      done(reply.data);
    }),
  );
}

accessInfo($('user-access-email'), 'email', (data) =>
  say(
    t('Access information was emailed to {email}; the link works until {time}. Older links no longer work.', {
      email: user.email,
      time: dateText(data.expires_at),
    }),
  ),
);
// The link is in this answer only: shown once, never stored or emailed.
accessInfo($('user-access-link'), 'link', (data) => {
  $('user-link-value').value = data.link;
  $('user-link').hidden = false;
  say(
    t('A personal link for {name} works until {time}. Older links no longer work.', {
      name: userName(user),
      time: dateText(data.expires_at),
    }),
  );
  $('user-link-value').focus();
  $('user-link-value').select();
});

$('user-link-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('user-link-value').value);
    say(t('The link is copied.'));
  } catch {
    $('user-link-value').select();
    showMessage(t('Copying is not allowed here: the link is selected, copy it with the keyboard.'));
  }
});

// ---- Users ----------------------------------------------------------------------------

const loadUsers = setupUsers({
  staffApi,
  openUser: (id) => go('user', () => loadUser(id)),
  cell,
  word,
  messages,
});

$('nav-users').addEventListener('click', () => {
  if (!signedIn()) return;
  go('users', loadUsers, { root: true });
});

// ---- Organizations --------------------------------------------------------------------

const loadOrganizations = setupOrganizations({
  staffApi,
  go,
  refresh,
  openUser: (id) => go('user', () => loadUser(id)),
  cell,
  facts,
  word,
  messages,
});

$('nav-orgs').addEventListener('click', () => {
  if (!signedIn()) return;
  go('orgs', loadOrganizations, { root: true });
});

// ---- Emails not delivered -------------------------------------------------------------

const loadDeadEmails = setupDeadEmails({ staffApi, cell, word, messages });

$('nav-mail').addEventListener('click', () => {
  if (!signedIn()) return;
  go('mail', loadDeadEmails, { root: true });
});

// ---- Apps -----------------------------------------------------------------------------

const loadApps = setupApps({ staffApi, go, cell, facts, word, messages });

$('nav-apps').addEventListener('click', () => {
  if (!signedIn()) return;
  go('apps', loadApps, { root: true });
});

// ---- Start ----------------------------------------------------------------------------

const handed = takeFragmentToken();
if (handed) sessionStorage.setItem(TOKEN, handed);
if (token()) {
  enter();
} else {
  const reply = await api('GET', '/staff/session', { cookies: true });
  if (reply.ok) {
    staffSession = reply.data;
    enter();
  } else {
    showTokenView();
  }
}

// A link opened in a tab already on /staff changes only the fragment.
window.addEventListener('hashchange', () => {
  const fresh = takeFragmentToken();
  if (!fresh) return;
  sessionStorage.setItem(TOKEN, fresh);
  clearProblem();
  enter();
});

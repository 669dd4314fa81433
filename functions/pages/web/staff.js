// /staff: the review queue. A request's detail with suggested contacts, link or create the
// contact, approve with roles or reject with a reason; the contact and its portal user
// (logins, a new invitation, access information by email or as a personal link,
// deactivate, reactivate). People: contacts searched by the start of a name, email or
// company, a new contact (a name is enough) and a portal user for it.
//
// Staff sign in with the company's identity provider (/staff/login): the server keeps the
// session and this page holds only its HttpOnly cookie, which `staffApi` sends. For scripts
// and local use a bearer token still works, pasted here or handed over in the fragment
// (/staff#token=…, as portal-local's banner links it); this tab keeps it in sessionStorage.
import {
  $, api, busy, clearProblem, clearStatus, el, rowButton, say, showMessage, showOnly, showPage, showProblem,
  takeFragmentToken, values, when,
} from '/assets/app.js';
import { setupDeadEmails } from '/assets/staff-mail.js';
import { setupOrganizations } from '/assets/staff-orgs.js';
import { setupUsers } from '/assets/staff-users.js';

const TOKEN = 'portal.staff_token';
const views = {
  token: $('token-view'),
  queue: $('queue-view'),
  people: $('people-view'),
  users: $('users-view'),
  orgs: $('orgs-view'),
  org: $('org-view'),
  mail: $('mail-view'),
  request: $('request-view'),
  contact: $('contact-view'),
  user: $('user-view'),
};
const enc = encodeURIComponent;

const messages = {
  contact_required: 'Link a contact to this request before approving it.',
  invalid_state: (problem) => `Not possible in the current state: ${problem.detail}`,
  forbidden: (problem) => `You lack a permission: ${problem.detail}`,
};

// ---- Signing in -----------------------------------------------------------------------

function sessionLine(session) {
  const idle = new Date(session.expires_at).toLocaleString();
  return `Signed in as ${session.name ?? session.subject}; the session ends at ${idle} unless you keep working.`;
}

function tokenLine(who) {
  const until = who.exp ? `, until ${new Date(who.exp * 1000).toLocaleString()}` : '';
  return `Signed in as ${who.name ?? who.sub ?? 'staff'} with a token${until}.`;
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

function showTokenView(message) {
  $('signed-in').hidden = true;
  trail.length = 0;
  current = null;
  showOnly(Object.values(views), views.token);
  if (message) showMessage(message, { field: $('staff-token') });
}

function enter() {
  $('who').textContent = staffSession ? sessionLine(staffSession) : tokenLine(claims(token()));
  $('sign-out-form').hidden = !staffSession;
  $('forget-token').hidden = Boolean(staffSession);
  $('signed-in').hidden = false;
  go('queue', loadQueue, { root: true });
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const pasted = $('staff-token').value.trim().replace(/^Bearer\s+/i, '');
  if (!pasted) return showMessage('Paste a token first.', { field: $('staff-token') });
  sessionStorage.setItem(TOKEN, pasted);
  $('token-form').reset();
  clearProblem();
  enter();
});

$('forget-token').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  showTokenView();
  say('The token is forgotten.');
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
      showTokenView('Your session has ended (after 30 idle minutes, or 8 hours in all). Sign in again.');
    } else {
      sessionStorage.removeItem(TOKEN);
      showTokenView('The token was refused: it has expired or is not for this portal. Paste a new one.');
    }
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
  return el('span', { className: 'badge' }, text.replace(/_/g, ' '));
}

function historyList(ul, events) {
  ul.replaceChildren(
    ...(events.length ? events : [null]).map((event) =>
      event
        ? el(
            'li',
            {},
            when(event.at),
            ` — ${event.action.replace(/_/g, ' ')} by ${event.actor.name ?? event.actor.subject}`,
            event.detail ? `: ${event.detail}` : '',
          )
        : el('li', {}, 'Nothing yet.'),
    ),
  );
}

function cell(label, ...content) {
  return el('td', { dataset: { label } }, ...content);
}

// ---- The queue ------------------------------------------------------------------------

let queueCursor = null;

async function loadQueue({ more = false } = {}) {
  const status = $('queue-status').value;
  const params = new URLSearchParams({ status, limit: '50' });
  if (more && queueCursor) params.set('cursor', queueCursor);
  const reply = await staffApi('GET', `/staff/registrations?${params}`);
  if (!reply.ok) {
    if (reply.status !== 401) showProblem(reply.problem, { messages });
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
        rowButton('Review', `Review the request of ${name}`, () =>
          go('request', () => loadRequest(item.registration_id)),
        ),
      ),
    );
  });
  queueCursor = reply.data.next_cursor;
  const shown = showPage('queue', rows, queueCursor, more);
  $('queue-caption').textContent = `${shown} ${status.replace(/_/g, ' ')} request${shown === 1 ? '' : 's'}`;
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
  $('request-title').textContent = `Request of ${name}`;
  facts($('request-facts'), [
    ['Status', badge(request.status)],
    ['Name', name],
    ['Email', request.email],
    ['Phone', request.phone],
    ['Company', request.company],
    ['Received', when(request.created_at)],
    ['Contact', request.contact_id],
    ['Portal user', request.portal_user_id],
    ...(request.rejection_reason ? [['Rejection reason', request.rejection_reason]] : []),
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
        ` · ${contact.email ?? 'no email'}${contact.company ? ` · ${contact.company}` : ''} `,
        badge(`matches by ${contact.match}`),
        ' ',
        el(
          'button',
          {
            type: 'button',
            className: 'small',
            'aria-label': `Link the contact ${contact.full_name} (${contact.email ?? 'no email'})`,
            onclick: () => link({ contact_id: contact.contact_id }),
          },
          'Link this contact',
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
          'Open the contact',
        ),
      request.portal_user_id &&
        el(
          'button',
          { type: 'button', onclick: () => go('user', () => loadUser(request.portal_user_id)) },
          'Open the portal user',
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
  say('The contact is linked. The request can be approved now.');
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
      `Approved. ${request.email} was sent an invitation`,
      expires ? ` that works until ${new Date(expires).toLocaleString()}.` : '.',
    );
    $('request-title').focus();
  });
});

$('reject-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const { reason } = values(form);
  if (!reason?.trim()) return showMessage('Please give a reason.', { field: $('reject-reason') });
  busy(form, async () => {
    const id = request.registration_id;
    const reply = await staffApi('POST', `/staff/registrations/${enc(id)}/reject`, { reason });
    if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { form, messages });
    form.reset();
    await refresh();
    say(`Rejected. The reason was emailed to ${request.email}.`);
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
      cell('Email', contact.email ?? 'no email'),
      cell('Company', contact.company ?? '—'),
      cell(
        'Action',
        rowButton('Open', `Open the contact ${contact.full_name}`, () =>
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
  if (q.value.trim().length < 2) return showMessage('Type at least 2 characters.', { field: q });
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
    say(`The contact ${reply.data.full_name} is created.`);
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
  $('contact-title').textContent = `Contact ${contact.full_name}`;
  facts($('contact-facts'), [
    ['Name', contact.full_name],
    ['Email', contact.email],
    ['Phone', contact.phone],
    ['Company', contact.company],
    ['Created', when(contact.created_at)],
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
    ? `To ${contact.email}. Unchecked: send access information later.`
    : 'This contact has no email: create the user, then get a personal link for them.';
  if (user) {
    facts($('contact-user'), [
      ['Username', user.username ?? 'none yet'],
      ['Status', badge(user.status)],
      ['Last login', when(user.last_login_at)],
      ['Invitation', invitationText(user.invitation)],
    ]);
    $('contact-links').append(
      el(
        'button',
        { type: 'button', onclick: () => go('user', () => loadUser(user.portal_user_id)) },
        'Open the portal user',
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
    ? 'The portal user signs in with this address or confirms their own: it is not changed here.'
    : 'Unique among contacts.';
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
  if (Object.keys(body).length === 0) return say('Nothing changed.');
  busy(form, async () => {
    const reply = await staffApi('PATCH', `/staff/contacts/${enc(contact.contact_id)}`, body);
    if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { form, messages });
    await refresh();
    say(`The contact ${reply.data.full_name} is saved.`);
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
    say(body.send_invitation ? 'The portal user is created and invited by email.' : 'The portal user is created; nothing was sent.');
  });
});

function invitationText(invitation) {
  if (!invitation) return 'none';
  const expires = new Date(invitation.expires_at).toLocaleString();
  if (invitation.status === 'pending') return `pending, works until ${expires}`;
  if (invitation.status === 'expired') return `expired on ${expires}`;
  return invitation.status;
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
  $('user-title').textContent = `Portal user ${userName(user)}`;
  facts($('user-facts'), [
    ['Username', user.username ?? 'none yet'],
    ['Status', badge(user.status)],
    ['Roles', user.roles.join(', ') || 'none'],
    ['Effective roles', user.effective_roles.join(', ') || 'none'],
    ['Organization', user.organization_id],
    ['Organization admin', user.org_admin ? 'yes' : 'no'],
    ['Created', when(user.created_at)],
    ['Last login', when(user.last_login_at)],
    ['Invitation', invitationText(user.invitation)],
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
  const logins = user.logins ?? [];
  $('user-no-logins').hidden = logins.length > 0;
  $('user-logins').hidden = logins.length === 0;
  $('user-login-rows').replaceChildren(
    ...logins.map((login) =>
      el(
        'tr',
        {},
        cell('When', when(login.at)),
        cell('Result', login.success ? 'success' : 'failed'),
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
  `A new invitation was sent to ${userName(user)}; it works until ${new Date(data.expires_at).toLocaleString()}. Older links no longer work.`,
);
userAction($('user-deactivate'), 'deactivate', () =>
  `${userName(user)} is deactivated: every session has ended and any pending invitation is revoked.`,
);
userAction($('user-reactivate'), 'reactivate', (data) =>
  `${userName(user)} is reactivated (${data.status.replace(/_/g, ' ')}).`,
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
    say(`The access of ${userName(user)} is saved; their next sign-in carries it.`);
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
  say(`Access information was emailed to ${user.email}; the link works until ${new Date(data.expires_at).toLocaleString()}. Older links no longer work.`),
);
// The link is in this answer only: shown once, never stored or emailed.
accessInfo($('user-access-link'), 'link', (data) => {
  $('user-link-value').value = data.link;
  $('user-link').hidden = false;
  say(`A personal link for ${userName(user)} works until ${new Date(data.expires_at).toLocaleString()}. Older links no longer work.`);
  $('user-link-value').focus();
  $('user-link-value').select();
});

$('user-link-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('user-link-value').value);
    say('The link is copied.');
  } catch {
    $('user-link-value').select();
    showMessage('Copying is not allowed here: the link is selected, copy it with the keyboard.');
  }
});

// ---- Users ----------------------------------------------------------------------------

const loadUsers = setupUsers({
  staffApi,
  openUser: (id) => go('user', () => loadUser(id)),
  cell,
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
  messages,
});

$('nav-orgs').addEventListener('click', () => {
  if (!signedIn()) return;
  go('orgs', loadOrganizations, { root: true });
});

// ---- Emails not delivered -------------------------------------------------------------

const loadDeadEmails = setupDeadEmails({ staffApi, cell, messages });

$('nav-mail').addEventListener('click', () => {
  if (!signedIn()) return;
  go('mail', loadDeadEmails, { root: true });
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

// /org: an organization administrator's members (logged in through /login): invite a
// pasted list with roles of the organization, now or later; promote or demote, deactivate
// or reactivate, send a new invitation.
import { $, busy, clearProblem, el, say, session, showMessage, showOnly, showProblem, userApi, when } from '/assets/app.js';

const sections = [$('loading'), $('signed-out'), $('not-admin'), $('members-view')];
const enc = encodeURIComponent;

const messages = {
  invalid_state: (problem) => `Not possible in the current state: ${problem.detail}`,
};

const OUTCOMES = {
  invited: 'Invited',
  added: 'Added',
  already_member: 'Already a member',
  invalid: 'Not invited',
};

let cursor = null;

/** Loads the members; false when this page is not for the caller (already shown why). */
async function loadMembers({ more = false } = {}) {
  const params = new URLSearchParams({ limit: '100' });
  if (more && cursor) params.set('cursor', cursor);
  const reply = await userApi('GET', `/org/members?${params}`);
  if (reply.status === 401) {
    session.clear();
    showOnly(sections, $('signed-out'), { focus: false });
    return false;
  }
  if (reply.status === 403) {
    showOnly(sections, $('not-admin'), { focus: false });
    return false;
  }
  if (!reply.ok) {
    showProblem(reply.problem, { messages });
    return false;
  }
  const rows = reply.data.items.map(memberRow);
  if (more) $('member-rows').append(...rows);
  else $('member-rows').replaceChildren(...rows);
  const shown = $('member-rows').children.length;
  $('members-caption').textContent = `${shown} member${shown === 1 ? '' : 's'}`;
  cursor = reply.data.next_cursor;
  $('members-more').hidden = !cursor;
  return true;
}

function cell(label, ...content) {
  return el('td', { dataset: { label } }, ...content);
}

function memberRow(member) {
  const who = nameOf(member);
  const action = (text, label, run, className = 'secondary') =>
    el('button', { type: 'button', className: `small ${className}`, 'aria-label': `${label} ${who}`, onclick: run }, text);
  const actions = [
    member.org_admin
      ? action('Remove admin', 'Remove the administrator role of', () => setAdmin(member, false))
      : action('Make admin', 'Make administrator:', () => setAdmin(member, true)),
    member.status === 'deactivated'
      ? action('Reactivate', 'Reactivate', () => post(member, 'reactivate', reactivated))
      : action('Deactivate', 'Deactivate', () => post(member, 'deactivate', deactivated), 'danger'),
    member.status === 'invited' &&
      action('Resend invitation', 'Send a new invitation to', () => post(member, 'invitation', reinvited)),
  ].filter(Boolean);
  const name = [member.first_name, member.last_name].filter(Boolean).join(' ');
  return el(
    'tr',
    {},
    cell('Username', who),
    cell('Name', name || '—'),
    cell('Roles', member.roles.join(', ') || '—'),
    cell('Status', el('span', { className: 'badge' }, member.status)),
    cell('Administrator', member.org_admin ? 'yes' : 'no'),
    cell('Last login', when(member.last_login_at)),
    cell('Actions', el('div', { className: 'actions' }, ...actions)),
  );
}

// A person known by name alone has no username until they confirm an address.
const nameOf = (member) => member.username ?? [member.first_name, member.last_name].filter(Boolean).join(' ');
const reactivated = (member, data) => `${nameOf(member)} is reactivated (${data.status}).`;
const deactivated = (member) => `${nameOf(member)} is deactivated: their sessions have ended.`;
const reinvited = (member, data) =>
  `A new invitation was sent to ${nameOf(member)}; it works until ${new Date(data.expires_at).toLocaleString()}.`;

async function post(member, action, done) {
  const reply = await userApi('POST', `/org/members/${enc(member.portal_user_id)}/${action}`, {});
  if (!reply.ok) return showProblem(reply.problem, { messages });
  if (await loadMembers()) say(done(member, reply.data));
}

async function setAdmin(member, org_admin) {
  const reply = await userApi('PUT', `/org/members/${enc(member.portal_user_id)}/admin`, { org_admin });
  if (!reply.ok) return showProblem(reply.problem, { messages });
  if (await loadMembers()) {
    say(org_admin ? `${nameOf(member)} is now an administrator.` : `${nameOf(member)} is no longer an administrator.`);
  }
}

$('members-more').addEventListener('click', () => loadMembers({ more: true }));

$('invite-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const emails = $('emails').value;
  if (!emails.trim()) return showMessage('Paste at least one email address.', { field: $('emails') });
  const roles = [...$('role-choices').querySelectorAll('input:checked')].map((box) => box.value);
  const send_invitations = $('send-now').checked;
  busy(form, async () => {
    const reply = await userApi('POST', '/org/members', { emails, roles, send_invitations });
    if (!reply.ok) return showProblem(reply.problem, { form, messages });
    const results = reply.data.results;
    $('result-rows').replaceChildren(
      ...results.map((row) =>
        el(
          'tr',
          { dataset: { outcome: row.outcome } },
          cell('Email', row.email),
          cell('Result', OUTCOMES[row.outcome] ?? row.outcome),
          cell('Details', row.reason ?? (row.contact_created ? 'new contact created' : '')),
        ),
      ),
    );
    $('results-table').hidden = false;
    const invited = results.filter((row) => row.outcome === 'invited' || row.outcome === 'added').length;
    $('results-caption').textContent = `Result for ${results.length} address${results.length === 1 ? '' : 'es'}`;
    form.reset();
    await loadMembers();
    clearProblem();
    say(`${invited} of ${results.length} address${results.length === 1 ? '' : 'es'} invited or added. See the result table below.`);
  });
});

/** Offers the organization's roles (what its administrators may grant) when inviting. */
async function loadRoles() {
  const reply = await userApi('GET', '/me');
  const roles = reply.ok ? reply.data.organization_roles : [];
  $('role-choices').replaceChildren(
    ...roles.map((role, index) =>
      el(
        'label',
        { className: 'check', htmlFor: `role-${index}` },
        el('input', { type: 'checkbox', id: `role-${index}`, value: role }),
        ` ${role}`,
      ),
    ),
  );
  $('invite-roles').hidden = roles.length === 0;
}

async function start() {
  if (!session.access()) return showOnly(sections, $('signed-out'), { focus: false });
  if (await loadMembers()) {
    await loadRoles();
    showOnly(sections, $('members-view'), { focus: false });
  }
}

start();

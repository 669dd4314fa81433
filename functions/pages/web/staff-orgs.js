// /staff, Organizations (Creatio's customer accounts): list and search, create, edit the
// name, account reference, roles and whether members need a second factor; the members
// with their status; add people by pasting addresses (invited now or later) or by picking
// existing contacts from a search; make a member the organization's administrator.
import { $, busy, clearProblem, el, rowButton, say, showPage, showProblem, values } from '/assets/app.js';
import { t } from '/assets/staff-i18n.js';

/** Roles typed as text: separated by commas or spaces. */
function roleList(text) {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** Addresses pasted as text: one per line, or separated by commas, semicolons or spaces. */
function addressList(text) {
  return text.split(/[\s,;]+/).filter(Boolean);
}

/**
 * Wires the two views. `go(view, load)` shows a view once `load` succeeds; `refresh()`
 * reloads the current one; `openUser(id)` shows a user; `cell` and `facts` render; `word`
 * names a server state; `messages` are the page's problem texts. Returns the list's loader.
 */
export function setupOrganizations({ staffApi, go, refresh, openUser, cell, facts, word, messages }) {
  let listCursor = null;
  let organization = null;

  const failed = (reply, form) => reply.status === 401 || showProblem(reply.problem, { form, messages });

  async function loadList({ more = false } = {}) {
    const params = new URLSearchParams({ limit: '50' });
    const q = $('orgs-q').value.trim();
    if (q) params.set('q', q);
    if (more && listCursor) params.set('cursor', listCursor);
    const reply = await staffApi('GET', `/staff/organizations?${params}`);
    if (!reply.ok) {
      if (reply.status !== 401) showProblem(reply.problem, { form: $('orgs-form'), messages });
      return false;
    }
    const rows = reply.data.items.map((org) =>
      el(
        'tr',
        {},
        cell('Name', org.name),
        cell('Account', org.account_ref ?? '—'),
        cell('Roles', org.roles.join(', ') || t('none')),
        cell(
          'Action',
          rowButton(t('Open'), t('Open the organization {name}', { name: org.name }), () => open(org.organization_id)),
        ),
      ),
    );
    listCursor = reply.data.next_cursor;
    showPage('orgs', rows, listCursor, more);
    return true;
  }

  function open(id) {
    return go('org', () => loadOrganization(id));
  }

  $('orgs-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearProblem();
    busy($('orgs-form'), () => loadList());
  });
  $('orgs-more').addEventListener('click', () => busy($('orgs-view'), () => loadList({ more: true })));

  $('new-org-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = $('new-org-form');
    const fields = values(form);
    const body = {
      name: fields.name ?? '',
      roles: roleList(fields.roles ?? ''),
      require_mfa: $('new-org-require_mfa').checked,
    };
    if (fields.account_ref) body.account_ref = fields.account_ref;
    busy(form, async () => {
      const reply = await staffApi('POST', '/staff/organizations', body);
      if (!reply.ok) return failed(reply, form);
      form.reset();
      await open(reply.data.organization_id);
      say(t('The organization {name} is created.', { name: reply.data.name }));
    });
  });

  async function loadOrganization(id) {
    const [reply, members] = await Promise.all([
      staffApi('GET', `/staff/organizations/${encodeURIComponent(id)}`),
      staffApi('GET', `/staff/portal-users?${new URLSearchParams({ organization_id: id, limit: '100' })}`),
    ]);
    for (const answer of [reply, members]) {
      if (!answer.ok) {
        if (answer.status !== 401) showProblem(answer.problem, { messages });
        return false;
      }
    }
    organization = reply.data;
    $('org-title').textContent = t('Organization {name}', { name: organization.name });
    facts($('org-facts'), [
      [t('Name'), organization.name],
      [t('Account reference'), organization.account_ref],
      [t('Roles'), organization.roles.join(', ') || t('none')],
      [t('Second factor'), organization.require_mfa ? t('required of every member') : t('not required')],
    ]);
    $('org-name').value = organization.name;
    $('org-account_ref').value = organization.account_ref ?? '';
    $('org-roles').value = organization.roles.join(', ');
    $('org-require_mfa').checked = organization.require_mfa;
    showMembers(members.data.items);
    return true;
  }

  function showMembers(members) {
    $('org-no-members').hidden = members.length > 0;
    $('org-members').hidden = members.length === 0;
    $('org-member-rows').replaceChildren(
      ...members.map((member) => {
        const who = member.username ?? [member.first_name, member.last_name].filter(Boolean).join(' ');
        const openMember = () => openUser(member.portal_user_id);
        const actions = [rowButton(t('Open'), t('Open {name}', { name: who }), openMember, 'small secondary')];
        if (!member.org_admin && member.status !== 'deactivated') {
          const label = t('Make {name} an administrator', { name: who });
          actions.push(rowButton(t('Make administrator'), label, () => promote(member, who)));
        }
        return el(
          'tr',
          {},
          cell('Member', who),
          cell('Status', word(member.status)),
          cell('Administrator', member.org_admin ? t('yes') : t('no')),
          cell('Action', ...actions),
        );
      }),
    );
  }

  function promote(member, who) {
    return busy($('org-view'), async () => {
      const reply = await staffApi('PATCH', `/staff/portal-users/${encodeURIComponent(member.portal_user_id)}`, {
        org_admin: true,
      });
      if (!reply.ok) return failed(reply);
      await refresh();
      say(t('{name} administers {organization} now.', { name: who, organization: organization.name }));
    });
  }

  $('org-edit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = $('org-edit-form');
    const fields = values(form);
    const body = {
      name: fields.name ?? '',
      roles: roleList(fields.roles ?? ''),
      require_mfa: $('org-require_mfa').checked,
    };
    if (fields.account_ref) body.account_ref = fields.account_ref;
    busy(form, async () => {
      const path = `/staff/organizations/${encodeURIComponent(organization.organization_id)}`;
      const reply = await staffApi('PATCH', path, body);
      if (!reply.ok) return failed(reply, form);
      await refresh();
      say(t('The organization is saved; its members hold its roles from their next sign-in.'));
    });
  });

  /** Adds members (`target`: `{emails}` or `{contact_ids}`) and lists one result per row. */
  async function addMembers(target, form) {
    const body = { ...target, send_invitations: $('org-send').checked };
    const path = `/staff/organizations/${encodeURIComponent(organization.organization_id)}/members`;
    const reply = await staffApi('POST', path, body);
    if (!reply.ok) return failed(reply, form);
    const results = reply.data.results;
    await refresh();
    $('org-results').replaceChildren(
      ...results.map((row) =>
        el(
          'li',
          {},
          `${row.email ?? row.contact_id}: ${word(row.outcome)}`,
          row.reason ? ` (${row.reason})` : '',
        ),
      ),
    );
    $('org-results-wrap').hidden = false;
    const added = results.filter((row) => row.outcome !== 'invalid').length;
    say(t('{added} of {total} added.', { added, total: results.length }));
    return true;
  }

  $('org-add-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = $('org-add-form');
    busy(form, async () => {
      if (await addMembers({ emails: addressList($('org-addresses').value) }, form)) form.reset();
    });
  });

  $('org-contact-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = $('org-contact-form');
    busy(form, async () => {
      const q = $('org-contact-q').value;
      const reply = await staffApi('GET', `/staff/contacts?${new URLSearchParams({ q, limit: '10' })}`);
      if (!reply.ok) return failed(reply, form);
      $('org-contact-results').replaceChildren(
        ...reply.data.items.map((contact) =>
          el(
            'li',
            {},
            `${contact.full_name} · ${contact.email ?? t('no email')} `,
            rowButton(t('Add'), t('Add the contact {name}', { name: contact.full_name }), () =>
              busy(form, () => addMembers({ contact_ids: [contact.contact_id] }, form)),
            ),
          ),
        ),
      );
      if (reply.data.items.length === 0) $('org-contact-results').append(el('li', {}, t('No contact matches.')));
    });
  });

  $('org-import-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = $('org-import-form');
    const file = $('org-import-file').files[0];
    if (!file) return showProblem({ title: t('Choose a file first.') }, { form });
    const body = new FormData();
    body.append('file', file);
    body.append('organization_id', organization.organization_id);
    body.append('send_invitations', String($('org-send').checked));
    busy(form, async () => {
      const reply = await staffApi('POST', '/staff/imports', body);
      if (!reply.ok) return failed(reply, form);
      form.reset();
      await followImport(reply.data.import_id);
    });
  });

  /** Shows an import's progress until it is done, then its invalid rows and the members. */
  async function followImport(id) {
    $('org-import').hidden = false;
    $('org-import-invalid').replaceChildren();
    for (;;) {
      const reply = await staffApi('GET', `/staff/imports/${encodeURIComponent(id)}`);
      if (!reply.ok) return failed(reply);
      const job = reply.data;
      const progress = $('org-import-progress');
      progress.max = Math.max(job.total, 1);
      progress.value = job.processed;
      const percent = Math.round((100 * job.processed) / Math.max(job.total, 1));
      $('org-import-text').textContent = t('{file}: {processed} of {total} rows ({percent} %), {status}.', {
        file: job.file_name,
        processed: job.processed,
        total: job.total,
        percent,
        status: word(job.status),
      });
      if (job.status === 'done' || job.status === 'failed') {
        const counts = job.counts;
        say(
          t('Import {status}: {invited} invited, {added} added, {already} already members, {invalid} invalid.', {
            status: word(job.status),
            invited: counts.invited,
            added: counts.added,
            already: counts.already_member,
            invalid: counts.invalid,
          }),
        );
        if (counts.invalid > 0) await showInvalidRows(id);
        await refresh();
        $('org-import').hidden = false;
        return;
      }
      await new Promise((wake) => setTimeout(wake, 500));
    }
  }

  async function showInvalidRows(id) {
    const params = new URLSearchParams({ outcome: 'invalid', limit: '100' });
    const reply = await staffApi('GET', `/staff/imports/${encodeURIComponent(id)}/rows?${params}`);
    if (!reply.ok) return failed(reply);
    $('org-import-invalid').replaceChildren(
      ...reply.data.items.map((row) => {
        const email = row.email ?? t('no email');
        return el('li', {}, t('Row {row} ({email}): {reason}', { row: row.row, email, reason: row.reason }));
      }),
    );
  }

  return loadList;
}

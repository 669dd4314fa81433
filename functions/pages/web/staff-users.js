// /staff, Users: every portal user, or those found by the start of a name, email or
// company, by status; select several and email them their access information at once
// (Creatio's "Send invites"), with one result per user.
import { $, busy, clearProblem, el, rowButton, say, showPage, showProblem } from '/assets/app.js';
import { t, when } from '/assets/staff-i18n.js';

/**
 * Wires the Users view. `staffApi` calls the API as staff; `openUser(id)` shows a user;
 * `cell(label, ...content)` makes a table cell; `word(state)` names a server state in the
 * console's language; `messages` are the page's problem texts.
 */
export function setupUsers({ staffApi, openUser, cell, word, messages }) {
  let cursor = null;
  const selected = new Map();

  function name(user) {
    return user.username ?? [user.first_name, user.last_name].filter(Boolean).join(' ');
  }

  function row(user) {
    const box = el('input', {
      type: 'checkbox',
      checked: selected.has(user.portal_user_id),
      'aria-label': t('Select {name}', { name: name(user) }),
      onchange: (event) => {
        if (event.target.checked) selected.set(user.portal_user_id, name(user));
        else selected.delete(user.portal_user_id);
        showSelection();
      },
    });
    const open = () => openUser(user.portal_user_id);
    const full = [user.first_name, user.last_name].filter(Boolean).join(' ') || '—';
    return el(
      'tr',
      {},
      cell('Select', box),
      cell('Name', full),
      cell('Username', user.username ?? t('none yet')),
      cell('Status', word(user.status)),
      cell('Last login', user.last_login_at ? when(user.last_login_at) : t('never')),
      cell('Action', rowButton(t('Open'), t('Open the portal user {name}', { name: name(user) }), open)),
    );
  }

  function showSelection() {
    const count = selected.size;
    $('users-send').disabled = count === 0;
    $('users-selected').textContent = count === 1 ? t('1 user selected.') : t('{count} users selected.', { count });
  }

  async function load({ more = false } = {}) {
    const params = new URLSearchParams({ limit: '50' });
    const q = $('users-q').value.trim();
    if (q) params.set('q', q);
    if ($('users-status').value) params.set('status', $('users-status').value);
    if (more && cursor) params.set('cursor', cursor);
    const reply = await staffApi('GET', `/staff/portal-users?${params}`);
    if (!reply.ok) {
      if (reply.status !== 401) showProblem(reply.problem, { form: $('users-form'), messages });
      return false;
    }
    cursor = reply.data.next_cursor;
    showPage('users', reply.data.items.map(row), cursor, more);
    showSelection();
    return true;
  }

  $('users-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearProblem();
    busy($('users-form'), () => load());
  });
  $('users-more').addEventListener('click', () => busy($('users-view'), () => load({ more: true })));

  $('users-send').addEventListener('click', () =>
    busy($('users-view'), async () => {
      const ids = [...selected.keys()];
      const reply = await staffApi('POST', '/staff/portal-users/access-info', {
        portal_user_ids: ids,
        delivery: 'email',
      });
      if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { messages });
      const results = reply.data.results;
      $('users-results').replaceChildren(
        ...results.map((result) =>
          el(
            'li',
            {},
            `${selected.get(result.portal_user_id) ?? result.portal_user_id}: `,
            result.outcome === 'sent'
              ? t('access information sent')
              : t('skipped ({reason})', { reason: result.reason }),
          ),
        ),
      );
      $('users-results-wrap').hidden = false;
      const sent = results.filter((result) => result.outcome === 'sent').length;
      say(t('Access information was sent to {sent} of {total} users.', { sent, total: results.length }));
      selected.clear();
      await load();
    }),
  );

  return load;
}

// /staff, Emails not delivered: the emails the mailer gave up on (to whom, what, why), each
// put back on its list with a button, or all of them at once; each requeue is recorded on
// the email.
import { $, busy, el, rowButton, say, showPage, showProblem } from '/assets/app.js';
import { t, when } from '/assets/staff-i18n.js';

/** Wires the view; returns its loader. See `setupUsers` for the arguments. */
export function setupDeadEmails({ staffApi, cell, word, messages }) {
  let cursor = null;

  async function load({ more = false } = {}) {
    const params = new URLSearchParams({ limit: '50' });
    if (more && cursor) params.set('cursor', cursor);
    const reply = await staffApi('GET', `/staff/outbox/dead?${params}`);
    if (!reply.ok) {
      if (reply.status !== 401) showProblem(reply.problem, { messages });
      return false;
    }
    const rows = reply.data.items.map((email) => {
      const kind = word(email.kind);
      return el(
        'tr',
        {},
        cell('To', email.to),
        cell('What', kind),
        cell('Written', when(email.created_at)),
        cell('Given up', when(email.died_at), ' ', t('after {count} tries', { count: email.attempts })),
        cell('Last error', email.last_error),
        cell(
          'Action',
          rowButton(t('Send again'), t('Send the {kind} to {to} again', { kind, to: email.to }), () => requeue(email)),
        ),
      );
    });
    cursor = reply.data.next_cursor;
    $('mail-all').hidden = showPage('mail', rows, cursor, more) === 0;
    return true;
  }

  function requeue(email) {
    return busy($('mail-view'), async () => {
      const reply = await staffApi('POST', `/staff/outbox/dead/${encodeURIComponent(email.id)}/requeue`, {});
      if (!reply.ok && reply.status !== 404) return reply.status === 401 || showProblem(reply.problem, { messages });
      await load();
      say(
        reply.ok
          ? t("The email to {to} is back on the mailer's list.", { to: email.to })
          : t('That email was sent again already.'),
      );
    });
  }

  $('mail-all').addEventListener('click', () =>
    busy($('mail-view'), async () => {
      const reply = await staffApi('POST', '/staff/outbox/dead/requeue', {});
      if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { messages });
      await load();
      const back = reply.data.more
        ? "{count} emails are back on the mailer's list; more are left: send again."
        : "{count} emails are back on the mailer's list.";
      say(t(back, { count: reply.data.requeued }));
    }),
  );
  $('mail-more').addEventListener('click', () => busy($('mail-view'), () => load({ more: true })));

  return load;
}

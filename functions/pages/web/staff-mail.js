// /staff, Emails not delivered: the emails the mailer gave up on (to whom, what, why), each
// put back on its list with a button, or all of them at once; each requeue is recorded on
// the email.
import { $, busy, el, rowButton, say, showPage, showProblem, when } from '/assets/app.js';

/** Wires the view; returns its loader. See `setupUsers` for the arguments. */
export function setupDeadEmails({ staffApi, cell, messages }) {
  let cursor = null;

  async function load({ more = false } = {}) {
    const params = new URLSearchParams({ limit: '50' });
    if (more && cursor) params.set('cursor', cursor);
    const reply = await staffApi('GET', `/staff/outbox/dead?${params}`);
    if (!reply.ok) {
      if (reply.status !== 401) showProblem(reply.problem, { messages });
      return false;
    }
    const rows = reply.data.items.map((email) =>
      el(
        'tr',
        {},
        cell('To', email.to),
        cell('What', email.kind.replace(/_/g, ' ')),
        cell('Written', when(email.created_at)),
        cell('Given up', `${when(email.died_at)} after ${email.attempts} tries`),
        cell('Last error', email.last_error),
        cell(
          'Action',
          rowButton('Send again', `Send the ${email.kind.replace(/_/g, ' ')} to ${email.to} again`, () =>
            requeue(email),
          ),
        ),
      ),
    );
    cursor = reply.data.next_cursor;
    $('mail-all').hidden = showPage('mail', rows, cursor, more) === 0;
    return true;
  }

  function requeue(email) {
    return busy($('mail-view'), async () => {
      const reply = await staffApi('POST', `/staff/outbox/dead/${encodeURIComponent(email.id)}/requeue`, {});
      if (!reply.ok && reply.status !== 404) return reply.status === 401 || showProblem(reply.problem, { messages });
      await load();
      say(reply.ok ? `The email to ${email.to} is back on the mailer's list.` : 'That email was sent again already.');
    });
  }

  $('mail-all').addEventListener('click', () =>
    busy($('mail-view'), async () => {
      const reply = await staffApi('POST', '/staff/outbox/dead/requeue', {});
      if (!reply.ok) return reply.status === 401 || showProblem(reply.problem, { messages });
      await load();
      say(`${reply.data.requeued} emails are back on the mailer's list${reply.data.more ? '; more are left: send again' : ''}.`);
    }),
  );
  $('mail-more').addEventListener('click', () => busy($('mail-view'), () => load({ more: true })));

  return load;
}

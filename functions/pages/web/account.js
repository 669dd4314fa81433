// /account: who am I (GET /me), and log out (DELETE /sessions).
import { $, busy, say, session, showOnly, showProblem, userApi } from '/assets/app.js';

const sections = [$('loading'), $('account'), $('signed-out')];

function signedOut() {
  session.clear();
  $('org-link').hidden = true;
  showOnly(sections, $('signed-out'), { focus: false });
}

async function load() {
  if (!session.access()) return signedOut();
  const reply = await userApi('GET', '/me');
  if (reply.status === 401) return signedOut();
  if (!reply.ok) return showProblem(reply.problem);
  const me = reply.data;
  const name = [me.first_name, me.last_name].filter(Boolean).join(' ');
  $('name').textContent = name || me.username;
  $('account-username').textContent = me.username;
  $('account-email').textContent = me.email;
  $('account-roles').textContent = me.roles.length ? me.roles.join(', ') : 'none';
  $('account-organization').textContent = me.organization_id ?? 'none';
  $('admin-note').hidden = !me.org_admin;
  $('org-link').hidden = !me.org_admin;
  showOnly(sections, $('account'), { focus: false });
}

$('logout').addEventListener('click', (event) => {
  busy(event.target.closest('.actions'), async () => {
    const reply = await userApi('DELETE', '/sessions');
    // Logged out either way: the tokens leave this tab even if the server is unreachable.
    signedOut();
    $('signed-out-title').textContent = 'You are logged out';
    if (!reply.ok && reply.status !== 401) showProblem(reply.problem);
    else say('You are logged out.');
    $('signed-out-title').tabIndex = -1;
    $('signed-out-title').focus();
  });
});

load();

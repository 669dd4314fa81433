// /staff, Apps: the company's portal apps that sign people in through the portal's OpenID
// provider (docs/oidc.md). List them, register one (a confidential app's secret is shown
// this once: the server keeps only its hash), edit its name and redirect URIs, remove it
// after a second click. Needs portal.clients.manage: without it the console offers no Apps.
import { $, busy, el, rowButton, say, showMessage, showPage, showProblem, values } from '/assets/app.js';
import { t, when } from '/assets/staff-i18n.js';

/** URIs typed as text: one per line (a URI holds no space, so any blank separates them). */
function uriList(text) {
  return (text ?? '').split(/\s+/).filter(Boolean);
}

/** URIs in a cell or a fact, one per line. */
function uriLines(uris) {
  return uris.length ? uris.map((uri) => el('div', {}, uri)) : t('none');
}

/**
 * Wires the two views. `go(view, load)` shows a view once `load` succeeds; `cell` and
 * `facts` render; `word` names a server state; `messages` are the page's problem texts.
 * Returns the list's loader.
 */
export function setupApps({ staffApi, go, cell, facts, word, messages }) {
  let app = null;

  const appMessages = {
    ...messages,
    forbidden: t('Managing apps needs the permission portal.clients.manage: ask an administrator for it.'),
    not_found: t('This app is not registered any more.'),
  };

  /** Shows a refusal; the server's reasons on the fields in the console's language. */
  function failed(reply, form) {
    if (reply.status === 401) return true;
    const { problem } = reply;
    const errors = Array.isArray(problem.errors)
      ? problem.errors.map((error) => ({ ...error, message: t(error.message) }))
      : problem.errors;
    return showProblem({ ...problem, errors }, { form, messages: appMessages });
  }

  const path = (id) => `/staff/oidc-clients/${encodeURIComponent(id)}`;

  async function loadList() {
    const reply = await staffApi('GET', '/staff/oidc-clients');
    if (!reply.ok) {
      failed(reply);
      return false;
    }
    const rows = reply.data.items.map((client) =>
      el(
        'tr',
        {},
        cell('Name', client.name),
        cell('Type', word(client.type)),
        cell('Redirect URIs', uriLines(client.redirect_uris)),
        cell('Created', when(client.created_at)),
        cell(
          'Action',
          rowButton(t('Open'), t('Open the app {name}', { name: client.name }), () => open(client.client_id)),
        ),
      ),
    );
    // Every app in one answer: its `next_cursor` is always null.
    showPage('apps', rows, reply.data.next_cursor, false);
    return true;
  }

  /** Shows an app; `registered` is the answer that just registered it, so the secret in it
   * is not lost to a second request. */
  function open(id, registered = null) {
    let known = registered;
    return go('app', async () => {
      // The secret goes with the answer it came in: any later load of the view drops it.
      hideSecret();
      if (known) {
        const { client_secret: _secret, ...client } = known;
        known = null;
        show(client);
        return true;
      }
      const reply = await staffApi('GET', path(id));
      if (!reply.ok) {
        failed(reply);
        return false;
      }
      show(reply.data);
      return true;
    });
  }

  function show(client) {
    app = client;
    $('app-title').textContent = t('App {name}', { name: app.name });
    facts($('app-facts'), [
      [t('Client ID'), el('code', {}, app.client_id)],
      [t('Type'), word(app.type)],
      [t('Redirect URIs'), uriLines(app.redirect_uris)],
      [t('Post-logout redirect URIs'), uriLines(app.post_logout_redirect_uris)],
      [t('Login initiation URI'), app.initiate_login_uri ? el('code', {}, app.initiate_login_uri) : t('none')],
      [t('Created'), when(app.created_at)],
    ]);
    $('app-name').value = app.name;
    $('app-redirect_uris').value = app.redirect_uris.join('\n');
    $('app-post_logout_redirect_uris').value = app.post_logout_redirect_uris.join('\n');
    $('app-initiate_login_uri').value = app.initiate_login_uri ?? '';
    askToRemove(false);
  }

  function hideSecret() {
    $('app-secret-value').value = '';
    $('app-secret').hidden = true;
  }

  // Leaving the view (Back, another view, a sign-out) drops the secret from the page too.
  new MutationObserver(() => {
    if ($('app-view').hidden) hideSecret();
  }).observe($('app-view'), { attributes: true, attributeFilter: ['hidden'] });

  /** The fields of a registration or an edit, as the API takes them (a blank login
   * initiation URI left out: the app has none). */
  function settings(form) {
    const fields = values(form);
    const body = {
      name: fields.name ?? '',
      redirect_uris: uriList(fields.redirect_uris),
      post_logout_redirect_uris: uriList(fields.post_logout_redirect_uris),
    };
    const initiate = (fields.initiate_login_uri ?? '').trim();
    if (initiate) body.initiate_login_uri = initiate;
    return body;
  }

  $('new-app-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = $('new-app-form');
    const body = { ...settings(form), type: $('new-app-type').value };
    busy(form, async () => {
      const reply = await staffApi('POST', '/staff/oidc-clients', body);
      if (!reply.ok) return failed(reply, form);
      form.reset();
      const registered = reply.data;
      await open(registered.client_id, registered);
      if (!registered.client_secret) {
        say(
          t('The app {name} is registered. A public app has no secret: it proves each sign-in with PKCE.', {
            name: registered.name,
          }),
        );
        return;
      }
      $('app-secret-value').value = registered.client_secret;
      $('app-secret').hidden = false;
      say(t('The app {name} is registered. Copy its client secret now.', { name: registered.name }));
      $('app-secret-value').focus();
      $('app-secret-value').select();
    });
  });

  $('app-secret-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('app-secret-value').value);
      say(t('The secret is copied.'));
    } catch {
      $('app-secret-value').select();
      showMessage(t('Copying is not allowed here: the secret is selected, copy it with the keyboard.'));
    }
  });

  $('app-edit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = $('app-edit-form');
    const body = settings(form);
    busy(form, async () => {
      const reply = await staffApi('PATCH', path(app.client_id), body);
      if (!reply.ok) return failed(reply, form);
      // The answer is the app as saved; a secret still shown stays until the view is left.
      show(reply.data);
      say(t('The app {name} is saved; its redirect URIs apply from the next sign-in.', { name: reply.data.name }));
    });
  });

  /** The second step of a removal: the question with its two answers, or the first button. */
  function askToRemove(asking) {
    $('app-remove').hidden = asking;
    $('app-remove-confirm').hidden = !asking;
    if (!asking) return;
    $('app-remove-question').textContent = t(
      'Remove the app {name}? People can no longer sign in to it through the portal. This cannot be undone.',
      { name: app.name },
    );
    $('app-remove-no').focus();
  }

  $('app-remove').addEventListener('click', () => askToRemove(true));
  $('app-remove-no').addEventListener('click', () => {
    askToRemove(false);
    $('app-remove').focus();
  });
  $('app-remove-yes').addEventListener('click', () =>
    busy($('app-remove-confirm'), async () => {
      const reply = await staffApi('DELETE', path(app.client_id));
      if (!reply.ok && reply.status !== 404) return failed(reply);
      const name = app.name;
      await go('apps', loadList, { root: true });
      say(
        reply.ok
          ? t('The app {name} is removed: no one signs in to it through the portal any more.', { name })
          : t('That app was removed already.'),
      );
    }),
  );

  return loadList;
}

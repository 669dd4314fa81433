// Shared by every page: calls to the API, the alert and status regions, the session's
// tokens, an authenticator app's QR code. Untrusted text only ever reaches the page through
// textContent.

/** `document.getElementById`, failing loudly when a page lacks an element it needs. */
export function $(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`missing #${id}`);
  return found;
}

/** Builds an element: `el('td', { className: 'x', dataset: {...} }, 'text', child)`. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'onclick') node.addEventListener('click', value);
    else if (key in node && !key.includes('-')) node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/**
 * One API call with JSON in and out (or a `FormData` body, sent as multipart: a file
 * upload). Resolves to `{ ok, status, data }` or `{ ok: false, status, problem }`; it
 * never throws, so every page shows a sentence instead of a stack trace.
 */
export async function api(method, path, { body, token, cookies = false } = {}) {
  const headers = { accept: 'application/json, application/problem+json' };
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || multipart ? body : JSON.stringify(body),
      // Only the staff console (its session) and the OpenID provider's login (the provider
      // session) use cookies; every other page uses bearer tokens and sends no cookie at all.
      credentials: cookies ? 'same-origin' : 'omit',
      cache: 'no-store',
    });
  } catch {
    return {
      ok: false,
      status: 0,
      problem: {
        title: 'No connection',
        detail: 'We could not reach the service. Check your connection and try again.',
      },
    };
  }
  let data = null;
  const text = await response.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return { ok: true, status: response.status, data };
  return { ok: false, status: response.status, problem: asProblem(response, data) };
}

function asProblem(response, data) {
  if (response.status >= 500 || !data || typeof data !== 'object' || !data.code) {
    return {
      status: response.status,
      title: 'Something went wrong on our side',
      detail: 'Please try again in a minute.',
    };
  }
  const problem = { ...data, status: response.status };
  const retry = Number(response.headers.get('retry-after'));
  if (retry > 0) problem.retry_after = retry;
  return problem;
}

// ---- Messages -------------------------------------------------------------------------

/** The page's alert region (role=alert, aria-live=assertive). */
function alertRegion() {
  return $('problem');
}

/** Good news, read out politely (role=status). */
export function say(...parts) {
  clearProblem();
  $('status').replaceChildren(...parts);
}

export function clearStatus() {
  $('status').replaceChildren();
}

/** Empties the alert region and every field's error. */
export function clearProblem(root = document) {
  alertRegion().replaceChildren();
  for (const message of root.querySelectorAll('.field-error')) message.remove();
  for (const field of root.querySelectorAll('[aria-invalid="true"]')) {
    field.removeAttribute('aria-invalid');
    describedBy(field, null);
  }
}

/**
 * Announces a problem in the alert region: a sentence, then every invalid field by its
 * label. Field errors are also written under their fields (`aria-describedby`), and focus
 * moves to the first invalid field so keyboard users land where the fix is.
 */
export function showProblem(problem, { form, messages = {}, fieldNames = {}, field } = {}) {
  clearProblem();
  clearStatus();
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  const known = messages[problem.code] ?? (errors.length ? pleaseCorrect : undefined);
  const lead = typeof known === 'function' ? known(problem) : known ?? problem.detail ?? problem.title;
  const parts = [el('p', {}, lead ?? 'That did not work.')];
  if (problem.retry_after) parts.push(el('p', {}, `You can try again ${inAWhile(problem.retry_after)}.`));
  let first = null;
  if (errors.length) {
    const list = el('ul');
    for (const { field, message } of errors) {
      const input = form ? fieldFor(form, field) : null;
      const name = labelOf(input) ?? fieldNames[field] ?? field;
      list.append(el('li', {}, `${name}: ${message}`));
      if (input) {
        markInvalid(input, message);
        first ??= input;
      }
    }
    parts.push(list);
  }
  alertRegion().replaceChildren(...parts);
  // A problem about one field without field errors (a refused password): mark that field.
  if (field && !first) {
    markInvalid(field, problem.detail ?? lead);
    first = field;
  }
  if (first) first.focus();
}

/** A problem of our own making (checked before any request). */
export function showMessage(text, { field } = {}) {
  clearProblem();
  clearStatus();
  alertRegion().replaceChildren(el('p', {}, text));
  if (field) {
    markInvalid(field, text);
    field.focus();
  }
}

function pleaseCorrect(problem) {
  const n = problem.errors.length;
  return n === 1 ? 'Please correct this field:' : `Please correct these ${n} fields:`;
}

function fieldFor(form, name) {
  const field = form.elements.namedItem(name);
  return field instanceof HTMLElement ? field : null;
}

function labelOf(input) {
  const label = input?.labels?.[0];
  if (!label) return null;
  // The label's own words, without the "(optional)" note.
  const copy = label.cloneNode(true);
  for (const note of copy.querySelectorAll('.optional')) note.remove();
  return copy.textContent.trim();
}

function markInvalid(input, message) {
  input.setAttribute('aria-invalid', 'true');
  const id = `${input.id}-error`;
  const text = String(message);
  const note = el('p', { className: 'field-error', id }, text.charAt(0).toUpperCase() + text.slice(1));
  const hint = input.parentElement.querySelector('.hint, .rules');
  (hint ?? input).after(note);
  describedBy(input, id);
}

function describedBy(input, errorId) {
  const ids = (input.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter((id) => id && !id.endsWith('-error'));
  if (errorId) ids.push(errorId);
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  else input.removeAttribute('aria-describedby');
}

function inAWhile(seconds) {
  if (seconds < 90) return `in ${seconds} seconds`;
  return `in ${Math.ceil(seconds / 60)} minutes`;
}

// ---- Forms and views ------------------------------------------------------------------

/** The form's fields as an object; empty optional fields are left out. */
export function values(form) {
  const out = {};
  for (const field of form.elements) {
    if (!field.name || field.type === 'submit' || field.type === 'button') continue;
    if (field.type === 'checkbox') continue;
    const value = field.value;
    if (value === '' && !field.required) continue;
    out[field.name] = value;
  }
  return out;
}

/**
 * One page of a list in the table `<prefix>-table`, its rows in `<prefix>-rows`: after the
 * rows shown when `more`, else in their place. `<prefix>-empty` shows when there are none,
 * `<prefix>-more` while `nextCursor` says more are left. Returns how many rows are shown.
 */
export function showPage(prefix, rows, nextCursor, more) {
  const body = $(`${prefix}-rows`);
  if (more) body.append(...rows);
  else body.replaceChildren(...rows);
  const shown = body.children.length;
  $(`${prefix}-table`).hidden = shown === 0;
  $(`${prefix}-empty`).hidden = shown !== 0;
  $(`${prefix}-more`).hidden = !nextCursor;
  return shown;
}

/** A small button in a table row: `label` says what it does to whom (for screen readers). */
export function rowButton(text, label, onclick, className = 'small') {
  return el('button', { type: 'button', className, 'aria-label': label, onclick }, text);
}

/** Runs `work` with the form's buttons disabled, so a double click sends once. */
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  form.setAttribute('aria-busy', 'true');
  for (const button of buttons) button.disabled = true;
  try {
    return await work();
  } finally {
    for (const button of buttons) button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/** Shows one of `sections` and hides the others; focus goes to its heading. */
export function showOnly(sections, visible, { focus = true } = {}) {
  for (const section of sections) section.hidden = section !== visible;
  if (focus) {
    const heading = visible.querySelector('h1, h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }
}

/** A date the reader's way, in a `<time>` element. */
export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return el('time', { dateTime: iso }, date.toLocaleString());
}

// ---- Second factors -------------------------------------------------------------------

/** What a QR code is drawn with, and the attributes kept with the values they may take. */
const NUMBER = /^[0-9.]+$/;
const COLOUR = /^(#[0-9a-f]{3,8}|[a-z]+)$/i;
const DRAWING = {
  svg: { viewBox: /^[0-9. ]+$/, width: NUMBER, height: NUMBER, 'shape-rendering': /^[a-z]+$/i },
  rect: { x: NUMBER, y: NUMBER, width: NUMBER, height: NUMBER, fill: COLOUR },
  path: { d: /^[MmHhVvLlZz0-9 .,-]+$/, fill: COLOUR },
};

/** `node` alone (no children) in this document, with only the attributes `DRAWING` allows. */
function drawingCopy(node) {
  const allowed = DRAWING[node.localName];
  const copy = document.importNode(node, false);
  for (const name of copy.getAttributeNames()) {
    const kept = Object.hasOwn(allowed, name) && allowed[name].test(copy.getAttribute(name));
    if (!kept) copy.removeAttribute(name);
  }
  return copy;
}

/**
 * The QR code of a new authenticator secret, from the SVG document the server drew
 * (`qr_svg`): an inline image named `label`, or null when nothing could be drawn. The pages'
 * policy loads images from this origin only (no `data:` or `blob:` address), so the drawing
 * is rebuilt here from the document parsed as XML, never as HTML: its rectangles and paths
 * with their geometry and colour, and nothing else (no script, link, style or handler).
 */
export function qrImage(svgText, label) {
  const drawn = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
  if (drawn.localName !== 'svg') return null;
  const image = drawingCopy(drawn);
  if (!(image instanceof SVGSVGElement)) return null;
  for (const shape of drawn.querySelectorAll('rect, path')) {
    const copy = drawingCopy(shape);
    if (copy instanceof SVGRectElement || copy instanceof SVGPathElement) image.append(copy);
  }
  if (!image.querySelector('path')) return null;
  image.setAttribute('role', 'img');
  image.setAttribute('aria-label', label);
  return image;
}

/**
 * Shows a new authenticator secret (`POST /me/mfa/totp`): its QR code in `figure` (hidden
 * when it cannot be drawn: the key alone still works) and its key in `key`, in groups of
 * four as the apps show keys (they ignore the spaces).
 */
export function showTotpSetup(setup, figure, key) {
  const image = qrImage(setup.qr_svg, 'QR code to scan with your authenticator app');
  figure.replaceChildren(...(image ? [image] : []));
  figure.hidden = !image;
  key.textContent = setup.secret.match(/.{1,4}/g).join(' ');
}

/** The recovery codes as items of an `<ol>`, each in a `<code>`: shown once, never kept. */
export function recoveryCodeItems(codes) {
  return codes.map((code) => el('li', {}, el('code', {}, code)));
}

/** Six digits as an authenticator app shows them ("123 456"), or null. */
/**
 * The browser's new passkey for WebAuthn creation options (`credential.toJSON()`), or null
 * with the reason shown: `messages` says what to tell when the person cancelled or the time
 * ran out (`cancelled`), the device holds one of theirs already (`held`), or the browser
 * cannot make one (`unable`).
 */
export async function newPasskey(publicKey, messages) {
  try {
    const credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(publicKey),
    });
    if (credential) return credential.toJSON();
  } catch (error) {
    const reasons = { NotAllowedError: messages.cancelled, AbortError: messages.cancelled, InvalidStateError: messages.held };
    const reason = reasons[error?.name];
    if (reason) {
      showMessage(reason);
      return null;
    }
  }
  showMessage(messages.unable);
  return null;
}

export function sixDigits(typed) {
  const digits = typed.replace(/\s/g, '');
  return /^[0-9]{6}$/.test(digits) ? digits : null;
}

// ---- Tokens ---------------------------------------------------------------------------

/**
 * Reads `#token=…` from the address and removes the fragment at once, so the token is
 * neither bookmarked nor left in the history. Tokens never go in a query string.
 */
export function takeFragmentToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return token || null;
}

const ACCESS = 'portal.access_token';
const REFRESH = 'portal.refresh_token';

/** The portal user's token pair, kept for this tab only (sessionStorage). */
export const session = {
  save(pair) {
    sessionStorage.setItem(ACCESS, pair.access_token);
    sessionStorage.setItem(REFRESH, pair.refresh_token);
  },
  access: () => sessionStorage.getItem(ACCESS),
  refresh: () => sessionStorage.getItem(REFRESH),
  clear() {
    sessionStorage.removeItem(ACCESS);
    sessionStorage.removeItem(REFRESH);
  },
};

let refreshing = null;

/** Rotates the refresh token once, however many calls found their access token expired. */
function refreshSession() {
  refreshing ??= (async () => {
    const refresh_token = session.refresh();
    if (!refresh_token) return false;
    const renewed = await api('POST', '/sessions/refresh', { body: { refresh_token } });
    if (renewed.ok) session.save(renewed.data);
    else session.clear();
    return renewed.ok;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** An API call as the logged-in portal user; an expired access token is renewed once. */
export async function userApi(method, path, body) {
  const token = session.access();
  if (!token) return { ok: false, status: 401, problem: notLoggedIn() };
  const reply = await api(method, path, { body, token });
  if (reply.status !== 401 || !(await refreshSession())) return reply;
  return api(method, path, { body, token: session.access() });
}

function notLoggedIn() {
  return { code: 'unauthenticated', title: 'Not logged in', detail: 'Please log in first.' };
}

/** A BCP 47 tag the API accepts, from the browser's preferred language. */
export function browserLocale() {
  const tag = navigator.language ?? '';
  return /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(tag) ? tag : undefined;
}

/**
 * The app (an OpenID client id) a link names with `?client_id=`, for the person to go on
 * to once their password is set; `null` for none or anything not shaped like an id.
 */
export function appOfLink() {
  const id = new URLSearchParams(location.search).get('client_id');
  return id && /^[0-9a-f]{32}$/.test(id) ? id : null;
}

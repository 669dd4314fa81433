// Debian's chromium driven by playwright-core (no browser download), and a context that
// watches every request and every page: anything sent to another origin, a token in a
// query string, a page without its security headers, a script error or a CSP violation
// fails the test that caused it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { REPO } from './portal.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.env.CARGO_TARGET_DIR ?? join(REPO, 'target'), 'browser-artifacts');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export async function launch() {
  await mkdir(ARTIFACTS, { recursive: true });
  // Playwright gives every launch a fresh, temporary user-data-dir of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const SECURITY_HEADERS = {
  'content-security-policy': /default-src 'self'.*frame-ancestors 'none'/,
  'referrer-policy': /^no-referrer$/,
  'x-content-type-options': /^nosniff$/,
};

/**
 * A fresh context (its own sessionStorage) that records what the pages did wrong in
 * `problems`; `check()` fails the test with them.
 *
 * `apps`: the origins of apps that sign people in through the portal's OpenID provider
 * (tests/browser/oidc.mjs). The context may visit them too, and their pages are held to
 * the same rules; the one token a URL may then carry is the `id_token_hint` of the
 * provider's logout endpoint, where RP-Initiated Logout 1.0 (§2) puts it.
 */
export async function guardedContext(browser, origin, { viewport = DESKTOP, provider, apps = [] } = {}) {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  // Every wait is for an element or an answer; none should take long.
  context.setDefaultTimeout(10_000);
  const problems = [];
  // The staff identity provider's own pages are not ours to judge (its dev pages even ask
  // for a web font from another origin, refused here); only the portal's pages are.
  const theProvider = (url) => provider && (url.startsWith(provider) || url.startsWith('https://fonts.'));
  if (provider) await context.route(/^https:\/\/fonts\./, (route) => route.abort());
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (theProvider(request.url()) || theProvider(request.frame()?.url() ?? '')) return;
    if (url.origin !== origin && !apps.includes(url.origin)) {
      problems.push(`a request to another origin: ${request.url()}`);
    }
    let search = url.search;
    if (apps.length && url.origin === origin && url.pathname === '/oauth2/logout') {
      const query = new URLSearchParams(search);
      query.delete('id_token_hint');
      search = query.toString();
    }
    if (/token/i.test(search)) problems.push(`a token in a query string: ${request.url()}`);
  });
  context.on('response', (response) => {
    if (response.request().resourceType() !== 'document') return;
    if (theProvider(response.url())) return;
    const headers = response.headers();
    for (const [name, pattern] of Object.entries(SECURITY_HEADERS)) {
      if (!pattern.test(headers[name] ?? '')) {
        problems.push(`${response.url()} answered without ${name}: ${headers[name]}`);
      }
    }
  });
  context.on('page', (page) => watchPage(page, problems, theProvider));
  return {
    context,
    problems,
    async newPage() {
      return context.newPage();
    },
    check() {
      if (problems.length) throw new Error(`the pages misbehaved:\n  ${problems.join('\n  ')}`);
    },
  };
}

function watchPage(page, problems, theProvider) {
  page.on('pageerror', (error) => problems.push(`a script error on ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (theProvider(page.url())) return;
    const text = message.text();
    // Failed API answers (401, 410, 422…) are logged by the browser itself; they are part
    // of the tests. Anything else, CSP violations first, is a problem.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    problems.push(`a console error on ${page.url()}: ${text}`);
  });
}

/** A guarded context for the test `t`, closed (and checked) when the test ends. */
export async function testContext(t, browser, origin, options) {
  const guarded = await guardedContext(browser, origin, options);
  t.after(async () => {
    await guarded.context.close();
    guarded.check();
  });
  return guarded;
}

/** A full-page screenshot in the artifacts folder. */
export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

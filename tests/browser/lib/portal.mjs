// A spawned portal-local (the binary `cargo test` built), its banner, its outbox, and a
// few API calls that set the stage for a page (the pages themselves are driven by
// Playwright). Nothing is built here.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO = resolve(import.meta.dirname, '..', '..', '..');

/** `target/debug/portal-local`, or `PORTAL_LOCAL_BIN`. */
export function binary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, 'target');
  const path = process.env.PORTAL_LOCAL_BIN ?? join(target, 'debug', 'portal-local');
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run ./scripts/test, or cargo build -p portal-local first`);
  }
  return path;
}

export class Portal {
  /** Starts portal-local on a free port and a fresh data directory, with `extraEnv` (the
   * staff provider's variables); reads its banner.
   *
   * `localhost`: the portal at `http://localhost:<port>` (`--localhost`: its banner, its
   * links, its WebAuthn relying party and so `origin`), for passkeys, which need a domain
   * name; it still listens on 127.0.0.1, where `localhost` leads. */
  static async start(extraEnv = {}, { localhost = false } = {}) {
    const dataDir = await mkdtemp(join(tmpdir(), 'portal-browser-'));
    const env = { ...process.env, RUST_LOG: 'info' };
    for (const name of ['PORTAL_BASE_URL', 'STAFF_JWT_SECRET', 'PORTAL_DATA_DIR', 'PORT', 'PORTAL_STORE']) {
      delete env[name];
    }
    for (const name of Object.keys(env).filter((name) => name.startsWith('STAFF_OIDC_') || name.startsWith('STAFF_PERMISSION'))) {
      delete env[name];
    }
    Object.assign(env, extraEnv);
    const args = ['--port', '0', '--data-dir', dataDir];
    if (localhost) args.push('--localhost');
    const child = spawn(binary(), args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const portal = new Portal(child, dataDir);
    // Whatever happens to this run, the server does not outlive it.
    process.once('exit', () => child.kill('SIGKILL'));
    await portal.#readBanner();
    return portal;
  }

  /** Every line the process printed: the banner, then JSON log lines. */
  lines = [];

  constructor(child, dataDir) {
    this.child = child;
    this.dataDir = dataDir;
    this.exited = new Promise((done) => child.once('exit', done));
    child.stderr.on('data', (chunk) => this.lines.push(...String(chunk).split('\n').filter(Boolean)));
  }

  async #readBanner() {
    const lines = createInterface({ input: this.child.stdout });
    const banner = new Promise((found, failed) => {
      const timer = setTimeout(() => failed(new Error('portal-local printed no banner within 60 s')), 60_000);
      this.child.once('exit', (code) => failed(new Error(`portal-local exited (${code}) before its banner`)));
      lines.on('line', (line) => {
        this.lines.push(line);
        const address = line.match(/^portal-local listening on (\S+)$/);
        if (address) this.origin = address[1];
        const staff = line.match(/^\s+staff page: (\S+)$/);
        if (staff) {
          this.staffPage = staff[1];
          this.staffToken = new URL(staff[1]).hash.replace(/^#token=/, '');
          clearTimeout(timer);
          found();
        }
      });
    });
    await banner;
    if (!this.origin) throw new Error('the banner named no address');
  }

  /** The JSON log lines (the banner, which holds the staff token on purpose, left out). */
  logLines() {
    return this.lines.filter((line) => line.startsWith('{'));
  }

  async stop() {
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }

  url(path) {
    return new URL(path, this.origin).href;
  }

  async call(method, path, { body, token } = {}) {
    const headers = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(this.url(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async staff(method, path, body) {
    const reply = await this.call(method, path, { body, token: this.staffToken });
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /** Every email of `kind` to `to` so far. */
  async emails(to, kind) {
    const { body } = await this.call('GET', '/dev/outbox');
    return body.filter((email) => email.to === to && email.kind === kind);
  }

  /** The newest email of `kind` to `to`, waiting up to 10 s for the background mailer. */
  async email(to, kind) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { body } = await this.call('GET', '/dev/outbox');
      const found = body.findLast((email) => email.to === to && email.kind === kind);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${kind} email to ${to} in the outbox`);
      await new Promise((wake) => setTimeout(wake, 100));
    }
  }

  async code(to) {
    const email = await this.email(to, 'verification_code');
    return email.text.match(/\b\d{6}\b/)[0];
  }

  /** The link in the newest invitation email to `to` (`<origin>/welcome#token=…`). */
  async invitationLink(to) {
    const email = await this.email(to, 'invitation');
    return email.text.match(/https?:\/\/\S+\/welcome#token=[A-Za-z0-9_-]+/)[0];
  }

  /** Through the API: a request registered, verified, linked to a new contact, approved. */
  async invited(email, person = {}) {
    const submitted = await this.call('POST', '/registrations', {
      body: { first_name: 'Grace', last_name: 'Hopper', email, company: 'Navy', ...person },
    });
    if (submitted.status !== 202) throw new Error(`register: ${JSON.stringify(submitted.body)}`);
    const id = submitted.body.registration_id;
    const verified = await this.call('POST', `/registrations/${id}/verify`, { body: { code: await this.code(email) } });
    if (verified.status !== 200) throw new Error(`verify: ${JSON.stringify(verified.body)}`);
    await this.staff('POST', `/staff/registrations/${id}/link-contact`, { create_contact: true });
    await this.staff('POST', `/staff/registrations/${id}/approve`, {});
    return this.invitationLink(email);
  }
}

const used = new Map();

/** An address no other test of this run uses (each run has a fresh data directory). */
export function uniqueEmail(name) {
  const count = (used.get(name) ?? 0) + 1;
  used.set(name, count);
  return `${name}${count > 1 ? count : ''}@example.com`;
}

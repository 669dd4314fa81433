// The authenticator app of the browser tests: codes computed by pyotp (Python, pinned in
// infra/requirements-dev.txt), a library none of us wrote, never by the portal's own code.
// Spawned with PORTAL_TEST_PYTHON or .venv/bin/python, as the Authlib app is (lib/rp.mjs).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { REPO } from './portal.mjs';

const run = promisify(execFile);
const SCRIPT = join(REPO, 'tests', 'python', 'totp_code.py');

/**
 * The 6 digits an authenticator app shows for `secret` (base32, as the page shows the key:
 * spaces are dropped) at `unixSeconds`. The portal accepts each 30-second step once, and one
 * step either side of its own: a code for a later sign-in is the one of now + 30 s.
 */
export async function totpCode(secret, unixSeconds = Date.now() / 1000) {
  const python = process.env.PORTAL_TEST_PYTHON ?? join(REPO, '.venv', 'bin', 'python');
  let stdout;
  try {
    ({ stdout } = await run(python, [SCRIPT, secret, String(Math.floor(unixSeconds))]));
  } catch (error) {
    throw new Error(`pyotp in ${python} failed (./scripts/test installs infra/requirements-dev.txt into .venv): ${error.message}`);
  }
  const code = stdout.trim();
  if (!/^[0-9]{6}$/.test(code)) throw new Error(`pyotp said ${code}`);
  return code;
}

/** Six digits that are not the code of any step the portal would accept now. */
export async function wrongCode(secret) {
  const now = Date.now() / 1000;
  const near = await Promise.all([-60, -30, 0, 30, 60].map((offset) => totpCode(secret, now + offset)));
  return ['000000', '111111', '222222', '333333', '444444', '555555'].find((code) => !near.includes(code));
}

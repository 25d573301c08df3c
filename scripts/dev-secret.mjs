// The local JWT secret lives in .dev.vars (git-ignored), which wrangler dev
// reads. A fresh clone gets a random one on first use.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, appendFileSync } from 'node:fs';

const FILE = '.dev.vars';

/** Returns JWT_SECRET from .dev.vars, creating the file or the entry if missing. */
export function ensureDevSecret() {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
  const match = /^JWT_SECRET\s*=\s*"?([^"\n]+)"?\s*$/m.exec(text);
  if (match) return match[1];
  const secret = randomBytes(32).toString('hex');
  appendFileSync(FILE, `${text && !text.endsWith('\n') ? '\n' : ''}JWT_SECRET="${secret}"\n`);
  console.error(`Wrote a new local JWT_SECRET to ${FILE}`);
  return secret;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureDevSecret();

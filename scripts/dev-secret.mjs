// The local secrets live in .dev.vars (git-ignored), which wrangler dev reads.
// A fresh clone gets random ones on first use: JWT_SECRET signs dev tokens,
// UPLOAD_URL_SECRET signs direct-upload URLs.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, appendFileSync } from 'node:fs';

const FILE = '.dev.vars';

/** Returns `name` (default JWT_SECRET) from .dev.vars, creating the file or the entry if missing. */
export function ensureDevSecret(name = 'JWT_SECRET') {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
  const match = new RegExp(`^${name}\\s*=\\s*"?([^"\\n]+)"?\\s*$`, 'm').exec(text);
  if (match) return match[1];
  const secret = randomBytes(32).toString('hex');
  appendFileSync(FILE, `${text && !text.endsWith('\n') ? '\n' : ''}${name}="${secret}"\n`);
  console.error(`Wrote a new local ${name} to ${FILE}`);
  return secret;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureDevSecret('JWT_SECRET');
  ensureDevSecret('UPLOAD_URL_SECRET');
}

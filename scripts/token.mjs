// Prints a signed HS256 dev token for a user: `npm run token -- <sub> [ttlSeconds]`.
// The token is alone on the last line, so `TOKEN=$(npm run -s token -- alice | tail -1)` works.
// With JWT_ISSUER / JWT_AUDIENCE in the environment, the token carries them as `iss` / `aud`
// (the gateway checks them on HS256 tokens too when it is configured with them).
import { createHmac } from 'node:crypto';
import { ensureDevSecret } from './dev-secret.mjs';

const [userId, ttlArg] = process.argv.slice(2);
if (!userId || !/^[\x20-\x7e]{1,255}$/.test(userId)) {
  console.error('Usage: npm run token -- <sub> [ttlSeconds]   (sub: 1-255 printable ASCII characters)');
  process.exit(2);
}
const ttl = ttlArg === undefined ? 7 * 24 * 3600 : Number(ttlArg);
if (!Number.isSafeInteger(ttl) || ttl <= 0) {
  console.error(`Expected a positive integer for ttlSeconds but received ${ttlArg}`);
  process.exit(2);
}

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const claims = { sub: userId, iat: now, exp: now + ttl };
if (process.env.JWT_ISSUER) claims.iss = process.env.JWT_ISSUER;
if (process.env.JWT_AUDIENCE) claims.aud = process.env.JWT_AUDIENCE.split(',')[0].trim();
const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}`;
const signature = createHmac('sha256', ensureDevSecret()).update(signingInput).digest('base64url');

console.log(`Dev token for "${userId}", valid ${ttl}s, signed with JWT_SECRET from .dev.vars:`);
console.log(`${signingInput}.${signature}`);

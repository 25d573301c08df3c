// Prints a signed HS256 dev token for a user: `npm run token -- <userId> [ttlSeconds]`.
// The token is alone on the last line, so `TOKEN=$(npm run -s token -- alice | tail -1)` works.
import { createHmac } from 'node:crypto';
import { ensureDevSecret } from './dev-secret.mjs';

const [userId, ttlArg] = process.argv.slice(2);
if (!userId || !/^[A-Za-z0-9_-]{1,64}$/.test(userId)) {
  console.error('Usage: npm run token -- <userId> [ttlSeconds]   (userId: 1-64 of A-Z a-z 0-9 _ -)');
  process.exit(2);
}
const ttl = ttlArg === undefined ? 7 * 24 * 3600 : Number(ttlArg);
if (!Number.isSafeInteger(ttl) || ttl <= 0) {
  console.error(`Expected a positive integer for ttlSeconds but received ${ttlArg}`);
  process.exit(2);
}

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: userId, iat: now, exp: now + ttl })}`;
const signature = createHmac('sha256', ensureDevSecret()).update(signingInput).digest('base64url');

console.log(`Dev token for "${userId}", valid ${ttl}s, signed with JWT_SECRET from .dev.vars:`);
console.log(`${signingInput}.${signature}`);

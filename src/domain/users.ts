/**
 * User ids: what keys, paths, URLs and rows use for the JWT `sub`.
 *
 * Identity providers issue subjects such as `auth0|64f1…`, `google-oauth2|1180…`
 * or Apple's `001234.abcd….1234`; OpenID Connect allows up to 255 ASCII
 * characters. Such a subject cannot go into an R2 key or a URL path as is,
 * so each subject maps to a user id:
 *
 * - a subject that already is 1–64 of `A-Z a-z 0-9 _ -` is its own id (every
 *   id stored before derived ids existed, so existing keys, rows and URLs
 *   keep working);
 * - any other subject, and one that happens to look like a derived id, gets
 *   `h-` + 26 lowercase base32 characters of its SHA-256 (130 bits).
 *
 * The mapping is one-to-one: a kept subject never has the derived shape, so
 * it cannot equal another subject's derived id, and two derived ids collide
 * only if SHA-256 does (about 2^-67 even among 2^32 subjects).
 */

/** A user id, as a regular-expression source (storage keys embed it); derived ids fit it too. */
export const USER_ID = '[A-Za-z0-9_-]{1,64}';

/** User ids appear in keys and paths; a subject that matches this (and is not derived-shaped) is its own id. */
export const USER_ID_PATTERN = new RegExp(`^${USER_ID}$`);

/** The shape of a derived id: `h-` + 26 characters of RFC 4648 base32, lowercase. */
export const DERIVED_USER_ID_PATTERN = /^h-[a-z2-7]{26}$/;

/** A token subject the gateway accepts: 1–255 printable ASCII characters (OpenID Connect's limit). */
export const SUBJECT_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** What a client is told when a subject does not match {@link SUBJECT_PATTERN}. */
export const SUBJECT_RULE = 'a subject is 1-255 printable ASCII characters';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length === length) break;
  }
  return out;
}

/**
 * The user id for a token subject (see the module comment): the subject
 * itself when it is a plain id, else `h-` + a hash of it. Stable: the same
 * subject always gives the same id.
 * @throws Error when `sub` does not match {@link SUBJECT_PATTERN} (callers check first).
 */
export async function userIdForSubject(sub: string): Promise<string> {
  if (!SUBJECT_PATTERN.test(sub)) throw new Error(`not a valid subject: ${SUBJECT_RULE}`);
  if (USER_ID_PATTERN.test(sub) && !DERIVED_USER_ID_PATTERN.test(sub)) return sub;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(sub)));
  return `h-${base32(digest, 26)}`;
}

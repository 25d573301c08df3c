import { fromBase64url, toBase64url } from './encoding';
import { ApiError } from './errors';

/** What a direct-upload URL is bound to; all of it is covered by the signature. */
export interface UploadGrant {
  /** Unique per URL (a UUID): the single-use claim in D1 is keyed on it. */
  id: string;
  /** The token subject (`sub`) the upload is stored for; its user id is derived at use (domain/users.ts). */
  subject: string;
  purpose: 'avatar' | 'image';
  /** Largest accepted file, in bytes (never more than MAX_UPLOAD_BYTES at use time either). */
  maxBytes: number;
  /** Expiry, in Unix seconds. */
  expiresAt: number;
}

/** Domain separation: a signature made for anything else never verifies as an upload URL. */
const CONTEXT = 'edge-image-gateway upload-url v1.';
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/;

const encoder = new TextEncoder();

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/**
 * Signs `grant` into the opaque token that ends an upload URL:
 * `toBase64url(JSON payload) "." toBase64url(HMAC-SHA256(secret, context + payload))`.
 */
export async function signUploadGrant(grant: UploadGrant, secret: string): Promise<string> {
  const payload = toBase64url(
    encoder.encode(
      JSON.stringify({ id: grant.id, sub: grant.subject, p: grant.purpose, max: grant.maxBytes, exp: grant.expiresAt }),
    ),
  );
  const key = await hmacKey(secret, 'sign');
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(CONTEXT + payload)));
  return `${payload}.${toBase64url(signature)}`;
}

function invalid(cause?: unknown): ApiError {
  return new ApiError('upload_url_invalid', 'This upload URL is malformed or its signature does not match', { cause });
}

/**
 * Checks a token's signature (constant time, by WebCrypto) and expiry.
 * @throws ApiError `upload_url_invalid` (malformed, tampered or signed with
 *   another secret), `upload_url_expired`
 */
export async function verifyUploadGrant(token: string, secret: string, nowSeconds: number): Promise<UploadGrant> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) throw invalid();
  const [, payload, signature] = match as unknown as [string, string, string];
  const key = await hmacKey(secret, 'verify');
  const valid = await crypto.subtle.verify('HMAC', key, fromBase64url(signature), encoder.encode(CONTEXT + payload));
  if (!valid) throw invalid();
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(new TextDecoder().decode(fromBase64url(payload))) as Record<string, unknown>;
  } catch (error) {
    throw invalid(error);
  }
  const { id, sub, p, max, exp } = fields;
  if (
    typeof id !== 'string' ||
    typeof sub !== 'string' ||
    (p !== 'avatar' && p !== 'image') ||
    !Number.isSafeInteger(max) ||
    !Number.isSafeInteger(exp)
  ) {
    throw invalid();
  }
  if ((exp as number) <= nowSeconds) {
    throw new ApiError('upload_url_expired', 'This upload URL has expired; ask for a new one', {
      details: { expiredAt: new Date((exp as number) * 1000).toISOString() },
    });
  }
  return { id, subject: sub, purpose: p, maxBytes: max as number, expiresAt: exp as number };
}

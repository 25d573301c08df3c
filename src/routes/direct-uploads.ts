import { Hono, type Context } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';
import { findActiveApiKey } from '../db/api-keys';
import { claimUploadUrl, releaseUploadUrl } from '../db/upload-urls';
import { baseUrlOf, configOf, requireUser } from './context';
import { ApiError } from '../lib/errors';
import { sha256Hex } from '../lib/encoding';
import { guardStorage } from '../lib/guard-storage';
import { signUploadGrant, verifyUploadGrant, type UploadGrant } from '../lib/upload-url';
import { userIdForSubject } from '../domain/users';
import type { UploadUrlJson, UploadUrlRequest } from './api-schemas';
import { createUploadUrl } from './operations';
import { uploadAs } from './uploads';

/** Server API keys: `gwk_<12 hex id>_<43 base64url characters>` (scripts/api-keys.mjs makes them). */
const API_KEY_PATTERN = /^Bearer\s+(gwk_[0-9a-f]{12}_[A-Za-z0-9_-]{43})\s*$/;

function uploadUrlSecret(c: Context<AppEnv>): string {
  const secret = configOf(c).uploadUrlSecret;
  // A deployment without the secret is misconfigured, like a bad var: logged, 500.
  if (!secret) throw new Error('UPLOAD_URL_SECRET is not set; direct uploads are disabled');
  return secret;
}

/** The largest `POST /uploads` JSON body: a few short fields. */
const MAX_ISSUE_BODY_BYTES = 4096;

/**
 * The request body as text, at most {@link MAX_ISSUE_BODY_BYTES}: read only
 * after the caller is known, and never buffered past the cap.
 * @throws ApiError `payload_too_large`
 */
async function readSmallBody(request: Request): Promise<string> {
  const tooLarge = () =>
    new ApiError('payload_too_large', `Expected a JSON body of at most ${MAX_ISSUE_BODY_BYTES} bytes`);
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (declared > MAX_ISSUE_BODY_BYTES) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > MAX_ISSUE_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * The `POST /uploads` body, validated by the operation's schema.
 * @throws ApiError `invalid_request`, `payload_too_large`
 */
async function readIssueRequest(c: Context<AppEnv>): Promise<UploadUrlRequest> {
  let body: unknown;
  try {
    body = JSON.parse(await readSmallBody(c.req.raw));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('invalid_request', 'Expected a JSON body like {"purpose":"image"}', { cause: error });
  }
  return createUploadUrl.body(configOf(c)).parse(body, '');
}

/** Who asks for a URL: a server API key (acting for any user) or a user's own token. */
type Caller = { kind: 'api_key' } | { kind: 'user'; sub: string };

/**
 * Authenticates the caller before any of the body is read, so an anonymous
 * request cannot make the isolate buffer anything.
 * @throws ApiError `unauthorized`
 */
async function authenticateCaller(c: Context<AppEnv>): Promise<Caller> {
  const apiKey = API_KEY_PATTERN.exec(c.req.header('Authorization') ?? '')?.[1];
  if (apiKey) {
    const hash = await sha256Hex(apiKey);
    const record = await guardStorage('find API key', () => findActiveApiKey(c.env.DB, hash));
    if (!record) {
      throw new ApiError('unauthorized', 'Unknown or revoked API key', { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    return { kind: 'api_key' };
  }
  await requireUser(c, async () => undefined);
  return { kind: 'user', sub: c.get('user').sub };
}

/**
 * Whose the URL is: a token subject. A server API key names it in `user_id`
 * (the `sub` the user's own tokens carry, so both land under the same user
 * id); a user token is for its own subject (a different `user_id` is 403).
 */
function subjectFor(caller: Caller, requested: string | undefined): string {
  if (caller.kind === 'api_key') {
    if (requested === undefined) {
      throw new ApiError('invalid_request', 'An API key acts for a user: send "user_id" with "purpose"');
    }
    return requested;
  }
  const { sub } = caller;
  if (requested !== undefined && requested !== sub) {
    throw new ApiError('forbidden', 'A user token can only ask for upload URLs for its own user');
  }
  return sub;
}

/**
 * Direct uploads: `POST /uploads` hands out a signed one-time URL (to a user
 * token, or to a server API key acting for a user); `POST /uploads/<token>`
 * takes the file with no other credentials.
 */
export function directUploadRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post('/', async (c) => {
      const config = configOf(c);
      const secret = uploadUrlSecret(c);
      const caller = await authenticateCaller(c);
      const request = await readIssueRequest(c);
      const subject = subjectFor(caller, request.user_id);
      const grant: UploadGrant = {
        id: crypto.randomUUID(),
        subject,
        purpose: request.purpose,
        maxBytes: request.max_bytes ?? config.maxUploadBytes,
        expiresAt: Math.floor(Date.now() / 1000) + config.uploadUrlTtlSeconds,
      };
      const token = await signUploadGrant(grant, secret);
      // The URL is a credential: no cache may keep it.
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          upload_url: `${baseUrlOf(c)}/uploads/${token}`,
          expires_at: new Date(grant.expiresAt * 1000).toISOString(),
        } satisfies UploadUrlJson,
        201,
      );
    })
    .post('/:token', async (c) => {
      const grant = await verifyUploadGrant(c.req.param('token'), uploadUrlSecret(c), Math.floor(Date.now() / 1000));
      const db = c.env.DB;
      const userId = await userIdForSubject(grant.subject);
      return uploadAs(c, deps, {
        userId,
        sub: grant.subject,
        kind: grant.purpose,
        maxBytes: Math.min(grant.maxBytes, configOf(c).maxUploadBytes),
        idempotent: false,
        claim: {
          async take() {
            const claimed = await guardStorage('claim upload URL', () =>
              claimUploadUrl(db, {
                tokenId: grant.id,
                userId,
                now: new Date().toISOString(),
                expiresAt: new Date(grant.expiresAt * 1000).toISOString(),
              }),
            );
            if (!claimed) throw new ApiError('upload_url_used', 'This upload URL has already been used');
          },
          async release() {
            // If this fails the URL stays spent: the client asks for a new one.
            await releaseUploadUrl(db, grant.id).catch((error) =>
              console.error(JSON.stringify({ message: 'could not release upload URL', error: String(error) })),
            );
          },
        },
      });
    });
}

import type { Context } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';
import { purgeAvatarRedirects } from '../cache/edge-cache';
import { ingestUpload } from '../ingest';
import { mediaBaseOf, configOf, ingestTargetOf, runToEnd } from './context';
import { ApiError } from '../lib/errors';
import { runIdempotent } from './idempotency';
import { imageJson } from './image-json';
import type { AvatarUploadJson, ImageJson } from './api-schemas';
import { BodyBudget } from '../lib/body-budget';
import { guardStorage } from '../lib/guard-storage';
import { recordUser } from '../db/users';
import { checkUploadHeaders, MULTIPART_OVERHEAD, readUpload } from '../lib/read-upload';
import type { ImageKind } from '../domain/images';

/**
 * The isolate's budget for buffered upload bodies: two of the largest an
 * upload may send (one being processed, one more in memory), counted in
 * bytes received, so any number of uploads may read at once while they stay
 * within it (see lib/body-budget.ts). One per isolate, sized from the config.
 */
let bodyBudget: BodyBudget | undefined;
function bodyBudgetFor(maxUploadBytes: number): BodyBudget {
  const capacity = 2 * (maxUploadBytes + MULTIPART_OVERHEAD);
  if (bodyBudget?.capacity !== capacity) bodyBudget = new BodyBudget(capacity);
  return bodyBudget;
}

/** The period of UPLOAD_RATE_LIMITER in wrangler.toml: how long a limited client should wait. */
const RATE_LIMIT_PERIOD_SECONDS = 60;

/**
 * Counts the upload against the user's rate limit (the Workers Rate Limiting
 * binding). A limiter that fails is logged and ignored: uploads stay up.
 * @throws ApiError `rate_limited`
 */
async function enforceUploadRate(c: Context<AppEnv>, userId: string): Promise<void> {
  const limiter = c.env.UPLOAD_RATE_LIMITER;
  if (!limiter) return;
  let allowed = true;
  try {
    allowed = (await limiter.limit({ key: userId })).success;
  } catch (error) {
    console.error(JSON.stringify({ message: 'rate limiter failed; allowing upload', error: String(error) }));
  }
  if (!allowed) {
    throw new ApiError('rate_limited', 'Too many uploads; slow down', {
      headers: { 'Retry-After': String(RATE_LIMIT_PERIOD_SECONDS) },
    });
  }
}

/** Who and what an upload is for, and what guards it beyond the request itself. */
export interface UploadSpec {
  /** The owner of the stored image (derived from `sub`, domain/users.ts). */
  userId: string;
  /** The subject `userId` stands for, recorded in `users`. */
  sub: string;
  kind: ImageKind;
  /** The size limit for this upload (at most MAX_UPLOAD_BYTES). */
  maxBytes: number;
  /** Honour an `Idempotency-Key` header (the authenticated routes). */
  idempotent: boolean;
  /**
   * A one-time permission to take before the body is read (a direct-upload
   * URL): `take` throws when it is already taken; `release` gives it back if
   * the upload then fails, so the same permission can be used again.
   */
  claim?: { take(): Promise<void>; release(): Promise<void> };
}

/**
 * The upload flow shared by `POST /images`, `POST /users/me/avatar` and
 * direct-upload URLs: rate limit, refuse a wrong Content-Type or declared size
 * at once, take the claim if any, read the body within the size limit, the
 * memory budget and the pace, then (at most once per Idempotency-Key)
 * process, store and record it.
 */
export async function handleUpload(c: Context<AppEnv>, deps: AppDeps, kind: ImageKind): Promise<Response> {
  const { id: userId, sub } = c.get('user');
  return uploadAs(c, deps, { userId, sub, kind, maxBytes: configOf(c).maxUploadBytes, idempotent: true });
}

/** {@link handleUpload} for an explicit {@link UploadSpec}. */
export async function uploadAs(c: Context<AppEnv>, deps: AppDeps, spec: UploadSpec): Promise<Response> {
  const { userId, sub, kind, maxBytes, claim } = spec;
  const config = configOf(c);
  await enforceUploadRate(c, userId);
  const headers = checkUploadHeaders(c.req.raw, maxBytes);
  await claim?.take();
  const budget = bodyBudgetFor(config.maxUploadBytes);
  const hold = budget.open(headers.declared ?? maxBytes + headers.envelope);
  // From the hold on, the work runs to its end even if the client leaves, so
  // the hold, the claim and the image queue are always given back.
  return runToEnd(c, readAndStore());

  async function readAndStore(): Promise<Response> {
    try {
      const bytes = await readUpload(c.req.raw, headers, { budget, hold }, config.uploadPace);
      const result = await runIdempotent(
        c.env.DB,
        {
          userId,
          key: spec.idempotent ? c.req.header('Idempotency-Key') : undefined,
          route: `POST ${c.req.path}`,
          bytes,
          ttlSeconds: config.idempotencyTtlSeconds,
        },
        async () => {
          const onRecord = await guardStorage('record user', () =>
            recordUser(c.env.DB, userId, sub, new Date().toISOString()),
          );
          if (onRecord !== sub) throw new Error(`user id ${userId} is on record for another subject`);
          const record = await ingestUpload(ingestTargetOf(c, deps), userId, kind, bytes);
          if (kind === 'avatar') await purgeAvatarRedirects(userId, config.variantSizes);
          const image = imageJson(record, mediaBaseOf(c));
          const body: AvatarUploadJson | ImageJson =
            kind === 'avatar' ? { avatar_url: image.url, avatar_thumb_url: image.thumb_url, image } : image;
          return { status: 201, body };
        },
      );
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(result.body, result.status as 201);
    } catch (error) {
      await claim?.release();
      throw error;
    } finally {
      budget.release(hold);
    }
  }
}

import type { Context } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';
import { getConfig, type Config } from '../env';
import type { IngestTarget } from '../ingest';
import { bearerAuth } from '../middleware/auth';

type Ctx = Context<AppEnv>;

export function configOf(c: Ctx): Config {
  return getConfig(c.env);
}

/** The origin public URLs are built on: PUBLIC_BASE_URL or the request's own. */
export function baseUrlOf(c: Ctx): string {
  return configOf(c).publicBaseUrl ?? new URL(c.req.url).origin;
}

/**
 * What an object key is appended to for its public URL: PUBLIC_MEDIA_BASE_URL
 * (an R2 custom domain, served by the CDN without running the Worker) when
 * set, else this Worker's `/media`.
 */
export function mediaBaseOf(c: Ctx): string {
  return configOf(c).publicMediaBaseUrl ?? `${baseUrlOf(c)}/media`;
}

/**
 * Keeps `work` running to its end even if the client goes away: workerd may
 * drop a cancelled request's continuations, and then `finally` blocks that
 * release isolate-wide state (the body budget's hold, the image queue, a
 * variant being rendered) would never run and block later requests.
 */
export function runToEnd<T>(c: Ctx, work: Promise<T>): Promise<T> {
  c.executionCtx.waitUntil(
    work.then(
      () => undefined,
      () => undefined,
    ),
  );
  return work;
}

export function ingestTargetOf(c: Ctx, deps: AppDeps): IngestTarget {
  return { bucket: c.env.IMAGES, db: c.env.DB, codecs: deps.codecs(), options: configOf(c).process };
}

/** bearerAuth configured from the request's env. */
export const requireUser = bearerAuth<AppEnv>((c) => {
  const config = configOf(c);
  return {
    secret: config.jwtSecret,
    jwks: config.jwks,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    clockSkewSeconds: config.jwtClockSkewSeconds,
  };
});

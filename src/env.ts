import type { ReadPace } from './lib/read-upload';
import type { ProcessOptions } from './pipeline';
import { BYTES_PER_OUTPUT_PIXEL, MAX_OUTPUT_EDGE_IN_BUDGET, MEMORY_BUDGET_MIB } from './pipeline/limits';

/** The Worker's bindings and vars (see wrangler.toml). */
export interface Env {
  /** R2 bucket holding every stored image and thumbnail. */
  IMAGES: R2Bucket;
  /** D1 database: profiles and image rows (schema in migrations/). */
  DB: D1Database;
  /** HS256 secret for bearer tokens: `.dev.vars` locally, `wrangler secret put JWT_SECRET` in production. */
  JWT_SECRET?: string;
  MAX_UPLOAD_BYTES?: string;
  MAX_INPUT_WIDTH?: string;
  MAX_INPUT_HEIGHT?: string;
  MAX_INPUT_FRAMES?: string;
  MAIN_QUALITY?: string;
  THUMB_QUALITY?: string;
  THUMB_MAX_EDGE?: string;
  MAX_OUTPUT_EDGE?: string;
  /** Optional JWKS URL; when set, tokens signed by its keys are accepted (JWT_ISSUER and JWT_AUDIENCE required). */
  JWKS_URL?: string;
  /** The `iss` every token must carry; required with JWKS_URL, checked on HS256 tokens too when set. */
  JWT_ISSUER?: string;
  /** Comma-separated audiences; a token's `aud` (string or array) must name one. Required with JWKS_URL. */
  JWT_AUDIENCE?: string;
  /** Comma-separated algorithms accepted from the JWKS (default `RS256,ES256`). */
  JWT_ALGORITHMS?: string;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (default 30). */
  JWT_CLOCK_SKEW_SECONDS?: string;
  /** Optional origin for the URLs in responses; defaults to the request's origin. */
  PUBLIC_BASE_URL?: string;
  /**
   * Optional base URL of an R2 custom domain on the IMAGES bucket; when set,
   * returned image URLs are `<it>/<key>`, served by the CDN without the Worker.
   */
  PUBLIC_MEDIA_BASE_URL?: string;
  /** Comma-separated sizes (px) that `?size=` may ask for; default 32,48,64,96,128,192,256,512. */
  VARIANT_SIZES?: string;
  /** Comma-separated origins allowed by CORS; `*` (the default) allows any. */
  CORS_ORIGINS?: string;
  /** An upload body must arrive within this many seconds (default 30). */
  UPLOAD_READ_TIMEOUT_SECONDS?: string;
  /** After UPLOAD_RATE_GRACE_SECONDS, a body must average at least this many bytes per second (default 4096; 0 = off). */
  UPLOAD_MIN_BYTES_PER_SECOND?: string;
  /** How long a body may arrive at any rate before the floor applies (default 5). */
  UPLOAD_RATE_GRACE_SECONDS?: string;
  /** Orphaned objects younger than this many seconds are left to in-flight uploads. */
  CLEANUP_GRACE_SECONDS?: string;
  /** How long an Idempotency-Key is remembered, in seconds. */
  IDEMPOTENCY_TTL_SECONDS?: string;
  /** HMAC secret for direct-upload URLs (not JWT_SECRET): `.dev.vars` locally, `wrangler secret put` in production. */
  UPLOAD_URL_SECRET?: string;
  /** How long a direct-upload URL from `POST /uploads` stays valid, in seconds. */
  UPLOAD_URL_TTL_SECONDS?: string;
  /** Per-user upload rate limit (Workers Rate Limiting; limit and period in wrangler.toml). */
  UPLOAD_RATE_LIMITER?: RateLimit;
}

/** Validated configuration, derived from {@link Env} once per isolate. */
export interface Config {
  maxUploadBytes: number;
  /** How fast an upload body must arrive. */
  uploadPace: ReadPace;
  process: ProcessOptions;
  jwtSecret: string | undefined;
  /** Tokens from an identity provider; undefined when JWKS_URL is unset. */
  jwks: JwksConfig | undefined;
  /** `iss` every token must carry, when set. */
  jwtIssuer: string | undefined;
  /** Audiences a token's `aud` must name one of, when set. */
  jwtAudience: string[] | undefined;
  jwtClockSkewSeconds: number;
  publicBaseUrl: string | undefined;
  /** PUBLIC_MEDIA_BASE_URL without a trailing slash; undefined to serve through `/media`. */
  publicMediaBaseUrl: string | undefined;
  corsOrigins: string[];
  /** The sizes a variant may be asked for, ascending; anything else is 400. */
  variantSizes: number[];
  cleanupGraceSeconds: number;
  idempotencyTtlSeconds: number;
  /** Signs direct-upload URLs; undefined when unset (then `POST /uploads` cannot issue URLs). */
  uploadUrlSecret: string | undefined;
  uploadUrlTtlSeconds: number;
}

/** An identity provider whose keys sign tokens. */
export interface JwksConfig {
  url: string;
  /** Asymmetric algorithms accepted from it; anything else (HS*, none) is refused. */
  algorithms: JwksAlgorithm[];
}

/** The asymmetric JWS algorithms hono/jwt can verify with a JWK. */
export const JWKS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwksAlgorithm = (typeof JWKS_ALGORITHMS)[number];

/** A configuration value that cannot be used; the message says which and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: Env, name: keyof Env, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`Expected integer between ${min} and ${max} for ${name} but received ${JSON.stringify(raw)}`);
  }
  return value;
}

function optionalUrl(env: Env, name: 'JWKS_URL' | 'PUBLIC_BASE_URL' | 'PUBLIC_MEDIA_BASE_URL'): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`Expected an http(s) URL for ${name} but received ${JSON.stringify(raw)}`);
  }
}

const DEFAULT_VARIANT_SIZES = [32, 48, 64, 96, 128, 192, 256, 512];
const MAX_VARIANT_SIZES = 32;

function variantSizes(env: Env): number[] {
  const raw = env.VARIANT_SIZES?.trim();
  if (!raw) return DEFAULT_VARIANT_SIZES;
  const parts = raw.split(',').map((p) => p.trim());
  const sizes = parts.map(Number);
  const valid = (n: number) => Number.isInteger(n) && n >= 1 && n <= 2048;
  if (parts.some((p) => !/^\d+$/.test(p)) || !sizes.every(valid) || sizes.length > MAX_VARIANT_SIZES) {
    throw new ConfigError(
      `Expected up to ${MAX_VARIANT_SIZES} comma-separated integers between 1 and 2048 for VARIANT_SIZES but received ${JSON.stringify(raw)}`,
    );
  }
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** `*`, or a comma-separated list of origins exactly as browsers send them (`https://app.example:8443`). */
function corsOrigins(env: Env): string[] {
  const origins = (env.CORS_ORIGINS?.trim() || '*')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      throw new ConfigError(
        `Expected "*" or comma-separated origins such as https://app.example for CORS_ORIGINS but received ${JSON.stringify(origin)}`,
      );
    }
  }
  return origins;
}

function list(raw: string | undefined): string[] | undefined {
  const items = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function jwtAlgorithms(env: Env): JwksAlgorithm[] {
  const names = list(env.JWT_ALGORITHMS) ?? ['RS256', 'ES256'];
  for (const name of names) {
    if (!(JWKS_ALGORITHMS as readonly string[]).includes(name)) {
      throw new ConfigError(
        `Expected JWT_ALGORITHMS to be a comma-separated list of ${JWKS_ALGORITHMS.join(', ')} but received ${JSON.stringify(env.JWT_ALGORITHMS)}`,
      );
    }
  }
  return names as JwksAlgorithm[];
}

/**
 * With a JWKS, the issuer and audience are required: providers such as
 * Firebase sign every tenant's tokens with the same keys, so the signature
 * alone does not say the token was meant for this gateway.
 */
function jwtSettings(env: Env): Pick<Config, 'jwks' | 'jwtIssuer' | 'jwtAudience' | 'jwtClockSkewSeconds'> {
  const url = optionalUrl(env, 'JWKS_URL');
  const jwtIssuer = env.JWT_ISSUER?.trim() || undefined;
  const jwtAudience = list(env.JWT_AUDIENCE);
  const algorithms = jwtAlgorithms(env);
  if (url !== undefined && (jwtIssuer === undefined || jwtAudience === undefined)) {
    const missing = [jwtIssuer === undefined && 'JWT_ISSUER', jwtAudience === undefined && 'JWT_AUDIENCE'].filter(
      Boolean,
    );
    throw new ConfigError(
      `JWKS_URL is set, so ${missing.join(' and ')} must be set too: the issuer and audience your identity ` +
        `provider puts in tokens meant for this gateway (its keys may sign tokens for other applications as well)`,
    );
  }
  return {
    jwks: url === undefined ? undefined : { url, algorithms },
    jwtIssuer,
    jwtAudience,
    jwtClockSkewSeconds: integer(env, 'JWT_CLOCK_SKEW_SECONDS', 30, 0, 300),
  };
}

function outputEdge(env: Env): number {
  const edge = integer(env, 'MAX_OUTPUT_EDGE', 2048, 16, 16384);
  if (edge > MAX_OUTPUT_EDGE_IN_BUDGET) {
    const mib = Math.round((edge * edge * BYTES_PER_OUTPUT_PIXEL) / 2 ** 20);
    throw new ConfigError(
      `MAX_OUTPUT_EDGE=${edge} does not fit the memory budget: a ${edge}x${edge} output needs about ${mib} MiB ` +
        `(${BYTES_PER_OUTPUT_PIXEL} bytes per output pixel) of the ${MEMORY_BUDGET_MIB} MiB one image may use; ` +
        `the largest that fits is ${MAX_OUTPUT_EDGE_IN_BUDGET}`,
    );
  }
  return edge;
}

/**
 * Parses and validates the vars, with the documented defaults.
 * @throws ConfigError naming the bad var, its allowed range and the value received.
 */
export function parseConfig(env: Env): Config {
  const secret = env.JWT_SECRET?.trim() || undefined;
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('Expected JWT_SECRET to be at least 32 characters');
  }
  const uploadUrlSecret = env.UPLOAD_URL_SECRET?.trim() || undefined;
  if (uploadUrlSecret !== undefined && uploadUrlSecret.length < 32) {
    throw new ConfigError('Expected UPLOAD_URL_SECRET to be at least 32 characters');
  }
  return {
    // The memory budget (src/pipeline/limits.ts) counts one upload of at most 10 MiB.
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', 10 * 1024 * 1024, 1024, 10 * 1024 * 1024),
    uploadPace: {
      deadlineMs: integer(env, 'UPLOAD_READ_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
      graceMs: integer(env, 'UPLOAD_RATE_GRACE_SECONDS', 5, 0, 3600) * 1000,
      minBytesPerSecond: integer(env, 'UPLOAD_MIN_BYTES_PER_SECOND', 4096, 0, 10 * 1024 * 1024),
    },
    process: {
      limits: {
        maxWidth: integer(env, 'MAX_INPUT_WIDTH', 4096, 1, 16384),
        maxHeight: integer(env, 'MAX_INPUT_HEIGHT', 4096, 1, 16384),
        maxFrames: integer(env, 'MAX_INPUT_FRAMES', 1000, 1, 100000),
      },
      maxOutputEdge: outputEdge(env),
      mainQuality: integer(env, 'MAIN_QUALITY', 85, 1, 100),
      thumbQuality: integer(env, 'THUMB_QUALITY', 80, 1, 100),
      thumbMaxEdge: integer(env, 'THUMB_MAX_EDGE', 400, 16, 2048),
    },
    jwtSecret: secret,
    ...jwtSettings(env),
    publicBaseUrl: optionalUrl(env, 'PUBLIC_BASE_URL'),
    publicMediaBaseUrl: optionalUrl(env, 'PUBLIC_MEDIA_BASE_URL'),
    corsOrigins: corsOrigins(env),
    variantSizes: variantSizes(env),
    cleanupGraceSeconds: integer(env, 'CLEANUP_GRACE_SECONDS', 3600, 60, 30 * 24 * 3600),
    idempotencyTtlSeconds: integer(env, 'IDEMPOTENCY_TTL_SECONDS', 24 * 3600, 60, 30 * 24 * 3600),
    uploadUrlSecret,
    uploadUrlTtlSeconds: integer(env, 'UPLOAD_URL_TTL_SECONDS', 1800, 60, 7 * 24 * 3600),
  };
}

const parsed = new WeakMap<Env, Config>();

/** {@link parseConfig}, memoised per env object (once per isolate in practice). */
export function getConfig(env: Env): Config {
  let config = parsed.get(env);
  if (!config) {
    config = parseConfig(env);
    parsed.set(env, config);
  }
  return config;
}

import { env, exports } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { expect } from 'vitest';

export const BASE = 'https://gateway.test';

/** A token signed with the test JWT_SECRET (vitest.config.ts), valid for an hour unless overridden. */
export async function tokenFor(
  userId: string,
  claims: Record<string, unknown> = {},
  secret = env.JWT_SECRET!,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, iat: now, exp: now + 3600, ...claims }, secret, 'HS256');
}

/** Sends a request through the real Worker entry point. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return (exports as unknown as { default: Fetcher }).default.fetch(new Request(`${BASE}${path}`, init));
}

export interface UploadOptions {
  token?: string;
  /** Send as multipart/form-data (`file` field) instead of a raw image/* body. */
  multipart?: boolean;
  contentType?: string;
  method?: string;
  headers?: Record<string, string>;
}

/** POSTs image bytes to `path` the way a browser or curl would. */
export function upload(path: string, bytes: Uint8Array, options: UploadOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`);
  let body: BodyInit;
  if (options.multipart) {
    const form = new FormData();
    form.set('file', new File([bytes], 'upload.bin', { type: options.contentType ?? 'application/octet-stream' }));
    body = form;
  } else {
    headers.set('Content-Type', options.contentType ?? 'image/jpeg');
    body = bytes;
  }
  return call(path, { method: options.method ?? 'POST', headers, body });
}

/** Asserts a JSON error response: status, then the stable code, then the body shape. */
export async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.requestId).toBeTruthy();
}

/** Every key in the bucket (the whole listing, all pages). */
export async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.IMAGES.list({ cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys.sort();
}

/** Row counts of the gateway's tables. */
export async function rowCounts(): Promise<{ images: number; profiles: number }> {
  const images = await env.DB.prepare('SELECT COUNT(*) AS n FROM images').first<number>('n');
  const profiles = await env.DB.prepare('SELECT COUNT(*) AS n FROM profiles').first<number>('n');
  return { images: images ?? 0, profiles: profiles ?? 0 };
}

/** A snapshot of everything stored, to prove a request wrote nothing. */
export async function storageSnapshot() {
  return { keys: await allKeys(), rows: await rowCounts() };
}

/** The bytes of a stored object, or null. */
export async function objectBytes(key: string): Promise<Uint8Array | null> {
  const object = await env.IMAGES.get(key);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

// The API's JSON shapes, from the schemas that /openapi.json publishes and the client uses.
export type { AvatarUploadJson, ImageJson, VariantJson } from '../../src/routes/api-schemas';

/** The R2 key behind a /media URL from the API. */
export function keyOf(url: string): string {
  const prefix = `${BASE}/media/`;
  expect(url.startsWith(prefix)).toBe(true);
  return url.slice(prefix.length);
}

/**
 * GETs `path` until the Worker answers from the edge cache (`CF-Cache-Status:
 * HIT`, as the Cache API reports it): a miss fills the cache in `waitUntil`,
 * after its response. Fails after a bounded number of tries.
 */
export async function untilCached(path: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await call(path, init);
    if (response.headers.get('CF-Cache-Status') === 'HIT') return response;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${path} never became a cache hit`);
}

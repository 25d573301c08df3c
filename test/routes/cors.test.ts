import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/app';
import { workerdCodecs } from '../../src/codecs/workerd';
import { encodePng } from '../helpers/encoders';
import { BASE, call, expectError, tokenFor, upload, type ImageJson } from '../helpers/api';
import { quadrants } from '../fixtures/pixels';

const PAGE = 'http://localhost:5173';

/** A header's comma-separated list, lower-cased (browsers compare header names case-insensitively). */
function list(response: Response, name: string): string[] {
  return (response.headers.get(name) ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** What a browser sends before a cross-origin upload with a token and an Idempotency-Key. */
function preflightInit(origin: string, method: string): RequestInit {
  return {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
    },
  };
}

/** Every browser-facing route, with the method a page would use on it. */
const ROUTES: [string, string][] = [
  ['POST', '/users/me/avatar'],
  ['DELETE', '/users/me/avatar'],
  ['GET', '/users/alice/avatar'],
  ['GET', '/users/alice/avatar/thumb'],
  ['POST', '/images'],
  ['GET', '/images'],
  ['GET', '/images/00000000-0000-4000-8000-000000000000'],
  ['DELETE', '/images/00000000-0000-4000-8000-000000000000'],
  ['GET', '/media/images/alice/00000000-0000-4000-8000-000000000000.webp'],
  ['GET', '/health'],
];

function expectPreflightAllowed(response: Response, origin: string, method: string) {
  expect(response.status).toBe(204);
  expect(response.headers.get('Access-Control-Allow-Origin')).toBe(origin);
  expect(list(response, 'Access-Control-Allow-Methods')).toContain(method.toLowerCase());
  expect(list(response, 'Access-Control-Allow-Headers')).toEqual(
    expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
  );
  expect(Number(response.headers.get('Access-Control-Max-Age'))).toBeGreaterThan(0);
}

function expectExposed(response: Response) {
  expect(list(response, 'Access-Control-Expose-Headers')).toEqual(
    expect.arrayContaining([
      'location',
      'etag',
      'retry-after',
      'idempotent-replayed',
      'content-length',
      'x-request-id',
      'www-authenticate',
    ]),
  );
}

describe('CORS with the default CORS_ORIGINS (*)', () => {
  it.each(ROUTES)('a preflight for %s %s is answered for any origin', async (method, path) => {
    const response = await call(path, preflightInit(PAGE, method));
    expectPreflightAllowed(response, '*', method);
  });

  it('a plain GET /health carries Access-Control-Allow-Origin: *', async () => {
    const response = await call('/health', { headers: { Origin: PAGE } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expectExposed(response);
  });

  it('an upload, its replay and its error responses are readable by the page', async () => {
    const token = await tokenFor('cors-page');
    const bytes = await encodePng(quadrants(8, 8));
    const headers = { Origin: PAGE, 'Idempotency-Key': crypto.randomUUID() };
    const first = await upload('/images', bytes, { token, contentType: 'image/png', headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expectExposed(first);
    const image = (await first.json()) as ImageJson;

    const replay = await upload('/images', bytes, { token, contentType: 'image/png', headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(replay.headers.get('Access-Control-Allow-Origin')).toBe('*');

    const refused = await upload('/images', bytes, { contentType: 'image/png', headers: { Origin: PAGE } });
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(refused.headers.get('X-Request-Id')).toBeTruthy();
    await expectError(refused, 401, 'unauthorized');

    const media = await call(image.url.slice(BASE.length), { headers: { Origin: PAGE } });
    expect(media.status).toBe(200);
    expect(media.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(media.headers.get('ETag')).toBeTruthy();
    expectExposed(media);
  });
});

describe('CORS with a configured list of origins', () => {
  const ALLOWED = 'https://app.example';
  const app = createApp({ codecs: workerdCodecs });
  const callWith = (path: string, init: RequestInit) =>
    Promise.resolve(
      app.fetch(
        new Request(`${BASE}${path}`, init),
        { ...env, CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` },
        createExecutionContext(),
      ),
    );

  it.each(ROUTES)('a preflight for %s %s from a listed origin echoes that origin', async (method, path) => {
    const response = await callWith(path, preflightInit(ALLOWED, method));
    expectPreflightAllowed(response, ALLOWED, method);
    expect(list(response, 'Vary')).toContain('origin');
  });

  it('a preflight from another origin gets no CORS headers', async () => {
    const response = await callWith('/users/me/avatar', preflightInit('https://evil.example', 'POST'));
    expect(response.status).toBe(204);
    for (const name of [
      'Access-Control-Allow-Origin',
      'Access-Control-Allow-Methods',
      'Access-Control-Allow-Headers',
      'Access-Control-Expose-Headers',
    ]) {
      expect(response.headers.get(name)).toBeNull();
    }
    expect(list(response, 'Vary')).toContain('origin');
  });

  it('responses echo a listed origin only, and say they vary by Origin', async () => {
    const allowed = await callWith('/health', { headers: { Origin: ALLOWED } });
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe(ALLOWED);
    expectExposed(allowed);
    expect(list(allowed, 'Vary')).toContain('origin');

    const refused = await callWith('/health', { headers: { Origin: 'https://evil.example' } });
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(refused.headers.get('Access-Control-Expose-Headers')).toBeNull();
    expect(list(refused, 'Vary')).toContain('origin');

    const error = await callWith('/images', { headers: { Origin: ALLOWED } });
    expect(error.headers.get('Access-Control-Allow-Origin')).toBe(ALLOWED);
    await expectError(error, 401, 'unauthorized');
  });
});

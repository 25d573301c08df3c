import { afterEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { sign } from 'hono/jwt';
import { createApp } from '../../src/app';
import { workerdCodecs } from '../../src/codecs/workerd';
import { jwksKeys } from '../../src/middleware/jwks';
import type { Env } from '../../src/env';
import { encodePng } from '../helpers/encoders';
import { BASE, expectError, keyOf, tokenFor, type ImageJson } from '../helpers/api';
import { webpSize } from '../helpers/webp-inspect';
import { noise } from '../fixtures/pixels';

/** Each test gets its own provider URL: keys are cached per isolate by URL. */
let provider = 0;
const newJwksUrl = () => `https://idp${++provider}.example/.well-known/jwks.json`;

async function keyPair(alg: 'RS256' | 'ES256', kid: string) {
  const params =
    alg === 'RS256'
      ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
      : { name: 'ECDSA', namedCurve: 'P-256' };
  const pair = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicJwk = { ...((await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey), kid, alg };
  const privateJwk = { ...((await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey), kid, alg };
  return { publicJwk, privateJwk };
}

/** One RSA key pair for the table tests (generating one takes a while). */
let shared: ReturnType<typeof keyPair> | undefined;
const sharedRsa = () => (shared ??= keyPair('RS256', 'k1'));

const ISSUER = 'https://tenant.idp.example/';
const AUDIENCE = 'https://gateway.example/api';

/** The JWKS settings a deployment must give (JWKS_URL requires JWT_ISSUER and JWT_AUDIENCE). */
function jwksEnv(jwksUrl: string, extra: Partial<Env> = {}): Env {
  return { ...env, JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: `other-api, ${AUDIENCE}`, ...extra };
}

/** The app configured with `vars`, called directly (the Worker's own env has no JWKS). */
function callApp(path: string, init: RequestInit, vars: Env): Promise<Response> {
  const app = createApp({ codecs: workerdCodecs });
  return Promise.resolve(app.fetch(new Request(`${BASE}${path}`, init), vars, createExecutionContext()));
}

function callWithJwks(token: string, jwksUrl: string, extra: Partial<Env> = {}): Promise<Response> {
  return callApp('/images', { headers: { Authorization: `Bearer ${token}` } }, jwksEnv(jwksUrl, extra));
}

/** Serves `keys` as the JWKS at `url`, counting fetches. */
function serveJwks(url: string, keys: () => (JsonWebKey & { kid?: string })[]) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    expect(String(input instanceof Request ? input.url : input)).toBe(url);
    return Response.json({ keys: keys() });
  });
}

const now = () => Math.floor(Date.now() / 1000);
const exp = () => now() + 600;
/** Claims of a token meant for this gateway. */
const good = (extra: Record<string, unknown> = {}) => ({
  sub: 'idp-user',
  iss: ISSUER,
  aud: AUDIENCE,
  exp: exp(),
  ...extra,
});
const b64url = (value: string) => btoa(value).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** An RS256 or ES256 token (by `header.alg`) with exactly `header` (hono's `sign` always writes `typ: "JWT"`). */
async function signJws(header: Record<string, unknown>, payload: Record<string, unknown>, privateJwk: JsonWebKey) {
  const ec = header.alg === 'ES256';
  const algorithm = ec ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const key = await crypto.subtle.importKey('jwk', privateJwk, algorithm, false, ['sign']);
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  // WebCrypto's ECDSA signature is r || s, which is JWS's ES256 form.
  const params = ec ? { name: 'ECDSA', hash: 'SHA-256' } : 'RSASSA-PKCS1-v1_5';
  const signature = await crypto.subtle.sign(params, key, new TextEncoder().encode(input));
  return `${input}.${b64url(String.fromCharCode(...new Uint8Array(signature)))}`;
}

afterEach(() => vi.restoreAllMocks());

describe('tokens from an identity provider (JWKS)', () => {
  it.each(['RS256', 'ES256'] as const)('%s tokens signed by a JWKS key are accepted; others are 401', async (alg) => {
    const url = newJwksUrl();
    const trusted = await keyPair(alg, 'k1');
    const stranger = await keyPair(alg, 'k1');
    const fetchSpy = serveJwks(url, () => [trusted.publicJwk]);

    const accepted = await callWithJwks(await sign(good(), trusted.privateJwk, alg), url);
    expect(accepted.status).toBe(200);
    const forged = await callWithJwks(await sign(good(), stranger.privateJwk, alg), url);
    await expectError(forged, 401, 'unauthorized');
    // Both requests were served from one fetch: keys are cached per isolate.
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it.each<[string, Record<string, unknown>]>([
    ['aud as an array naming this gateway', { aud: ['https://someone-else.example', AUDIENCE] }],
    ['the other configured audience', { aud: 'other-api' }],
    ['expired, within the clock skew', { exp: now() - 10 }],
    ['not yet valid, within the clock skew', { nbf: now() + 10 }],
    ['issued a little in the future', { iat: now() + 10 }],
  ])('%s → accepted', async (_name, claims) => {
    const url = newJwksUrl();
    const { publicJwk, privateJwk } = await sharedRsa();
    serveJwks(url, () => [publicJwk]);
    expect((await callWithJwks(await sign(good(claims), privateJwk, 'RS256'), url)).status).toBe(200);
  });

  it.each<[string, Record<string, unknown>]>([
    ['another audience', { aud: 'https://someone-else.example' }],
    ['an array of other audiences', { aud: ['https://a.example', 'https://b.example'] }],
    ['no aud', { aud: undefined }],
    ['another issuer', { iss: 'https://other-tenant.idp.example/' }],
    ['no iss', { iss: undefined }],
    ['no exp', { exp: undefined }],
    ['expired beyond the clock skew', { exp: now() - 120 }],
    ['not yet valid beyond the clock skew', { nbf: now() + 120 }],
    ['issued in the future beyond the clock skew', { iat: now() + 120 }],
    ['no sub', { sub: undefined }],
  ])('%s → 401', async (_name, claims) => {
    const url = newJwksUrl();
    const { publicJwk, privateJwk } = await sharedRsa();
    serveJwks(url, () => [publicJwk]);
    const response = await callWithJwks(await sign(good(claims), privateJwk, 'RS256'), url);
    await expectError(response, 401, 'unauthorized');
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer');
  });

  it('alg none → 401', async () => {
    const url = newJwksUrl();
    const { publicJwk } = await sharedRsa();
    serveJwks(url, () => [publicJwk]);
    const token = `${b64url('{"alg":"none","typ":"JWT","kid":"k1"}')}.${b64url(JSON.stringify(good()))}.`;
    await expectError(await callWithJwks(token, url), 401, 'unauthorized');
  });

  it.each([
    ['with a JWT_SECRET configured', {}],
    ['with only the JWKS', { JWT_SECRET: undefined }],
  ])('an HS256 token signed with the RSA public key → 401 (%s)', async (_name, extra) => {
    const url = newJwksUrl();
    const { publicJwk } = await sharedRsa();
    serveJwks(url, () => [publicJwk]);
    // The classic algorithm confusion: the public key, as text, used as the HMAC secret.
    for (const secret of [JSON.stringify(publicJwk), publicJwk.n!]) {
      const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'k1' }));
      const payload = b64url(JSON.stringify(good()));
      const key = await crypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${header}.${payload}`));
      const signature = b64url(String.fromCharCode(...new Uint8Array(mac)));
      await expectError(await callWithJwks(`${header}.${payload}.${signature}`, url, extra), 401, 'unauthorized');
    }
  });

  it.each<[string, Record<string, unknown>]>([
    ['typ JWT', { typ: 'JWT' }],
    ['no typ', {}],
    ['typ at+jwt (an RFC 9068 access token: Auth0, Okta, Keycloak)', { typ: 'at+jwt' }],
    ['typ AT+JWT', { typ: 'AT+JWT' }],
    ['typ application/at+jwt', { typ: 'application/at+jwt' }],
    ['typ application/jwt', { typ: 'application/jwt' }],
  ])('%s → accepted', async (_name, header) => {
    const url = newJwksUrl();
    const { publicJwk, privateJwk } = await sharedRsa();
    serveJwks(url, () => [publicJwk]);
    const token = await signJws({ alg: 'RS256', kid: 'k1', ...header }, good(), privateJwk);
    expect((await callWithJwks(token, url)).status).toBe(200);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an OpenID logout token', { typ: 'logout+jwt' }],
    ['a DPoP proof', { typ: 'dpop+jwt' }],
    ['a security event token', { typ: 'secevent+jwt' }],
    ['a JOSE (JWS) object that is not a JWT', { typ: 'JOSE' }],
    ['an unknown typ', { typ: 'at+jwt; v=2' }],
    ['a typ that is not a string', { typ: ['at+jwt'] }],
  ])('%s → 401, even with a valid signature and claims', async (_name, header) => {
    const url = newJwksUrl();
    const { publicJwk, privateJwk } = await sharedRsa();
    serveJwks(url, () => [publicJwk]);
    const token = await signJws({ alg: 'RS256', kid: 'k1', ...header }, good(), privateJwk);
    await expectError(await callWithJwks(token, url), 401, 'unauthorized');
  });

  it('an at+jwt token still gets every other check', async () => {
    const url = newJwksUrl();
    const { publicJwk, privateJwk } = await sharedRsa();
    const stranger = await keyPair('RS256', 'k1');
    serveJwks(url, () => [publicJwk]);
    const header = { alg: 'RS256', kid: 'k1', typ: 'at+jwt' };
    for (const [claims, key] of [
      [good({ aud: 'https://someone-else.example' }), privateJwk],
      [good({ iss: 'https://other-tenant.idp.example/' }), privateJwk],
      [good({ exp: now() - 120 }), privateJwk],
      [good({ nbf: now() + 120 }), privateJwk],
      [good(), stranger.privateJwk],
    ] as const) {
      await expectError(await callWithJwks(await signJws(header, claims, key), url), 401, 'unauthorized');
    }
    // Not through the algorithm allowlist either.
    const esUrl = newJwksUrl(); // a provider of its own: keys are cached per JWKS URL
    const es = await keyPair('ES256', 'k1');
    vi.restoreAllMocks();
    serveJwks(esUrl, () => [es.publicJwk]);
    const atEsToken = await signJws({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }, good(), es.privateJwk);
    expect((await callWithJwks(atEsToken, esUrl)).status).toBe(200);
    await expectError(await callWithJwks(atEsToken, esUrl, { JWT_ALGORITHMS: 'RS256' }), 401, 'unauthorized');
  });

  it('an algorithm outside JWT_ALGORITHMS → 401, even with a valid signature', async () => {
    const url = newJwksUrl();
    const { publicJwk, privateJwk } = await keyPair('ES256', 'k1');
    serveJwks(url, () => [publicJwk]);
    const token = await sign(good(), privateJwk, 'ES256');
    expect((await callWithJwks(token, url)).status).toBe(200);
    await expectError(await callWithJwks(token, url, { JWT_ALGORITHMS: 'RS256' }), 401, 'unauthorized');
  });

  it('HS256 tokens must carry the issuer and audience too when they are configured', async () => {
    const url = newJwksUrl();
    serveJwks(url, () => []);
    expect((await callWithJwks(await tokenFor('dev-user', { iss: ISSUER, aud: AUDIENCE }), url)).status).toBe(200);
    await expectError(await callWithJwks(await tokenFor('dev-user'), url), 401, 'unauthorized');
    await expectError(
      await callWithJwks(await tokenFor('dev-user', { iss: ISSUER, aud: 'https://someone-else.example' }), url),
      401,
      'unauthorized',
    );
  });

  it('JWKS_URL without JWT_ISSUER or JWT_AUDIENCE is a configuration error, not an open door', async () => {
    const url = newJwksUrl();
    const { publicJwk, privateJwk } = await sharedRsa();
    serveJwks(url, () => [publicJwk]);
    const token = await sign(good(), privateJwk, 'RS256');
    for (const missing of ['JWT_ISSUER', 'JWT_AUDIENCE'] as const) {
      const response = await callWithJwks(token, url, { [missing]: undefined });
      await expectError(response, 500, 'internal_error');
    }
  });

  it('an RS256 token is refused when no JWKS is configured', async () => {
    const { privateJwk } = await sharedRsa();
    const token = await sign(good(), privateJwk, 'RS256');
    await expectError(
      await callApp('/images', { headers: { Authorization: `Bearer ${token}` } }, env),
      401,
      'unauthorized',
    );
  });

  it('an identity provider that is down gives 503 upstream_unavailable, not 401', async () => {
    const url = newJwksUrl();
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('down', { status: 502 }));
    const { privateJwk } = await keyPair('ES256', 'k1');
    const response = await callWithJwks(await sign(good(), privateJwk, 'ES256'), url);
    expect(response.headers.get('Retry-After')).toBe('5');
    await expectError(response, 503, 'upstream_unavailable');
  });

  it('an Auth0-style subject is accepted, and its avatar works end to end', async () => {
    const url = newJwksUrl();
    const { publicJwk, privateJwk } = await sharedRsa();
    serveJwks(url, () => [publicJwk]);
    const sub = 'auth0|64f1c0ffee0123456789abcd';
    const token = await sign(good({ sub }), privateJwk, 'RS256');
    const vars = jwksEnv(url);

    const created = await callApp(
      '/users/me/avatar',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' },
        body: await encodePng(noise(64, 48, 7)),
      },
      vars,
    );
    expect(created.status).toBe(201);
    const { avatar_url, image } = (await created.json()) as { avatar_url: string; image: ImageJson };
    const key = keyOf(avatar_url);
    const userId = key.split('/')[1]!;
    expect(userId).toMatch(/^h-[a-z2-7]{26}$/);
    expect(key).toBe(`avatars/${userId}/${image.id}.webp`);
    expect(await env.DB.prepare('SELECT sub FROM users WHERE id = ?1').bind(userId).first('sub')).toBe(sub);
    expect(await env.DB.prepare('SELECT owner_id FROM images WHERE id = ?1').bind(image.id).first('owner_id')).toBe(
      userId,
    );

    for (const param of [userId, encodeURIComponent(sub)]) {
      const redirect = await callApp(`/users/${param}/avatar`, { redirect: 'manual' }, vars);
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('Location')).toBe(avatar_url);
    }
    const media = await callApp(`/media/${key}`, {}, vars);
    expect(media.status).toBe(200);
    expect(media.headers.get('Content-Type')).toBe('image/webp');
    expect(webpSize(new Uint8Array(await media.arrayBuffer()))).toEqual({ width: 64, height: 48 });

    const mine = await callApp('/images', { headers: { Authorization: `Bearer ${token}` } }, vars);
    expect(((await mine.json()) as { images: ImageJson[] }).images.map((i) => i.id)).toContain(image.id);
  });
});

describe('jwksKeys', () => {
  it('refetches after the TTL, and for an unknown kid at most once a minute', async () => {
    const url = newJwksUrl();
    let served = [{ kty: 'EC', kid: 'old' }];
    const fetchSpy = serveJwks(url, () => served);
    const t0 = 1_000_000;
    expect((await jwksKeys(url, 'old', t0)).map((k) => k.kid)).toEqual(['old']);
    served = [{ kty: 'EC', kid: 'new' }];
    expect((await jwksKeys(url, 'old', t0 + 1000)).map((k) => k.kid)).toEqual(['old']); // cached
    expect((await jwksKeys(url, 'new', t0 + 1000)).map((k) => k.kid)).toEqual(['old']); // too soon to refetch
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect((await jwksKeys(url, 'new', t0 + 61_000)).map((k) => k.kid)).toEqual(['new']); // rotation
    expect((await jwksKeys(url, undefined, t0 + 61_000 + 11 * 60_000)).map((k) => k.kid)).toEqual(['new']); // TTL
    expect(fetchSpy).toHaveBeenCalledTimes(3);
  });
});

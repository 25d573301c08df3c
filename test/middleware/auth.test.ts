import { afterEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { sign } from 'hono/jwt';
import { createApp } from '../../src/app';
import { workerdCodecs } from '../../src/codecs/workerd';
import { jwksKeys } from '../../src/middleware/jwks';
import { expectError } from '../helpers/api';

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

/** The app with a JWKS configured, called directly with its own env. */
function callWithJwks(token: string, jwksUrl: string): Promise<Response> {
  const app = createApp({ codecs: workerdCodecs });
  const request = new Request('https://gateway.test/images', { headers: { Authorization: `Bearer ${token}` } });
  return Promise.resolve(app.fetch(request, { ...env, JWKS_URL: jwksUrl }, createExecutionContext()));
}

/** Serves `keys` as the JWKS at `url`, counting fetches. */
function serveJwks(url: string, keys: () => (JsonWebKey & { kid?: string })[]) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    expect(String(input instanceof Request ? input.url : input)).toBe(url);
    return Response.json({ keys: keys() });
  });
}

const exp = () => Math.floor(Date.now() / 1000) + 600;

afterEach(() => vi.restoreAllMocks());

describe('tokens from an identity provider (JWKS)', () => {
  it.each(['RS256', 'ES256'] as const)('%s tokens signed by a JWKS key are accepted; others are 401', async (alg) => {
    const url = newJwksUrl();
    const trusted = await keyPair(alg, 'k1');
    const stranger = await keyPair(alg, 'k1');
    const fetchSpy = serveJwks(url, () => [trusted.publicJwk]);

    const good = await callWithJwks(await sign({ sub: 'idp-user', exp: exp() }, trusted.privateJwk, alg), url);
    expect(good.status).toBe(200);
    const forged = await callWithJwks(await sign({ sub: 'idp-user', exp: exp() }, stranger.privateJwk, alg), url);
    expect(forged.status).toBe(401);
    // Both requests were served from one fetch: keys are cached per isolate.
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it('an RS256 token is refused when no JWKS is configured', async () => {
    const { privateJwk } = await keyPair('RS256', 'k1');
    const token = await sign({ sub: 'idp-user', exp: exp() }, privateJwk, 'RS256');
    const response = await createApp({ codecs: workerdCodecs }).fetch(
      new Request('https://gateway.test/images', { headers: { Authorization: `Bearer ${token}` } }),
      env,
      createExecutionContext(),
    );
    expect(response.status).toBe(401);
  });

  it('an identity provider that is down gives 503 upstream_unavailable, not 401', async () => {
    const url = newJwksUrl();
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('down', { status: 502 }));
    const { privateJwk } = await keyPair('ES256', 'k1');
    const response = await callWithJwks(await sign({ sub: 'idp-user', exp: exp() }, privateJwk, 'ES256'), url);
    expect(response.headers.get('Retry-After')).toBe('5');
    await expectError(response, 503, 'upstream_unavailable');
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

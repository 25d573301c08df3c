import { afterEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { sign } from 'hono/jwt';
import { createApp } from '../../src/app';
import { workerdCodecs } from '../../src/codecs/workerd';

const JWKS_URL = 'https://idp.example/.well-known/jwks.json';

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
function callWithJwks(token: string): Promise<Response> {
  const app = createApp({ codecs: workerdCodecs });
  const request = new Request('https://gateway.test/images', { headers: { Authorization: `Bearer ${token}` } });
  return Promise.resolve(app.fetch(request, { ...env, JWKS_URL }, createExecutionContext()));
}

afterEach(() => vi.restoreAllMocks());

describe('tokens from an identity provider (JWKS)', () => {
  it.each(['RS256', 'ES256'] as const)('%s tokens signed by a JWKS key are accepted; others are 401', async (alg) => {
    const trusted = await keyPair(alg, 'k1');
    const stranger = await keyPair(alg, 'k1');
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      expect(String(input instanceof Request ? input.url : input)).toBe(JWKS_URL);
      return Response.json({ keys: [trusted.publicJwk] });
    });
    const exp = Math.floor(Date.now() / 1000) + 600;

    const good = await callWithJwks(await sign({ sub: 'idp-user', exp }, trusted.privateJwk, alg));
    expect(good.status).toBe(200);
    expect(fetchSpy).toHaveBeenCalled();

    const forged = await callWithJwks(await sign({ sub: 'idp-user', exp }, stranger.privateJwk, alg));
    expect(forged.status).toBe(401);
  });

  it('an RS256 token is refused when no JWKS is configured', async () => {
    const { privateJwk } = await keyPair('RS256', 'k1');
    const token = await sign({ sub: 'idp-user', exp: Math.floor(Date.now() / 1000) + 600 }, privateJwk, 'RS256');
    const response = await createApp({ codecs: workerdCodecs }).fetch(
      new Request('https://gateway.test/images', { headers: { Authorization: `Bearer ${token}` } }),
      env,
      createExecutionContext(),
    );
    expect(response.status).toBe(401);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type Env } from '../src/env';

const bindings = { IMAGES: {} as R2Bucket, DB: {} as D1Database };

describe('parseConfig', () => {
  it('uses the documented defaults', () => {
    const config = parseConfig(bindings);
    expect(config.maxUploadBytes).toBe(10 * 1024 * 1024);
    expect(config.process).toEqual({
      limits: { maxWidth: 4096, maxHeight: 4096, maxFrames: 1000 },
      maxOutputEdge: 2048,
      mainQuality: 85,
      thumbQuality: 80,
      thumbMaxEdge: 400,
    });
    expect(config.corsOrigins).toEqual(['*']);
    expect(config.jwks).toBeUndefined();
    expect(config.jwtClockSkewSeconds).toBe(30);
    expect(config.uploadPace).toEqual({ deadlineMs: 30_000, graceMs: 5_000, minBytesPerSecond: 4096 });
  });

  it('reads the identity provider settings', () => {
    const config = parseConfig({
      ...bindings,
      JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'api-a, api-b',
    });
    expect(config.jwks).toEqual({ url: 'https://idp.example/.well-known/jwks.json', algorithms: ['RS256', 'ES256'] });
    expect(config.jwtIssuer).toBe('https://idp.example/');
    expect(config.jwtAudience).toEqual(['api-a', 'api-b']);
  });

  it('reads the vars', () => {
    const config = parseConfig({
      ...bindings,
      MAIN_QUALITY: '70',
      THUMB_MAX_EDGE: '256',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.process.mainQuality).toBe(70);
    expect(config.process.thumbMaxEdge).toBe(256);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each<[string, Partial<Env>]>([
    ['quality over 100', { MAIN_QUALITY: '101' }],
    ['quality not a number', { THUMB_QUALITY: 'high' }],
    ['negative upload limit', { MAX_UPLOAD_BYTES: '-1' }],
    ['fractional width', { MAX_INPUT_WIDTH: '4096.5' }],
    ['short secret', { JWT_SECRET: 'short' }],
    ['JWKS not a URL', { JWKS_URL: 'not a url' }],
    ['an output edge over the memory budget', { MAX_OUTPUT_EDGE: '4096' }],
    ['JWKS_URL without JWT_ISSUER', { JWKS_URL: 'https://idp.example/jwks', JWT_AUDIENCE: 'api' }],
    ['JWKS_URL without JWT_AUDIENCE', { JWKS_URL: 'https://idp.example/jwks', JWT_ISSUER: 'https://idp.example/' }],
    ['an unknown JWT algorithm', { JWT_ALGORITHMS: 'RS256,HS256' }],
    ['a zero read timeout', { UPLOAD_READ_TIMEOUT_SECONDS: '0' }],
    ['a negative rate floor', { UPLOAD_MIN_BYTES_PER_SECOND: '-1' }],
    ['a clock skew over 300', { JWT_CLOCK_SKEW_SECONDS: '3600' }],
    ['a CORS origin with a path', { CORS_ORIGINS: 'https://app.example/page' }],
    ['a CORS origin without a scheme', { CORS_ORIGINS: 'app.example' }],
  ])('refuses %s with a ConfigError naming the var', (_name, vars) => {
    // The var the message must name: the first one given, or the one missing beside JWKS_URL.
    const name = _name.startsWith('JWKS_URL without') ? _name.split(' ').at(-1)! : Object.keys(vars)[0]!;
    expect(() => parseConfig({ ...bindings, ...vars })).toThrow(ConfigError);
    expect(() => parseConfig({ ...bindings, ...vars })).toThrow(name);
  });
});

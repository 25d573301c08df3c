import type { Context, Env, MiddlewareHandler } from 'hono';

/** Methods a page may use on the gateway's routes. */
const ALLOW_METHODS = 'GET, HEAD, POST, DELETE, OPTIONS';

/** Request headers a page sends: the bearer token, the upload's type, the retry key. */
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key';

/**
 * Response headers a page may read besides the CORS-safelisted ones: where a
 * redirect points, cache validators, when to retry, whether an upload was
 * replayed, ranges, the request id to quote in a bug report, and why a token
 * was refused.
 */
const EXPOSE_HEADERS = [
  'Location',
  'ETag',
  'Retry-After',
  'Idempotent-Replayed',
  'Content-Length',
  'Content-Range',
  'X-Request-Id',
  'WWW-Authenticate',
].join(', ');

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 hours). */
const MAX_AGE_SECONDS = '7200';

export interface GatewayCorsOptions {
  /** Allowed origins, exactly as a browser sends them (`https://app.example`); `*` allows any. */
  origins: readonly string[];
}

/**
 * CORS for browsers calling the gateway from another origin. With `*` every
 * origin gets `Access-Control-Allow-Origin: *` (no cookies are used: the
 * token travels in `Authorization`, which a wildcard origin permits when
 * listed in the preflight's allowed headers). With a list, only a listed
 * origin is echoed, with `Vary: Origin`; any other origin gets no CORS
 * header at all, so its browser refuses the response.
 *
 * A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered
 * here, for every path, with 204; other requests get the allow and expose
 * headers on whatever response the routes (or the error handler) produce.
 *
 * @example
 * app.use(gatewayCors(() => ({ origins: ['https://app.example'] })))
 */
export function gatewayCors<E extends Env>(options: (c: Context<E>) => GatewayCorsOptions): MiddlewareHandler<E> {
  return async function gatewayCors(c, next) {
    const { origins } = options(c);
    const anyOrigin = origins.includes('*');
    const origin = c.req.header('Origin');
    const allowed = anyOrigin ? '*' : origin !== undefined && origins.includes(origin) ? origin : undefined;

    if (c.req.method === 'OPTIONS' && c.req.header('Access-Control-Request-Method') !== undefined) {
      const headers = new Headers();
      if (!anyOrigin) headers.set('Vary', 'Origin');
      if (allowed) {
        headers.set('Access-Control-Allow-Origin', allowed);
        headers.set('Access-Control-Allow-Methods', ALLOW_METHODS);
        headers.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
        headers.set('Access-Control-Max-Age', MAX_AGE_SECONDS);
      }
      return new Response(null, { status: 204, headers });
    }

    await next();
    if (allowed) {
      c.res.headers.set('Access-Control-Allow-Origin', allowed);
      c.res.headers.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    }
    if (!anyOrigin) c.res.headers.append('Vary', 'Origin');
  };
}

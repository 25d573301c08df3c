import type { Context, MiddlewareHandler } from 'hono';
import { verify, verifyWithJwks } from 'hono/jwt';
import type { AsymmetricAlgorithm } from 'hono/utils/jwt/jwa';
import type { JWTPayload } from 'hono/utils/jwt/types';
import { decodeHeader } from 'hono/utils/jwt/jwt';
import { ApiError } from '../lib/errors';
import { SUBJECT_PATTERN, SUBJECT_RULE, userIdForSubject } from '../domain/users';
import { jwksKeys } from './jwks';

/** The authenticated caller, set by {@link bearerAuth} as `c.get('user')`. */
export interface AuthUser {
  /** The user id in keys, paths and rows, derived from `sub` (domain/users.ts). */
  id: string;
  /** The JWT `sub` as issued. */
  sub: string;
}

export interface BearerAuthOptions {
  /** HS256 secret; tokens with `alg: HS256` are verified with it. */
  secret: string | undefined;
  /** An identity provider: tokens signed with one of `algorithms` are verified with the keys at `url`. */
  jwks: { url: string; algorithms: readonly AsymmetricAlgorithm[] } | undefined;
  /** The `iss` every token must carry (required with `jwks`). */
  issuer: string | undefined;
  /** A token's `aud` (string or array) must name one of these (required with `jwks`). */
  audience: readonly string[] | undefined;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. */
  clockSkewSeconds: number;
}

/**
 * The `typ` headers a JWKS token may carry (hono compares them case-insensitively, with or without
 * `application/`): a plain JWT, or an OAuth 2.0 access token (RFC 9068 `at+jwt`, what Auth0, Okta and
 * Keycloak access tokens say). Other explicit types (logout tokens, DPoP proofs, security event tokens)
 * are refused: they are signed by the same keys but are not credentials (RFC 8725 §3.11).
 */
const JWKS_TOKEN_TYPES = ['JWT', 'at+jwt'];

function unauthorized(message: string, cause?: unknown): ApiError {
  return new ApiError('unauthorized', message, { cause, headers: { 'WWW-Authenticate': 'Bearer' } });
}

/**
 * `exp`, `nbf` and `iat` with a leeway for clocks that disagree a little.
 * hono/jwt checks them without one, so its own checks are turned off.
 */
function checkTimes(payload: JWTPayload, skew: number, requireExp: boolean): void {
  const now = Math.floor(Date.now() / 1000);
  const time = (name: 'exp' | 'nbf' | 'iat'): number | undefined => {
    const value = payload[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`"${name}" is not a number`);
    return value;
  };
  const exp = time('exp');
  const nbf = time('nbf');
  const iat = time('iat');
  if (exp === undefined && requireExp) throw new Error('token has no "exp"');
  if (exp !== undefined && now >= exp + skew) throw new Error('token expired');
  if (nbf !== undefined && now + skew < nbf) throw new Error('token not yet valid');
  if (iat !== undefined && now + skew < iat) throw new Error('token issued in the future');
}

/**
 * Verifies `Authorization: Bearer <JWT>` and sets `c.get('user')`.
 * HS256 with the secret; the asymmetric algorithms allowed for the JWKS with
 * its keys (cached per isolate, see ./jwks.ts); anything else (`none`, an
 * HS256 token when only a JWKS is configured) is refused. `iss` and `aud`
 * are checked whenever configured, which is always with a JWKS; `exp`, `nbf`
 * and `iat` within the clock skew (`exp` required from the JWKS). `sub` may
 * be any 1–255 printable ASCII characters; the user id is derived from it.
 *
 * @example
 * app.use('/images/*', bearerAuth((c) => ({
 *   secret: c.env.JWT_SECRET, jwks: undefined, issuer: undefined, audience: undefined, clockSkewSeconds: 30,
 * })))
 */
export function bearerAuth<E extends { Variables: { user: AuthUser } }>(
  options: (c: Context<E>) => BearerAuthOptions,
): MiddlewareHandler<E> {
  return async function bearerAuth(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/.exec(header);
    if (!match) throw unauthorized('Missing or malformed Authorization: Bearer token');
    const token = match[1]!;
    const { secret, jwks, issuer, audience, clockSkewSeconds } = options(c);
    // Times are checked below, with the leeway.
    const claims = { iss: issuer, aud: audience ? [...audience] : undefined, exp: false, nbf: false, iat: false };
    let payload: JWTPayload;
    try {
      const header = decodeHeader(token);
      const { alg, kid } = header;
      if (alg === 'HS256' && secret) {
        payload = await verify(token, secret, { alg: 'HS256', ...claims });
        checkTimes(payload, clockSkewSeconds, false);
      } else if (jwks && (jwks.algorithms as readonly string[]).includes(alg)) {
        const keys = await jwksKeys(jwks.url, kid);
        // hono requires a `typ` it is given; left to its default, it accepts a token without one.
        const typ = header.typ === undefined ? undefined : JWKS_TOKEN_TYPES;
        payload = await verifyWithJwks(token, {
          keys,
          allowedAlgorithms: jwks.algorithms,
          verification: { ...claims, typ },
        });
        checkTimes(payload, clockSkewSeconds, true);
      } else {
        throw new Error(`token algorithm ${alg} is not accepted here`);
      }
    } catch (error) {
      // The identity provider being down is not the caller's fault: 503, not 401.
      if (error instanceof ApiError) throw error;
      throw unauthorized('Invalid or expired token', error);
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || !SUBJECT_PATTERN.test(sub)) {
      throw unauthorized(`The token's subject is not valid: ${SUBJECT_RULE}`);
    }
    c.set('user', { id: await userIdForSubject(sub), sub });
    await next();
  };
}

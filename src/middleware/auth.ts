import type { Context, MiddlewareHandler } from 'hono';
import { verify, verifyWithJwks } from 'hono/jwt';
import { decodeHeader } from 'hono/utils/jwt/jwt';
import { ApiError } from '../lib/errors';
import { USER_ID_PATTERN, USER_ID_RULE } from '../domain/users';
import { jwksKeys } from './jwks';

/** The authenticated caller, set by {@link bearerAuth} as `c.get('user')`. */
export interface AuthUser {
  /** The JWT `sub`: the user id in keys and rows. */
  id: string;
}

export interface BearerAuthOptions {
  /** HS256 secret; tokens with `alg: HS256` are verified with it. */
  secret: string | undefined;
  /** JWKS URL; tokens with `alg: RS256`/`ES256` are verified with its keys. */
  jwksUrl: string | undefined;
}

const ASYMMETRIC = ['RS256', 'ES256'] as const;

function unauthorized(message: string, cause?: unknown): ApiError {
  return new ApiError('unauthorized', message, { cause, headers: { 'WWW-Authenticate': 'Bearer' } });
}

/**
 * Verifies `Authorization: Bearer <JWT>` and sets `c.get('user')`.
 * HS256 with the secret; RS256/ES256 with the JWKS when one is configured
 * (keys cached per isolate, see ./jwks.ts).
 * `exp` and `nbf` are enforced; `sub` must be a safe user id.
 *
 * @example
 * app.use('/images/*', bearerAuth((c) => ({ secret: c.env.JWT_SECRET, jwksUrl: undefined })))
 */
export function bearerAuth<E extends { Variables: { user: AuthUser } }>(
  options: (c: Context<E>) => BearerAuthOptions,
): MiddlewareHandler<E> {
  return async function bearerAuth(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/.exec(header);
    if (!match) throw unauthorized('Missing or malformed Authorization: Bearer token');
    const token = match[1]!;
    const { secret, jwksUrl } = options(c);
    let payload: Record<string, unknown>;
    try {
      const { alg, kid } = decodeHeader(token);
      if (alg === 'HS256' && secret) {
        payload = await verify(token, secret, 'HS256');
      } else if ((ASYMMETRIC as readonly string[]).includes(alg) && jwksUrl) {
        const keys = await jwksKeys(jwksUrl, kid);
        payload = await verifyWithJwks(token, { keys, allowedAlgorithms: ASYMMETRIC });
      } else {
        throw new Error(`token algorithm ${alg} is not accepted here`);
      }
    } catch (error) {
      // The identity provider being down is not the caller's fault: 503, not 401.
      if (error instanceof ApiError) throw error;
      throw unauthorized('Invalid or expired token', error);
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || !USER_ID_PATTERN.test(sub)) {
      throw unauthorized(`The token's subject is not a valid user id: ${USER_ID_RULE}`);
    }
    c.set('user', { id: sub });
    await next();
  };
}

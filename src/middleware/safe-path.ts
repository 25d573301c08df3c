import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/errors';

/** Traversal and injection markers refused anywhere in a path or query, before routing. */
const UNSAFE = /\.\.|\\|\0/;

/**
 * Rejects requests whose path or query (raw or percent-decoded) contains
 * `..`, a backslash or NUL with 400 `invalid_request`. Keys are never built
 * from client input, so this is defence in depth, not the only guard.
 */
export function safePath(): MiddlewareHandler {
  return async function safePath(c, next) {
    const url = new URL(c.req.url);
    const raw = url.pathname + url.search;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch (error) {
      throw new ApiError('invalid_request', 'The URL is not valid percent-encoding', { cause: error });
    }
    if (UNSAFE.test(raw) || UNSAFE.test(decoded)) {
      throw new ApiError('invalid_request', 'The URL contains a forbidden sequence (.., backslash or NUL)');
    }
    await next();
  };
}

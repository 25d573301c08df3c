import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-types';
import { ApiError } from '../lib/errors';
import { guardStorage } from '../lib/guard-storage';
import { isMediaKey } from '../storage/keys';
import { IMMUTABLE_CACHE_CONTROL } from '../storage/objects';

/** Headers on every served object: only WebP is ever stored, and nothing in it may run. */
function mediaHeaders(object: R2Object): Headers {
  return new Headers({
    'Content-Type': 'image/webp',
    'Cache-Control': IMMUTABLE_CACHE_CONTROL,
    ETag: object.httpEtag,
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
    'Content-Disposition': 'inline',
  });
}

/** Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 §13.1.2 asks). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

type ByteRange = { offset: number; length: number };

/**
 * A single `bytes=` range resolved against `size`; `null` to serve the whole
 * object (no header, or one we don't handle such as multiple ranges), or
 * `'unsatisfiable'` for 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return null;
  return { offset: start, length: end - start + 1 };
}

async function serveObject(c: Context<AppEnv>): Promise<Response> {
  const key = c.req.path.slice('/media/'.length);
  const notFound = new ApiError('not_found', 'No such image');
  if (!isMediaKey(key)) throw notFound;
  const head = await guardStorage('R2 head', () => c.env.IMAGES.head(key));
  if (!head) throw notFound;
  const headers = mediaHeaders(head);

  if (etagMatches(c.req.header('If-None-Match'), head.httpEtag)) return new Response(null, { status: 304, headers });
  const range = parseRange(c.req.header('Range'), head.size);
  if (range === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${head.size}`);
    return new Response(null, { status: 416, headers });
  }
  const status = range ? 206 : 200;
  if (range) headers.set('Content-Range', `bytes ${range.offset}-${range.offset + range.length - 1}/${head.size}`);
  headers.set('Content-Length', String(range ? range.length : head.size));
  if (c.req.method === 'HEAD') return new Response(null, { status, headers });

  const object = await guardStorage('R2 get', () => c.env.IMAGES.get(key, range ? { range } : undefined));
  if (!object) throw notFound;
  return new Response(object.body, { status, headers });
}

/** `GET|HEAD /media/<key>`: stored objects from R2, immutable and cacheable. */
export const mediaRoutes = new Hono<AppEnv>().on(['GET', 'HEAD'], '/*', serveObject);

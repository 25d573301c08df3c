import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-types';
import { ApiError } from '../lib/errors';
import { guardStorage } from '../lib/guard-storage';
import { matchCache, mediaCacheKey, MEDIA_EDGE_TTL_SECONDS, putCache } from '../cache/edge-cache';
import { sliceStream } from '../lib/slice-stream';
import { imageIdOfKey, isMediaKey } from '../storage/keys';
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

/**
 * The object's full `200` response: from this data centre's cache when it is
 * there (no R2 call), else from R2, filling the cache behind the response
 * (`waitUntil`, so the client does not wait for the cache write).
 */
async function fullResponse(c: Context<AppEnv>, key: string): Promise<Response> {
  const cacheKey = mediaCacheKey(key);
  const cached = await matchCache(cacheKey);
  // Ranges and Content-Length are computed from the stored length: an entry without one is not used.
  if (cached && /^\d+$/.test(cached.headers.get('Content-Length') ?? '')) return cached;
  await cached?.body?.cancel();
  const object = await guardStorage('R2 get', () => c.env.IMAGES.get(key));
  if (!object) throw new ApiError('not_found', 'No such image');
  const headers = mediaHeaders(object);
  headers.set('Content-Length', String(object.size));
  const [toCache, toClient] = object.body.tee();
  const edgeHeaders = new Headers(headers);
  edgeHeaders.set('Cache-Control', `public, max-age=${MEDIA_EDGE_TTL_SECONDS}`);
  edgeHeaders.set('Cache-Tag', `image-${imageIdOfKey(key)}`);
  c.executionCtx.waitUntil(putCache(cacheKey, new Response(toCache, { headers: edgeHeaders })));
  return new Response(toClient, { headers });
}

/**
 * Answers a request from the full response, the same way on a hit and on a
 * miss: `If-None-Match` → 304, one `Range` → 206 (416 when unsatisfiable),
 * `HEAD` → headers only.
 */
async function serveObject(c: Context<AppEnv>): Promise<Response> {
  const key = c.req.path.slice('/media/'.length);
  if (!isMediaKey(key)) throw new ApiError('not_found', 'No such image');
  const full = await fullResponse(c, key);
  const headers = new Headers(full.headers);
  // The edge's own TTL and purge tag are not the client's business.
  headers.set('Cache-Control', IMMUTABLE_CACHE_CONTROL);
  headers.delete('Cache-Tag');
  headers.delete('Age');
  const size = Number(full.headers.get('Content-Length'));
  const body = full.body!;

  const answer = (status: number, stream: ReadableStream<Uint8Array> | null = null) => {
    if (!stream) void body.cancel();
    return new Response(stream, { status, headers });
  };
  if (etagMatches(c.req.header('If-None-Match'), headers.get('ETag') ?? '')) {
    headers.delete('Content-Length');
    return answer(304);
  }
  const range = parseRange(c.req.header('Range'), size);
  if (range === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${size}`);
    headers.delete('Content-Length');
    return answer(416);
  }
  const status = range ? 206 : 200;
  const length = range ? range.length : size;
  if (range) headers.set('Content-Range', `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`);
  headers.set('Content-Length', String(length));
  if (c.req.method === 'HEAD') return answer(status);
  const bytes = range ? sliceStream(body, range.offset, range.length) : body;
  return answer(status, bytes.pipeThrough(new FixedLengthStream(length)));
}

/** `GET|HEAD /media/<key>`: stored objects from R2, immutable and cacheable. */
export const mediaRoutes = new Hono<AppEnv>().on(['GET', 'HEAD'], '/*', serveObject);

import type { BodyBudget, BodyHold } from './body-budget';
import { ApiError } from './errors';

/** How much a multipart envelope may add to the file (boundaries, part headers, small fields). */
export const MULTIPART_OVERHEAD = 64 * 1024;

function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `Upload is larger than the ${limit} byte limit`, {
    details: { maxBytes: limit },
  });
}

/** How fast a body must arrive (see {@link readLimited}). */
export interface ReadPace {
  /** The whole body must arrive within this many milliseconds of reading starting. */
  deadlineMs: number;
  /** How long a body may arrive at any rate before {@link minBytesPerSecond} applies. */
  graceMs: number;
  /**
   * After the grace period, a body must have received at least this many bytes
   * per second since the grace period ended (received ≥ rate × (elapsed − grace),
   * as Apache's mod_reqtimeout `MinRate`). 0 turns the floor off.
   */
  minBytesPerSecond: number;
}

/** Where a body's bytes are counted, and the pace it must keep. */
export interface ReadLimits {
  /** Bytes the body may have; one more is `payload_too_large`. */
  limit: number;
  /** The isolate's budget for buffered bodies, and this upload's hold in it (claimed by the caller). */
  budget: BodyBudget;
  hold: BodyHold;
  /** The body's declared Content-Length, if any: a longer body is refused. */
  declared: number | undefined;
  pace: ReadPace;
}

/** What a reader may read at once, at most, before asking the budget again. */
const READ_AHEAD = 64 * 1024;

function tooSlow(pace: ReadPace, reason: 'deadline' | 'rate'): ApiError {
  const message =
    reason === 'deadline'
      ? `The upload body did not arrive within ${pace.deadlineMs / 1000} seconds`
      : `The upload body arrived slower than ${pace.minBytesPerSecond} bytes per second`;
  const details =
    reason === 'deadline'
      ? { timeoutSeconds: pace.deadlineMs / 1000 }
      : { minBytesPerSecond: pace.minBytesPerSecond, graceSeconds: pace.graceMs / 1000 };
  return new ApiError('request_timeout', message, { details });
}

/**
 * The stream's next chunk, or the watchdog's error. A stream that fails is a
 * body that was cut off (in workerd: "client disconnected"): the client's
 * doing, so a 4xx, not an internal error with a stack in the log.
 */
async function nextChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  watchdog: Promise<never>,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await Promise.race([reader.read(), watchdog]);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('invalid_request', 'The upload body was cut off before its end', { cause: error });
  }
}

/**
 * Reads a stream into one buffer, counting as it goes:
 * - size: stops (cancelling the stream) as soon as more than `limit` bytes
 *   arrive, so a chunked body of any size costs at most `limit` bytes;
 * - memory: every byte received is recorded in the isolate's {@link BodyBudget},
 *   and each read waits until the budget can take one more chunk;
 * - pace: a body that misses the deadline or falls below the rate floor is
 *   cancelled at once. Time spent waiting for the budget is not counted
 *   against the client.
 * @throws ApiError `payload_too_large`, `request_timeout`, `invalid_request`
 *   (a body longer than its Content-Length, or cut off: the client went away)
 */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limits: ReadLimits): Promise<Uint8Array> {
  const { limit, budget, hold, declared, pace } = limits;
  if (!stream) {
    budget.record(hold, 0, true);
    return new Uint8Array(0);
  }
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  // The client's clock leaves out time that is not its fault: waiting for the
  // budget, and stretches when this isolate was too busy (processing another
  // image) to run the watchdog or take in the bytes that had arrived.
  const started = Date.now();
  let excusedMs = 0;
  let waitingSince: number | undefined;
  const elapsed = () => Date.now() - started - excusedMs - (waitingSince === undefined ? 0 : Date.now() - waitingSince);
  const violation = (): ApiError | undefined => {
    const ms = elapsed();
    if (ms >= pace.deadlineMs) return tooSlow(pace, 'deadline');
    if (
      pace.minBytesPerSecond > 0 &&
      ms > pace.graceMs &&
      length < (pace.minBytesPerSecond * (ms - pace.graceMs)) / 1000
    ) {
      return tooSlow(pace, 'rate');
    }
    return undefined;
  };
  // A watchdog on this request's own timer: a client that sends nothing never wakes the read loop.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tickMs = Math.max(10, Math.min(250, pace.graceMs / 4, pace.deadlineMs / 8));
  const watchdog = new Promise<never>((_, reject) => {
    let last = Date.now();
    const tick = () => {
      const now = Date.now();
      // A tick this late means the isolate was busy: excuse the delay.
      excusedMs += Math.max(0, now - last - 2 * tickMs);
      last = now;
      const error = waitingSince === undefined ? violation() : undefined;
      if (error) reject(error);
      else timer = setTimeout(tick, tickMs);
    };
    timer = setTimeout(tick, tickMs);
  });
  watchdog.catch(() => undefined);

  try {
    for (;;) {
      waitingSince = Date.now();
      await budget.mayRead(hold, READ_AHEAD);
      excusedMs += Date.now() - waitingSince;
      waitingSince = undefined;
      const { done, value } = await nextChunk(reader, watchdog);
      if (done) break;
      length += value.byteLength;
      if (length > limit) throw tooLarge(limit);
      if (declared !== undefined && length > declared) {
        throw new ApiError('invalid_request', 'The body is longer than its Content-Length');
      }
      chunks.push(value);
      budget.record(hold, length);
      const error = violation();
      if (error) throw error;
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  budget.record(hold, length, true);
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/** What {@link checkUploadHeaders} read from the headers, for {@link readUpload}. */
export interface UploadHeaders {
  /** The file's size limit in bytes. */
  maxBytes: number;
  /** A multipart/form-data body (else a raw image/* body). */
  multipart: boolean;
  /** Bytes the multipart envelope may add to the file. */
  envelope: number;
  /** The declared Content-Length, if any. */
  declared: number | undefined;
}

/**
 * What the headers alone decide, before any byte of the body is read: the
 * request Content-Type must be multipart/form-data or image/*, and a
 * declared Content-Length must be within the limit.
 * @throws ApiError `unsupported_media_type`, `payload_too_large`
 */
export function checkUploadHeaders(request: Request, maxBytes: number): UploadHeaders {
  const mediaType = (request.headers.get('Content-Type') ?? '').toLowerCase();
  const multipart = mediaType.startsWith('multipart/form-data');
  if (!multipart && !mediaType.startsWith('image/')) {
    throw new ApiError(
      'unsupported_media_type',
      'Send the image as multipart/form-data with a "file" field, or as a raw body with Content-Type: image/*',
    );
  }
  const envelope = multipart ? MULTIPART_OVERHEAD : 0;
  const length = Number(request.headers.get('Content-Length') ?? NaN);
  const declared = Number.isFinite(length) ? length : undefined;
  if (declared !== undefined && declared > maxBytes + envelope) throw tooLarge(maxBytes);
  return { maxBytes, multipart, envelope, declared };
}

/**
 * The uploaded file's bytes from a request: a `multipart/form-data` body with
 * a `file` field, or a raw body with `Content-Type: image/*`, as
 * {@link checkUploadHeaders} found (call it first, before waiting for
 * anything). The size limit is enforced from `Content-Length` there and by
 * counting while reading here (chunked bodies), and the body must keep `pace`
 * (see {@link readLimited}). The declared content type is never trusted for
 * the format; the pipeline sniffs magic bytes.
 *
 * @throws ApiError `payload_too_large`, `request_timeout`, `invalid_request`
 *   (multipart without a `file` part)
 */
export async function readUpload(
  request: Request,
  headers: UploadHeaders,
  memory: { budget: BodyBudget; hold: BodyHold },
  pace: ReadPace,
): Promise<Uint8Array> {
  const { maxBytes, multipart, envelope, declared } = headers;
  const contentType = request.headers.get('Content-Type') ?? '';
  const body = await readLimited(request.body, { limit: maxBytes + envelope, ...memory, declared, pace });
  if (!multipart) return body;

  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'Content-Type': contentType } }).formData();
  } catch (error) {
    throw new ApiError('invalid_request', 'The multipart/form-data body could not be parsed', { cause: error });
  }
  const file = form.get('file');
  if (file === null || typeof file === 'string') {
    throw new ApiError('invalid_request', 'Expected a file in the multipart field "file"');
  }
  if (file.size > maxBytes) throw tooLarge(maxBytes);
  return new Uint8Array(await file.arrayBuffer());
}

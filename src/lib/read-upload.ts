import { ApiError } from './errors';

/** How much a multipart envelope may add to the file (boundaries, part headers, small fields). */
const MULTIPART_OVERHEAD = 64 * 1024;

function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `Upload is larger than the ${limit} byte limit`, {
    details: { maxBytes: limit },
  });
}

/**
 * Reads a stream into one buffer, counting as it goes, and stops (cancelling
 * the stream) as soon as more than `limit` bytes arrive: a chunked body of
 * any size costs at most `limit` bytes of memory.
 * @throws ApiError `payload_too_large`
 */
export async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  sizeHint = 0,
): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  let buffer = new Uint8Array(Math.min(Math.max(sizeHint, 64 * 1024), limit));
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.byteLength > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    if (length + value.byteLength > buffer.byteLength) {
      const grown = new Uint8Array(Math.min(limit, Math.max(buffer.byteLength * 2, length + value.byteLength)));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(value, length);
    length += value.byteLength;
  }
  return buffer.subarray(0, length);
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
 * counting while reading here (chunked bodies). The declared content type is never trusted for
 * the format; the pipeline sniffs magic bytes.
 *
 * @throws ApiError `payload_too_large`, `invalid_request` (multipart without a `file` part)
 */
export async function readUpload(request: Request, headers: UploadHeaders): Promise<Uint8Array> {
  const { maxBytes, multipart, envelope, declared } = headers;
  const contentType = request.headers.get('Content-Type') ?? '';
  const body = await readLimited(request.body, maxBytes + envelope, declared ?? 0);
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

import { asciiBytes, ByteReader, invalidImage, startsWith } from '../bytes';

const RIFF = asciiBytes('RIFF');
const WEBP = asciiBytes('WEBP');
const CHUNK_HEADER_SIZE = 8;

/** A RIFF chunk located in the file; the payload is `bytes[start, start + size)`. */
export interface RiffChunk {
  fourcc: string;
  /** Offset of the payload (just after the 8-byte chunk header). */
  start: number;
  /** Payload size as declared, without the padding byte. */
  size: number;
}

/**
 * The top-level chunks of a WebP file, after checking the RIFF header.
 * The RIFF size may exceed the file by one byte (a missing final padding
 * byte); bytes after the RIFF size are ignored, as libwebp does.
 * @throws invalid_image (lazily, while iterating) when the RIFF size or any
 *   chunk runs past the end of the data.
 */
export function webpChunks(bytes: Uint8Array): Generator<RiffChunk, void, undefined> {
  if (!startsWith(bytes, RIFF) || !startsWith(bytes, WEBP, 8)) throw invalidImage('WebP signature is missing');
  const riffSize = new ByteReader(bytes, 4).u32le();
  if (riffSize < 4 + CHUNK_HEADER_SIZE) throw invalidImage('WebP data is truncated');
  const riffEnd = 8 + riffSize;
  if (riffEnd > bytes.length + 1) throw invalidImage('WebP data is truncated');
  return riffChunks(bytes, 12, Math.min(riffEnd, bytes.length));
}

/**
 * Chunks in `bytes[start, end)`, each padded to an even size. The padding
 * byte of the last chunk may be missing.
 * @throws invalid_image (lazily) when a chunk header or payload runs past `end`.
 */
export function* riffChunks(bytes: Uint8Array, start: number, end: number): Generator<RiffChunk, void, undefined> {
  const region = new ByteReader(bytes.subarray(0, end), start);
  while (region.pos < end) {
    const fourcc = region.ascii(4);
    const size = region.u32le();
    const chunk = { fourcc, start: region.pos, size };
    region.skip(size);
    if (size % 2 === 1 && region.pos < end) region.skip(1);
    yield chunk;
  }
}

/** The payload of `chunk` as a view. */
export function chunkData(bytes: Uint8Array, chunk: RiffChunk): Uint8Array {
  return bytes.subarray(chunk.start, chunk.start + chunk.size);
}

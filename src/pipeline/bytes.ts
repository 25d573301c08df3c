import { keepShape } from './keep-shape';
import { PipelineError } from './errors';

/**
 * An `invalid_image` error with a public-safe message.
 * The parsers throw only this (never a RangeError), so a hostile file always maps to 422.
 */
export function invalidImage(message: string, details?: Record<string, unknown>): PipelineError {
  return new PipelineError('invalid_image', message, details === undefined ? undefined : { details });
}

const TRUNCATED = 'Image data is truncated or corrupt';

/**
 * A cursor over bytes where every read is bounds-checked.
 * Reading past the end throws `invalid_image` instead of returning garbage or a RangeError.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  pos: number;

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  get length(): number {
    return this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /**
   * Throws `invalid_image` unless `n` more bytes are available.
   * @throws invalid_image
   */
  need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw invalidImage(TRUNCATED);
  }

  /** @throws invalid_image when `pos` is outside the data. */
  seek(pos: number): void {
    if (pos < 0 || pos > this.bytes.length) throw invalidImage(TRUNCATED);
    this.pos = pos;
  }

  /** @throws invalid_image */
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** @throws invalid_image */
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  /** @throws invalid_image */
  u16be(): number {
    this.need(2);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  /** @throws invalid_image */
  u16le(): number {
    this.need(2);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  /** @throws invalid_image */
  u24le(): number {
    this.need(3);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
  }

  /** @throws invalid_image */
  u32be(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    // `* 2 ** 24` rather than `<< 24` keeps the result unsigned.
    return b[p]! * 2 ** 24 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** @throws invalid_image */
  u32le(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return b[p + 3]! * 2 ** 24 + ((b[p + 2]! << 16) | (b[p + 1]! << 8) | b[p]!);
  }

  /**
   * The next `n` bytes as a view (no copy).
   * @throws invalid_image
   */
  take(n: number): Uint8Array {
    this.need(n);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /**
   * The next `n` bytes as Latin-1 text (for four-character codes and signatures).
   * @throws invalid_image
   */
  ascii(n: number): string {
    return String.fromCharCode(...this.take(n));
  }
}

/** Whether `bytes` holds exactly `prefix` at `offset` (false when out of bounds). */
export function startsWith(bytes: Uint8Array, prefix: ArrayLike<number>, offset = 0): boolean {
  if (offset < 0 || offset + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[offset + i] !== prefix[i]) return false;
  }
  return true;
}

/** The bytes of an ASCII string, for comparing signatures with {@link startsWith}. */
export function asciiBytes(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

// Keeps the reader's map alive between images (see keepShape).
keepShape(new ByteReader(new Uint8Array(0)));

import { keepShape } from '../keep-shape';

const MAX_CODE_BITS = 12;
const TABLE_SIZE = 1 << MAX_CODE_BITS;

/**
 * GIF's variable-length LZW decoder (GIF89a Appendix F): codes are read
 * LSB-first, start at minCodeSize + 1 bits and grow to 12; a clear code resets
 * the table; a full table keeps 12-bit codes until the next clear.
 *
 * The output is read in pieces ({@link LzwDecoder.read}, a row of the frame
 * per call), and a string cut by the end of a piece is finished by the next
 * read. A piece per call rather than the whole frame in one loop: a loop that
 * runs once per image is compiled by V8 on-stack, for that call only, so every
 * image started unoptimised; a method called per row is compiled once per
 * isolate and stays compiled.
 *
 * Decoding stops, without error, at the end code, at the end of the data or
 * at a code that cannot occur in a valid stream; from then on reads write
 * nothing. Never throws and never loops without consuming input.
 */
export class LzwDecoder {
  private readonly data: Uint8Array;
  private readonly minCodeSize: number;
  private readonly clearCode: number;
  private readonly endCode: number;
  private readonly prefix = new Uint16Array(TABLE_SIZE);
  private readonly suffix = new Uint8Array(TABLE_SIZE);
  /** The string being output, last index first; `pending` of it are still to be written. */
  private readonly stack = new Uint8Array(TABLE_SIZE + 1);
  private pending = 0;
  private codeSize: number;
  private nextCode: number;
  private previous = -1;
  private firstOfPrevious = 0;
  private bitBuffer = 0;
  private bitCount = 0;
  private bytePos = 0;
  private ended = false;

  constructor(data: Uint8Array, minCodeSize: number) {
    this.data = data;
    this.minCodeSize = minCodeSize;
    this.clearCode = 1 << minCodeSize;
    this.endCode = this.clearCode + 1;
    this.codeSize = minCodeSize + 1;
    this.nextCode = this.endCode + 1;
    for (let i = 0; i < this.clearCode; i++) this.suffix[i] = i;
  }

  /** Writes the next indices into `out[start]` up to `out[end - 1]`; returns how many (fewer only once decoding has stopped). */
  read(out: Uint8Array, start: number, end: number): number {
    const { data, prefix, suffix, stack, clearCode, endCode } = this;
    let sp = this.pending;
    let w = start;
    while (sp > 0 && w < end) out[w++] = stack[--sp]!;
    let codeSize = this.codeSize;
    let nextCode = this.nextCode;
    let previous = this.previous;
    let firstOfPrevious = this.firstOfPrevious;
    let bitBuffer = this.bitBuffer;
    let bitCount = this.bitCount;
    let bytePos = this.bytePos;
    let ended = this.ended;

    while (w < end && !ended) {
      while (bitCount < codeSize && bytePos < data.length) {
        bitBuffer |= data[bytePos++]! << bitCount;
        bitCount += 8;
      }
      if (bitCount < codeSize) {
        ended = true;
        break;
      }
      const code = bitBuffer & ((1 << codeSize) - 1);
      bitBuffer >>>= codeSize;
      bitCount -= codeSize;

      if (code === clearCode) {
        codeSize = this.minCodeSize + 1;
        nextCode = endCode + 1;
        previous = -1;
        continue;
      }
      if (code === endCode) {
        ended = true;
        break;
      }
      if (previous === -1) {
        if (code > clearCode) {
          ended = true;
          break;
        }
        out[w++] = code;
        previous = code;
        firstOfPrevious = code;
        continue;
      }
      if (code > nextCode) {
        ended = true;
        break;
      }

      // Walk the string for `code` backwards into the stack; the KwKwK case
      // (code not yet in the table) is the previous string plus its first byte.
      sp = 0;
      let walk = code;
      if (code === nextCode) {
        stack[sp++] = firstOfPrevious;
        walk = previous;
      }
      while (walk > endCode) {
        stack[sp++] = suffix[walk]!;
        walk = prefix[walk]!;
      }
      stack[sp++] = walk;
      firstOfPrevious = walk;
      while (sp > 0 && w < end) out[w++] = stack[--sp]!;

      if (nextCode < TABLE_SIZE) {
        prefix[nextCode] = previous;
        suffix[nextCode] = firstOfPrevious;
        nextCode++;
        if (nextCode === 1 << codeSize && codeSize < MAX_CODE_BITS) codeSize++;
      }
      previous = code;
    }

    this.pending = sp;
    this.codeSize = codeSize;
    this.nextCode = nextCode;
    this.previous = previous;
    this.firstOfPrevious = firstOfPrevious;
    this.bitBuffer = bitBuffer;
    this.bitCount = bitCount;
    this.bytePos = bytePos;
    this.ended = ended;
    return w - start;
  }
}

// Keeps the decoder's map alive between images (see keepShape).
keepShape(new LzwDecoder(new Uint8Array(0), 2));

import { invalidImage } from '../bytes';
import { keepShape } from '../keep-shape';

/** `marker` value when the data ended with no marker at all. */
export const END_OF_DATA = -2;
/** `marker` value while no marker has been met. */
const NO_MARKER = -1;

/**
 * Reads bits from entropy-coded data (ITU T.81 §F.2.2.5): `FF 00` is a
 * stuffed `FF`, any other `FF xx` is a marker that ends the data. Past the end
 * it supplies zero bits (as libjpeg does) but counts them, so the scan
 * decoders can tell a complete MCU from one that ran out of data.
 */
export class BitReader {
  readonly bytes: Uint8Array;
  /** Next byte to read; once a marker is met, the offset of its `FF`. */
  pos: number;
  /** The marker that stopped the reader, NO_MARKER, or END_OF_DATA. */
  marker = NO_MARKER;
  /**
   * Bit accumulator: the low `count` bits are the next ones, most significant
   * first. Public for the sequential scan's hot loop, which holds both in
   * locals and hands them back (see scan-sequential.ts) around {@link fill}.
   */
  acc = 0;
  count = 0;
  /** Zero bits appended after the real data, still in `acc`. */
  private padding = 0;

  constructor(bytes: Uint8Array, pos: number) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** Whether bits past the end of the data have been consumed. */
  get overran(): boolean {
    return this.count < this.padding;
  }

  /** The next 16 bits, not consumed. */
  peek16(): number {
    if (this.count < 16) this.fill();
    return (this.acc >>> (this.count - 16)) & 0xffff;
  }

  skip(n: number): void {
    this.count -= n;
  }

  /** The next `n` (0..16) bits as an unsigned number. */
  bits(n: number): number {
    if (n === 0) return 0;
    if (this.count < n) this.fill();
    this.count -= n;
    return (this.acc >>> this.count) & ((1 << n) - 1);
  }

  bit(): number {
    if (this.count < 1) this.fill();
    this.count--;
    return (this.acc >>> this.count) & 1;
  }

  /** RECEIVE then EXTEND (ITU T.81 §F.2.2.1, Figure F.12): a signed value of `n` bits. */
  receiveExtend(n: number): number {
    if (n === 0) return 0;
    const v = this.bits(n);
    return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
  }

  /** Tops the accumulator up to more than 24 bits. */
  fill(): void {
    if (this.marker === NO_MARKER) {
      // Fast path: plain bytes (no FF) go straight in; nextByte handles the rest.
      const bytes = this.bytes;
      const end = bytes.length;
      let acc = this.acc;
      let count = this.count;
      let pos = this.pos;
      while (count <= 24 && pos < end) {
        const b = bytes[pos]!;
        if (b === 0xff) break;
        acc = (acc << 8) | b;
        count += 8;
        pos++;
      }
      this.acc = acc;
      this.count = count;
      this.pos = pos;
    }
    while (this.count <= 24) {
      this.acc = (this.acc << 8) | this.nextByte();
      this.count += 8;
    }
  }

  private nextByte(): number {
    if (this.marker === NO_MARKER) {
      const bytes = this.bytes;
      const end = bytes.length;
      if (this.pos < end) {
        const b = bytes[this.pos]!;
        if (b !== 0xff) {
          this.pos++;
          return b;
        }
        // Fill bytes (extra FFs) may precede a marker (§B.1.1.2).
        let p = this.pos + 1;
        while (p < end && bytes[p] === 0xff) p++;
        if (p < end && bytes[p] === 0) {
          this.pos = p + 1;
          return 0xff;
        }
        this.marker = p < end ? bytes[p]! : END_OF_DATA;
        this.pos = p - 1;
      } else {
        this.marker = END_OF_DATA;
      }
    }
    this.padding += 8;
    return 0;
  }

  /**
   * Drops the bits left in the current byte-aligned segment and finds the
   * next marker, skipping any garbage before it (as libjpeg's next_marker
   * does). Leaves `pos` on the marker's `FF` and returns its code, or
   * END_OF_DATA.
   */
  findMarker(): number {
    this.acc = 0;
    this.count = 0;
    this.padding = 0;
    this.marker = NO_MARKER;
    const bytes = this.bytes;
    let p = this.pos;
    for (;;) {
      p = bytes.indexOf(0xff, p);
      if (p < 0) {
        this.pos = bytes.length;
        return END_OF_DATA;
      }
      let q = p + 1;
      while (q < bytes.length && bytes[q] === 0xff) q++;
      if (q >= bytes.length) {
        this.pos = bytes.length;
        return END_OF_DATA;
      }
      if (bytes[q] !== 0) {
        this.pos = q - 1;
        return bytes[q]!;
      }
      p = q + 1;
    }
  }

  /**
   * At a restart boundary: expects an RSTn marker, steps over it and resets
   * the reader (ITU T.81 §F.2.1.3). Any RSTn is accepted, since a lost one
   * would only shift the picture, like libjpeg's resync.
   * @throws invalid_image when the data ends or another marker comes first
   *   (the scan is cut short).
   */
  restart(): void {
    const m = this.findMarker();
    if (m < 0xd0 || m > 0xd7) throw invalidImage('JPEG data is truncated');
    this.pos += 2;
  }
}

// Keeps the reader's map alive between images (see keepShape).
keepShape(new BitReader(new Uint8Array(0), 0));

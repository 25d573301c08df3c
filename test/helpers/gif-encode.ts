// A small, unoptimised GIF89a encoder for tests and fixtures: global colour
// table, per-frame offsets, optional local colour table, transparency and
// delay via a graphic control extension, interlacing, NETSCAPE2.0 looping.
// LZW follows GIF89a Appendix F (clear code first, codes grow to 12 bits).

export type Rgb = readonly [number, number, number];

export interface GifEncodeFrame {
  width: number;
  height: number;
  /** One palette index per pixel, row-major in natural (top-to-bottom) order. */
  indices: ArrayLike<number>;
  left?: number;
  top?: number;
  /** Local colour table for this frame only. */
  localPalette?: readonly Rgb[];
  /** Index drawn as transparent (written in a graphic control extension). */
  transparentIndex?: number;
  /** Store rows in the 4-pass interlaced order. */
  interlace?: boolean;
  /** Delay in hundredths of a second. */
  delayCs?: number;
  /** 0 unspecified, 1 keep, 2 restore to background, 3 restore to previous. */
  disposal?: number;
}

export interface GifEncodeOptions {
  /** Logical screen size. */
  width: number;
  height: number;
  /** Global colour table (padded to a power of two); omit for none. */
  palette?: readonly Rgb[];
  /** Write a NETSCAPE2.0 loop-forever extension. */
  loop?: boolean;
  /** When the LZW table fills, keep emitting 12-bit codes instead of a clear code (a "deferred clear"). */
  deferClear?: boolean;
}

/** Encodes frames into a complete GIF89a file (header to trailer). */
export function encodeGif(frames: readonly GifEncodeFrame[], options: GifEncodeOptions): Uint8Array {
  const out: number[] = [...ascii('GIF89a')];
  pushU16(out, options.width);
  pushU16(out, options.height);
  if (options.palette) {
    const bits = tableBits(options.palette.length);
    out.push(0x80 | ((bits - 1) << 4) | (bits - 1), 0, 0);
    pushPalette(out, options.palette, bits);
  } else {
    out.push(0, 0, 0);
  }
  if (options.loop) out.push(0x21, 0xff, 11, ...ascii('NETSCAPE2.0'), 3, 1, 0, 0, 0);
  for (const frame of frames) pushFrame(out, frame, options);
  out.push(0x3b);
  return Uint8Array.from(out);
}

/**
 * LZW-compresses palette indices into GIF's LSB-first code stream (without
 * the sub-block framing). Starts with a clear code and ends with the end code.
 */
export function lzwEncode(indices: ArrayLike<number>, minCodeSize: number, deferClear = false): Uint8Array {
  const clearCode = 1 << minCodeSize;
  const endCode = clearCode + 1;
  const bits = new BitWriter();
  let codeSize = minCodeSize + 1;
  let nextCode = endCode + 1;
  let table = new Map<number, number>();
  bits.write(clearCode, codeSize);
  if (indices.length === 0) {
    bits.write(endCode, codeSize);
    return bits.finish();
  }
  let current = indices[0]!;
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i]!;
    const key = current * 256 + k;
    const found = table.get(key);
    if (found !== undefined) {
      current = found;
      continue;
    }
    bits.write(current, codeSize);
    if (nextCode < 4096) {
      // The decoder adds its entry one code later, so the width grows when the new code needs it.
      if (nextCode === 1 << codeSize) codeSize++;
      table.set(key, nextCode++);
    } else if (!deferClear) {
      bits.write(clearCode, codeSize);
      codeSize = minCodeSize + 1;
      nextCode = endCode + 1;
      table = new Map();
    }
    current = k;
  }
  bits.write(current, codeSize);
  // The decoder adds an entry after the last code too, which may widen the end code.
  if (nextCode < 4096 && nextCode === 1 << codeSize) codeSize++;
  bits.write(endCode, codeSize);
  return bits.finish();
}

/** Splits data into GIF sub-blocks (length byte + up to 255 bytes) with the 0 terminator. */
export function subBlocks(data: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 255) {
    const block = data.subarray(i, i + 255);
    out.push(block.length);
    for (const byte of block) out.push(byte);
  }
  out.push(0);
  return out;
}

/** Row order of an interlaced image: rows 0,8,16…; 4,12…; 2,6…; 1,3… */
export function interlaceRows(height: number): number[] {
  const rows: number[] = [];
  for (const [start, step] of [
    [0, 8],
    [4, 8],
    [2, 4],
    [1, 2],
  ] as const) {
    for (let y = start; y < height; y += step) rows.push(y);
  }
  return rows;
}

function pushFrame(out: number[], frame: GifEncodeFrame, options: GifEncodeOptions): void {
  if (frame.transparentIndex !== undefined || frame.delayCs !== undefined || frame.disposal !== undefined) {
    const transparent = frame.transparentIndex !== undefined ? 1 : 0;
    out.push(0x21, 0xf9, 4, ((frame.disposal ?? 0) << 2) | transparent);
    pushU16(out, frame.delayCs ?? 0);
    out.push(frame.transparentIndex ?? 0, 0);
  }
  out.push(0x2c);
  pushU16(out, frame.left ?? 0);
  pushU16(out, frame.top ?? 0);
  pushU16(out, frame.width);
  pushU16(out, frame.height);
  const palette = frame.localPalette ?? options.palette ?? [];
  const localBits = frame.localPalette ? tableBits(frame.localPalette.length) : 0;
  out.push((frame.localPalette ? 0x80 | (localBits - 1) : 0) | (frame.interlace ? 0x40 : 0));
  if (frame.localPalette) pushPalette(out, frame.localPalette, localBits);
  const minCodeSize = Math.max(2, tableBits(Math.max(palette.length, 2)));
  out.push(minCodeSize);
  // A loop, not a spread: image data can exceed the engine's argument limit.
  for (const byte of subBlocks(lzwEncode(streamOrder(frame), minCodeSize, options.deferClear))) out.push(byte);
}

function streamOrder(frame: GifEncodeFrame): ArrayLike<number> {
  if (!frame.interlace) return frame.indices;
  const ordered: number[] = [];
  for (const y of interlaceRows(frame.height)) {
    for (let x = 0; x < frame.width; x++) ordered.push(frame.indices[y * frame.width + x]!);
  }
  return ordered;
}

function tableBits(colours: number): number {
  let bits = 1;
  while (1 << bits < colours) bits++;
  if (bits > 8) throw new Error('GIF colour tables hold at most 256 colours');
  return bits;
}

function pushPalette(out: number[], palette: readonly Rgb[], bits: number): void {
  for (let i = 0; i < 1 << bits; i++) out.push(...(palette[i] ?? [0, 0, 0]));
}

function pushU16(out: number[], value: number): void {
  out.push(value & 0xff, (value >> 8) & 0xff);
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private count = 0;

  write(code: number, size: number): void {
    this.acc |= code << this.count;
    this.count += size;
    while (this.count >= 8) {
      this.bytes.push(this.acc & 0xff);
      this.acc >>>= 8;
      this.count -= 8;
    }
  }

  finish(): Uint8Array {
    if (this.count > 0) this.bytes.push(this.acc & 0xff);
    return Uint8Array.from(this.bytes);
  }
}

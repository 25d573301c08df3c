import { ADAM7 } from '../../../src/pipeline/png/adam7';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../../src/pipeline/errors';
import { decodePng, type PngDecodeOptions } from '../../../src/pipeline/png/decoder';
import { inputSlices, ZlibReader } from '../../../src/pipeline/png/inflate';
import type { RowSink } from '../../../src/pipeline/rows';
import type { RgbaImage } from '../../../src/pipeline/types';
import { concat, zlibCompress } from '../../fixtures/bytes';
import { noise } from '../../fixtures/pixels';
import { pngChunk, readPngChunks, type PngChunk } from '../../fixtures/png';
import { encodePng, jsquashPng16Rounded, jsquashPngDecode } from '../../helpers/encoders';
import { seededRandom } from '../../helpers/pipeline-error';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const LIMIT: PngDecodeOptions = { maxPixels: 50_000_000 };
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** What a test PNG holds: raw samples, one number per channel, row-major, each in 0..2^bitDepth-1. */
interface RawImage {
  width: number;
  height: number;
  colorType: number;
  bitDepth: number;
  samples: number[];
  /** PLTE, tRNS and the like, written between IHDR and IDAT. */
  chunks?: PngChunk[];
}

interface EncodeOptions {
  interlaced?: boolean;
  /** One filter type for every row, or 'mix' to cycle 0..4 row by row (default). */
  filter?: number | 'mix';
}

/** PNG §7.2: samples packed big-endian, sub-byte samples from the high bit, each row padded to a byte. */
function packRow(samples: number[], bitDepth: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((samples.length * bitDepth) / 8));
  samples.forEach((v, i) => {
    if (bitDepth === 16) {
      out[i * 2] = v >> 8;
      out[i * 2 + 1] = v & 0xff;
    } else if (bitDepth === 8) {
      out[i] = v;
    } else {
      const bit = i * bitDepth;
      out[bit >> 3]! |= v << (8 - bitDepth - (bit & 7));
    }
  });
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** PNG §9.2: the filter byte followed by the filtered row. */
function filterRow(type: number, raw: Uint8Array, prev: Uint8Array, bpp: number): Uint8Array {
  const out = new Uint8Array(raw.length + 1);
  out[0] = type;
  for (let i = 0; i < raw.length; i++) {
    const a = i >= bpp ? raw[i - bpp]! : 0;
    const b = prev[i]!;
    const c = i >= bpp ? prev[i - bpp]! : 0;
    const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type]!;
    out[i + 1] = (raw[i]! - predictor) & 0xff;
  }
  return out;
}

/** The uncompressed, filtered scanlines (the bytes the zlib stream holds). */
function scanlines(img: RawImage, options: EncodeOptions = {}): Uint8Array {
  const channels = CHANNELS[img.colorType]!;
  const bpp = Math.max(1, (channels * img.bitDepth) >> 3);
  const passes = options.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const lines: Uint8Array[] = [];
  let rowIndex = 0;
  for (const [x0, y0, dx, dy] of passes) {
    let prev: Uint8Array | undefined;
    for (let y = y0; y < img.height; y += dy) {
      const samples: number[] = [];
      for (let x = x0; x < img.width; x += dx) {
        const at = (y * img.width + x) * channels;
        samples.push(...img.samples.slice(at, at + channels));
      }
      if (samples.length === 0) continue;
      const raw = packRow(samples, img.bitDepth);
      prev ??= new Uint8Array(raw.length);
      const filter = options.filter ?? 'mix';
      lines.push(filterRow(filter === 'mix' ? rowIndex++ % 5 : filter, raw, prev, bpp));
      prev = raw;
    }
  }
  return concat(...lines);
}

function ihdrChunk(img: Pick<RawImage, 'width' | 'height' | 'bitDepth' | 'colorType'>, interlaced = false): PngChunk {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, img.width);
  view.setUint32(4, img.height);
  data.set([img.bitDepth, img.colorType, 0, 0, interlaced ? 1 : 0], 8);
  return { type: 'IHDR', data };
}

/** A PNG file from chunks; `idat` is split into IDAT chunks of at most `idatSize` bytes. */
function pngFile(ihdr: PngChunk, chunks: PngChunk[], idat: Uint8Array, idatSize = 1 << 20): Uint8Array {
  const idats: Uint8Array[] = [];
  for (let at = 0; at < idat.length || at === 0; at += idatSize) {
    idats.push(pngChunk('IDAT', idat.subarray(at, at + idatSize)));
  }
  return concat(
    SIGNATURE,
    pngChunk(ihdr.type, ihdr.data),
    ...chunks.map((c) => pngChunk(c.type, c.data)),
    ...idats,
    pngChunk('IEND', new Uint8Array(0)),
  );
}

async function encodeRaw(img: RawImage, options: EncodeOptions = {}, idatSize?: number): Promise<Uint8Array> {
  const idat = await zlibCompress(scanlines(img, options));
  return pngFile(ihdrChunk(img, options.interlaced), img.chunks ?? [], idat, idatSize);
}

/** Seeded random samples for a colour type and depth; palette images get a palette with some translucent entries. */
function randomImage(colorType: number, bitDepth: number, width: number, height: number, seed: number): RawImage {
  const next = seededRandom(seed);
  const channels = CHANNELS[colorType]!;
  const chunks: PngChunk[] = [];
  let range = 2 ** bitDepth;
  if (colorType === 3) {
    const entries = Math.min(range, 200);
    const plte = Uint8Array.from({ length: entries * 3 }, () => Math.floor(next() * 256));
    const trns = Uint8Array.from({ length: Math.floor(entries / 2) }, () => Math.floor(next() * 256));
    chunks.push({ type: 'PLTE', data: plte }, { type: 'tRNS', data: trns });
    range = entries;
  }
  const samples = Array.from({ length: width * height * channels }, () => Math.floor(next() * range));
  return { width, height, colorType, bitDepth, samples, chunks };
}

/** A sink that paints a full RGBA frame and counts how often each pixel was written. */
function frameSink(width: number, height: number) {
  const data = new Uint8ClampedArray(width * height * 4);
  const writes = new Uint8Array(width * height);
  const calls: { y: number; x0: number; dx: number; n: number }[] = [];
  const sink: RowSink = {
    put(y, rgba, x0 = 0, dx = 1) {
      calls.push({ y, x0, dx, n: rgba.length / 4 });
      for (let i = 0; i < rgba.length / 4; i++) {
        const x = x0 + i * dx;
        if (x >= width || y >= height) throw new Error(`pixel (${x}, ${y}) is outside the image`);
        data.set(rgba.subarray(i * 4, i * 4 + 4), (y * width + x) * 4);
        writes[y * width + x]!++;
      }
    },
  };
  return { sink, data, writes, calls };
}

/** Decodes with {@link decodePng} into a full frame, checking every pixel arrives exactly once. */
async function decodeFull(bytes: Uint8Array, options = LIMIT): Promise<RgbaImage & { interlaced: boolean }> {
  const header = new DataView(bytes.buffer, bytes.byteOffset + 16, 8);
  const target = frameSink(header.getUint32(0), header.getUint32(4));
  const result = await decodePng(bytes, target.sink, options);
  const missed = target.writes.findIndex((n) => n !== 1);
  expect(missed, `pixel ${missed} written ${target.writes[missed]} times`).toBe(-1);
  return { width: result.width, height: result.height, interlaced: result.interlaced, data: target.data };
}

/** @jsquash/png; for 16-bit files its 16-bit decode rounded to 8 bits, as the gateway rounds (not truncates) them. */
async function oracle(bytes: Uint8Array): Promise<RgbaImage> {
  return bytes[24] === 16 ? jsquashPng16Rounded(bytes) : jsquashPngDecode(bytes);
}

/** Index of the first differing byte, with both values, or 'same'. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return `byte ${i} (pixel ${i >> 2}, channel ${i & 3}): ${a[i]} vs ${b[i]}`;
  }
  return 'same';
}

async function expectMatchesOracle(bytes: Uint8Array): Promise<void> {
  const [ours, theirs] = await Promise.all([decodeFull(bytes), oracle(bytes)]);
  expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
  expect(firstDifference(ours.data, theirs.data)).toBe('same');
}

/** The PipelineError code of a rejected decode, 'none' on success, or a description of any other failure. */
async function decodeCode(bytes: Uint8Array, options = LIMIT): Promise<string> {
  try {
    await decodePng(bytes, { put() {} }, options);
    return 'none';
  } catch (error) {
    if (error instanceof PipelineError) return error.code;
    return `not a PipelineError: ${String(error)}`;
  }
}

/**
 * A valid zlib stream of one zero byte followed by `matches` copies of
 * (length 258, distance 1): `1 + 258 * matches` zeros from 13 bits per match,
 * written with the fixed Huffman codes of RFC 1951 §3.2.6.
 */
function zlibZeros(matches: number): Uint8Array {
  const out = new Uint8Array(2 + Math.ceil((3 + 8 + matches * 13 + 7) / 8) + 4);
  out.set([0x78, 0x01]);
  let at = 2;
  let acc = 0;
  let count = 0;
  // Bits go out least significant first; Huffman codes are stored bit-reversed (RFC 1951 §3.1.1).
  const bits = (value: number, n: number) => {
    acc |= value << count;
    count += n;
    while (count >= 8) {
      out[at++] = acc & 0xff;
      acc >>>= 8;
      count -= 8;
    }
  };
  bits(0b011, 3); // BFINAL = 1, BTYPE = 01 (fixed Huffman)
  bits(0x0c, 8); // literal 0: code 00110000, reversed
  for (let i = 0; i < matches; i++) bits(0xa3, 13); // length code 285 (11000101, reversed) = 258; distance code 0 = 1
  bits(0, 7); // end of block
  if (count > 0) bits(0, 8 - count);
  const total = 1 + 258 * matches;
  new DataView(out.buffer).setUint32(at, ((total % 65521) * 65536 + 1) >>> 0);
  return out.subarray(0, at + 4);
}

/**
 * A copy of `bytes` that counts how many views are taken of it (and of its
 * views): the decoder slices its input with `subarray`, so this is how much
 * of the file it read.
 */
function countingBytes(bytes: Uint8Array): { bytes: Uint8Array; views: () => number } {
  let views = 0;
  class Counting extends Uint8Array {
    override subarray(begin = 0, end = this.length): Uint8Array<ArrayBuffer> {
      views++;
      const from = Math.min(begin, this.length);
      return new Counting(
        this.buffer as ArrayBuffer,
        this.byteOffset + from,
        Math.max(0, Math.min(end, this.length) - from),
      );
    }
  }
  return { bytes: new Counting(bytes), views: () => views };
}

const COLOUR_FORMATS: { name: string; colorType: number; bitDepth: number }[] = [
  { name: 'grey 1', colorType: 0, bitDepth: 1 },
  { name: 'grey 2', colorType: 0, bitDepth: 2 },
  { name: 'grey 4', colorType: 0, bitDepth: 4 },
  { name: 'grey 8', colorType: 0, bitDepth: 8 },
  { name: 'grey 16', colorType: 0, bitDepth: 16 },
  { name: 'RGB 8', colorType: 2, bitDepth: 8 },
  { name: 'RGB 16', colorType: 2, bitDepth: 16 },
  { name: 'palette 1', colorType: 3, bitDepth: 1 },
  { name: 'palette 2', colorType: 3, bitDepth: 2 },
  { name: 'palette 4', colorType: 3, bitDepth: 4 },
  { name: 'palette 8', colorType: 3, bitDepth: 8 },
  { name: 'grey+alpha 8', colorType: 4, bitDepth: 8 },
  { name: 'grey+alpha 16', colorType: 4, bitDepth: 16 },
  { name: 'RGBA 8', colorType: 6, bitDepth: 8 },
  { name: 'RGBA 16', colorType: 6, bitDepth: 16 },
];

describe('decodePng', () => {
  describe('matches @jsquash/png for every colour type and bit depth', () => {
    for (const [i, format] of COLOUR_FORMATS.entries()) {
      it.each([false, true])(`${format.name}, interlaced: %s`, async (interlaced) => {
        const img = randomImage(format.colorType, format.bitDepth, 13, 11, 100 + i);
        await expectMatchesOracle(await encodeRaw(img, { interlaced }));
      });
    }
  });

  describe('reverses each filter type', () => {
    const formats = COLOUR_FORMATS.filter((f) =>
      ['grey 1', 'grey 4', 'RGB 8', 'RGBA 8', 'RGB 16', 'RGBA 16'].includes(f.name),
    );
    for (const format of formats) {
      it.each([0, 1, 2, 3, 4])(`${format.name}, filter %i`, async (filter) => {
        const img = randomImage(format.colorType, format.bitDepth, 17, 9, 7 * filter + format.bitDepth);
        await expectMatchesOracle(await encodeRaw(img, { filter }));
      });
    }
  });

  it('reproduces the source pixels of a jSquash-encoded RGBA PNG, rows in order', async () => {
    const source = noise(37, 23, 5);
    const png = await encodePng(source);
    const target = frameSink(37, 23);
    expect(await decodePng(png, target.sink, LIMIT)).toEqual({ width: 37, height: 23, interlaced: false });
    expect(firstDifference(target.data, source.data)).toBe('same');
    expect(target.calls.map((c) => c.y)).toEqual(Array.from({ length: 23 }, (_, y) => y));
    expect(target.calls.every((c) => c.x0 === 0 && c.dx === 1 && c.n === 37)).toBe(true);
  });

  it('reads image data split over many IDAT chunks', async () => {
    const img = randomImage(6, 8, 40, 30, 9);
    await expectMatchesOracle(await encodeRaw(img, {}, 7));
  });

  it('delivers Adam7 passes as sparse rows with the pass column offset and step', async () => {
    const img = randomImage(2, 8, 9, 9, 3);
    const png = await encodeRaw(img, { interlaced: true });
    const target = frameSink(9, 9);
    expect(await decodePng(png, target.sink, LIMIT)).toEqual({ width: 9, height: 9, interlaced: true });
    // Pass 1 (rows 0, 8; columns 0, 8), then pass 2 (rows 0, 8; column 4), …
    expect(target.calls.slice(0, 4)).toEqual([
      { y: 0, x0: 0, dx: 8, n: 2 },
      { y: 8, x0: 0, dx: 8, n: 2 },
      { y: 0, x0: 4, dx: 8, n: 1 },
      { y: 8, x0: 4, dx: 8, n: 1 },
    ]);
  });

  describe('interlaced images at odd sizes (some passes empty)', () => {
    const sizes = [
      [1, 1],
      [3, 5],
      [9, 17],
      [33, 7],
      [2, 1],
      [1, 9],
    ] as const;
    const formats = COLOUR_FORMATS.filter((f) => ['grey 1', 'palette 2', 'RGB 16', 'RGBA 8'].includes(f.name));
    for (const [width, height] of sizes) {
      it.each(formats.map((f) => [f.name, f] as const))(`${width}x${height}, %s`, async (_, format) => {
        const img = randomImage(format.colorType, format.bitDepth, width, height, width * 31 + height);
        const png = await encodeRaw(img, { interlaced: true });
        expect((await decodeFull(png)).interlaced).toBe(true);
        await expectMatchesOracle(png);
      });
    }
  });

  describe('tRNS', () => {
    /** An image of the given samples (one pixel per sample group) with a tRNS chunk. */
    function keyed(
      colorType: number,
      bitDepth: number,
      samples: number[],
      trns: number[],
      extra: PngChunk[] = [],
    ): RawImage {
      const width = samples.length / CHANNELS[colorType]!;
      return {
        width,
        height: 1,
        colorType,
        bitDepth,
        samples,
        chunks: [...extra, { type: 'tRNS', data: Uint8Array.from(trns) }],
      };
    }
    const cases: { name: string; img: RawImage; alpha: number[] }[] = [
      { name: 'grey 8 key', img: keyed(0, 8, [0, 7, 255, 7], [0, 7]), alpha: [255, 0, 255, 0] },
      { name: 'grey 2 key', img: keyed(0, 2, [0, 1, 2, 3], [0, 2]), alpha: [255, 255, 0, 255] },
      { name: 'grey 1 key', img: keyed(0, 1, [0, 1, 1, 0], [0, 1]), alpha: [255, 0, 0, 255] },
      {
        name: 'grey 16 key compared at full depth',
        img: keyed(0, 16, [0x1234, 0x1235, 0x12ff, 0x1234], [0x12, 0x34]),
        alpha: [0, 255, 255, 0],
      },
      {
        name: 'RGB 8 key',
        img: keyed(2, 8, [1, 2, 3, 1, 2, 4, 1, 2, 3], [0, 1, 0, 2, 0, 3]),
        alpha: [0, 255, 0],
      },
      {
        name: 'RGB 16 key compared at full depth',
        img: keyed(2, 16, [0x100, 0x200, 0x300, 0x100, 0x200, 0x301, 0x1ff, 0x200, 0x300], [1, 0, 2, 0, 3, 0]),
        alpha: [0, 255, 255],
      },
      {
        name: 'palette with fewer alphas than entries',
        img: keyed(3, 8, [0, 1, 2], [10], [{ type: 'PLTE', data: Uint8Array.of(1, 1, 1, 2, 2, 2, 3, 3, 3) }]),
        alpha: [10, 255, 255],
      },
      {
        name: 'palette 4 with alphas',
        img: keyed(
          3,
          4,
          [0, 1, 2, 1, 0],
          [10, 20, 30],
          [{ type: 'PLTE', data: Uint8Array.of(1, 1, 1, 2, 2, 2, 3, 3, 3) }],
        ),
        alpha: [10, 20, 30, 20, 10],
      },
    ];
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, { img, alpha }) => {
      for (const interlaced of [false, true]) {
        const png = await encodeRaw(img, { interlaced });
        const ours = await decodeFull(png);
        expect(Array.from(ours.data.filter((_, i) => i % 4 === 3))).toEqual(alpha);
        await expectMatchesOracle(png);
      }
    });

    it('ignores a tRNS of the wrong length for greyscale', async () => {
      const img = keyed(0, 8, [0, 7, 255], [0, 7, 0]);
      const ours = await decodeFull(await encodeRaw(img));
      expect(Array.from(ours.data.filter((_, i) => i % 4 === 3))).toEqual([255, 255, 255]);
    });
  });

  it('shows palette indices past the end of PLTE as opaque black, like the reference decoder', async () => {
    const img: RawImage = {
      width: 3,
      height: 1,
      colorType: 3,
      bitDepth: 8,
      samples: [0, 1, 200],
      chunks: [{ type: 'PLTE', data: Uint8Array.of(9, 9, 9, 8, 8, 8) }],
    };
    const png = await encodeRaw(img);
    expect(Array.from((await decodeFull(png)).data)).toEqual([9, 9, 9, 255, 8, 8, 8, 255, 0, 0, 0, 255]);
  });

  it('ignores image data after the last row', async () => {
    const img = randomImage(0, 8, 5, 5, 1);
    const raw = concat(scanlines(img), new Uint8Array(1000).fill(9));
    const png = pngFile(ihdrChunk(img), [], await zlibCompress(raw));
    const ours = await decodeFull(png);
    expect(Array.from(ours.data.filter((_, i) => i % 4 === 0))).toEqual(img.samples);
  });

  describe('refuses bad input with a PipelineError code', () => {
    const rgba4x4: RawImage = randomImage(6, 8, 4, 4, 2);
    const cases: { name: string; png: () => Promise<Uint8Array>; options?: PngDecodeOptions; code: string }[] = [
      {
        name: 'more pixels than maxPixels (20000x20000 bomb)',
        png: async () =>
          pngFile(ihdrChunk({ width: 20000, height: 20000, bitDepth: 8, colorType: 6 }), [], zlibZeros(100)),
        options: { maxPixels: 100_000_000 },
        code: 'dimensions_exceeded',
      },
      {
        name: 'a single row wider than 1,000,000 pixels',
        png: async () =>
          pngFile(ihdrChunk({ width: 2_000_000, height: 1, bitDepth: 8, colorType: 6 }), [], zlibZeros(100)),
        code: 'dimensions_exceeded',
      },
      {
        name: 'a 20000x20000 bomb within maxPixels whose data runs out',
        png: async () =>
          pngFile(ihdrChunk({ width: 20000, height: 20000, bitDepth: 8, colorType: 6 }), [], zlibZeros(4000)),
        options: { maxPixels: 400_000_000 },
        code: 'invalid_image',
      },
      {
        name: 'too little image data',
        png: async () => pngFile(ihdrChunk(rgba4x4), [], await zlibCompress(scanlines(rgba4x4).subarray(0, 40))),
        code: 'invalid_image',
      },
      {
        name: 'too little image data, interlaced',
        png: async () => {
          const lines = scanlines(rgba4x4, { interlaced: true });
          return pngFile(ihdrChunk(rgba4x4, true), [], await zlibCompress(lines.subarray(0, lines.length - 1)));
        },
        code: 'invalid_image',
      },
      {
        name: 'zlib stream cut short',
        png: async () => {
          const z = await zlibCompress(scanlines(randomImage(6, 8, 20, 20, 4)));
          return pngFile(ihdrChunk(randomImage(6, 8, 20, 20, 4)), [], z.subarray(0, z.length >> 1));
        },
        code: 'invalid_image',
      },
      {
        name: 'bad zlib header',
        png: async () => {
          const z = await zlibCompress(scanlines(rgba4x4));
          z[0] = 0x00;
          return pngFile(ihdrChunk(rgba4x4), [], z);
        },
        code: 'invalid_image',
      },
      {
        name: 'invalid deflate block type',
        png: async () => pngFile(ihdrChunk(rgba4x4), [], Uint8Array.of(0x78, 0x01, 0x07, 0, 0, 0, 0)),
        code: 'invalid_image',
      },
      {
        name: 'empty IDAT',
        png: async () => pngFile(ihdrChunk(rgba4x4), [], new Uint8Array(0)),
        code: 'invalid_image',
      },
      {
        name: 'filter type 5',
        png: async () => {
          const lines = scanlines(rgba4x4, { filter: 0 });
          lines[17 * 2] = 5;
          return pngFile(ihdrChunk(rgba4x4), [], await zlibCompress(lines));
        },
        code: 'invalid_image',
      },
      {
        name: 'filter type 255 in the first row',
        png: async () => {
          const lines = scanlines(rgba4x4, { filter: 0 });
          lines[0] = 255;
          return pngFile(ihdrChunk(rgba4x4), [], await zlibCompress(lines));
        },
        code: 'invalid_image',
      },
      {
        name: 'palette image without PLTE',
        png: async () => {
          const img = randomImage(3, 8, 2, 2, 1);
          return pngFile(ihdrChunk(img), [], await zlibCompress(scanlines(img)));
        },
        code: 'invalid_image',
      },
      {
        name: 'no IDAT',
        png: async () =>
          concat(SIGNATURE, pngChunk('IHDR', ihdrChunk(rgba4x4).data), pngChunk('IEND', new Uint8Array(0))),
        code: 'invalid_image',
      },
      {
        name: 'IDAT chunk length past the end of the file',
        png: async () => {
          const png = await encodeRaw(rgba4x4);
          return png.subarray(0, png.length - 20);
        },
        code: 'invalid_image',
      },
      {
        name: 'not a PNG',
        png: async () => Uint8Array.of(1, 2, 3),
        code: 'invalid_image',
      },
      {
        name: 'invalid bit depth in IHDR',
        png: async () => pngFile(ihdrChunk({ width: 1, height: 1, bitDepth: 3, colorType: 0 }), [], zlibZeros(1)),
        code: 'invalid_image',
      },
    ];
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      expect(await decodeCode(await c.png(), c.options)).toBe(c.code);
    });
  });

  describe('stops inflating at the size the image needs', () => {
    it('decodes a 1x1 PNG whose IDAT inflates to 50 MB', async () => {
      const png = pngFile(ihdrChunk({ width: 1, height: 1, bitDepth: 8, colorType: 6 }), [], zlibZeros(200_000));
      const image = await decodeFull(png);
      expect(Array.from(image.data)).toEqual([0, 0, 0, 0]);
    });

    it('reads only the start of a 6 MB IDAT that inflates to 1 GB', async () => {
      const png = pngFile(ihdrChunk({ width: 3, height: 2, bitDepth: 16, colorType: 6 }), [], zlibZeros(4_000_000));
      const counted = countingBytes(png);
      const target = frameSink(3, 2);
      expect(await decodePng(counted.bytes, target.sink, LIMIT)).toEqual({ width: 3, height: 2, interlaced: false });
      await new Promise((resolve) => setTimeout(resolve, 20));
      // A handful of chunk views plus some 4 KB input slices (how many depends on how far the
      // inflater runs ahead), not the ~1600 slices of the whole IDAT.
      expect(counted.views()).toBeLessThan(100);
    });

    it('writes thousands of tiny IDAT chunks in 4 KB slices, not one write each', () => {
      const stream = zlibZeros(20_000);
      const parts = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
      const slices = [...inputSlices(parts)];
      // The body in 4 KB slices across the parts, then the last 64 bytes one at a time.
      expect(slices.length).toBe(Math.ceil((stream.length - 64) / 4096) + 64);
      expect(slices.slice(0, -64).every((slice, i, all) => i === all.length - 1 || slice.length === 4096)).toBe(true);
      expect(Buffer.from(Uint8Array.from(slices.flatMap((slice) => [...slice])))).toEqual(Buffer.from(stream));
      // Uneven parts, some empty: the same bytes in the same slices.
      const uneven = [
        stream.subarray(0, 0),
        stream.subarray(0, 5000),
        stream.subarray(5000, 5000),
        stream.subarray(5000),
      ];
      expect([...inputSlices(uneven)].map((slice) => [...slice])).toEqual(slices.map((slice) => [...slice]));
    });

    it('pulls only the first slices of a 1 GB zlib stream', async () => {
      const counted = countingBytes(zlibZeros(4_000_000));
      const reader = new ZlibReader([counted.bytes]);
      const out = new Uint8Array(10_000);
      await reader.read(out);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await reader.close();
      expect(out.every((b) => b === 0)).toBe(true);
      expect(counted.views()).toBeGreaterThan(0);
      expect(counted.views()).toBeLessThan(10);
    });

    it('writes the next slice only once the output of the last one has been read', async () => {
      // Each 4 KB slice of this stream inflates to ~650 KB, and workerd's inflater holds whatever a
      // write produces (no backpressure): a slice written per read would pile up ~650 KB per read.
      const counted = countingBytes(zlibZeros(4_000_000));
      const reader = new ZlibReader([counted.bytes]);
      const row = new Uint8Array(10_000);
      for (let i = 0; i < 130; i++) await reader.read(row); // 1.3 MB: two slices' output
      await new Promise((resolve) => setTimeout(resolve, 20));
      await reader.close();
      expect(counted.views()).toBeGreaterThanOrEqual(2);
      expect(counted.views()).toBeLessThanOrEqual(4);
    });

    it('reads a stream to its exact end, and reports reading past it as invalid_image', async () => {
      const reader = new ZlibReader([zlibZeros(10)]);
      const all = new Uint8Array(2581).fill(1);
      await reader.read(all);
      expect(all.every((b) => b === 0)).toBe(true);
      await expect(reader.read(new Uint8Array(1))).rejects.toMatchObject({ code: 'invalid_image' });
      await reader.close();
    });
  });

  describe('tolerates a damaged end of the zlib stream once every row is in', () => {
    const flip = (z: Uint8Array) => {
      const copy = z.slice();
      copy[copy.length - 1]! ^= 1;
      return copy;
    };
    const cases: { name: string; tamper: (z: Uint8Array) => Uint8Array; oracleAgrees: boolean }[] = [
      {
        name: 'bytes after the end of the stream',
        tamper: (z) => concat(z, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)),
        oracleAgrees: true,
      },
      { name: 'a wrong Adler-32', tamper: flip, oracleAgrees: true },
      {
        name: 'a wrong Adler-32 and trailing bytes',
        tamper: (z) => concat(flip(z), new Uint8Array(40)),
        oracleAgrees: true,
      },
      // The reference decoder refuses this one; all pixel data is there, so we keep it.
      { name: 'no Adler-32', tamper: (z) => z.subarray(0, z.length - 4), oracleAgrees: false },
    ];
    for (const size of [3, 150]) {
      it.each(cases.map((c) => [c.name, c] as const))(`${size}x${size}, %s`, async (_, c) => {
        const img = randomImage(6, 8, size, size, size);
        const clean = await encodeRaw(img);
        const tampered = pngFile(ihdrChunk(img), [], c.tamper(await zlibCompress(scanlines(img))), 1000);
        const ours = await decodeFull(tampered);
        expect(firstDifference(ours.data, (await oracle(clean)).data)).toBe('same');
        if (c.oracleAgrees) await expectMatchesOracle(tampered);
      });
    }
  });

  describe('fuzz: only success or a PipelineError, never a hang', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];

    /** Re-signs every chunk so mutations reach the decoder rather than failing a CRC check. */
    function resign(png: Uint8Array): Uint8Array {
      return concat(SIGNATURE, ...readPngChunks(png).map((c) => pngChunk(c.type, c.data)));
    }

    it.each(seeds)('random byte mutations of valid files, seed %i', async (seed) => {
      const next = seededRandom(seed);
      const sources = [
        await encodeRaw(randomImage(6, 8, 12, 9, seed), {}),
        await encodeRaw(randomImage(3, 4, 12, 9, seed), { interlaced: true }),
        await encodeRaw(randomImage(0, 16, 7, 5, seed), { interlaced: true }),
      ];
      for (let round = 0; round < 60; round++) {
        const source = sources[round % sources.length]!;
        const mutated = source.slice();
        const flips = 1 + Math.floor(next() * 4);
        for (let k = 0; k < flips; k++) {
          // Mostly inside the image data (past the 33-byte signature + IHDR).
          const at = 33 + Math.floor(next() * (mutated.length - 33));
          mutated[at] = Math.floor(next() * 256);
        }
        const candidates: Uint8Array[] = [mutated];
        try {
          candidates.push(resign(mutated));
        } catch {
          // The chunk structure itself was broken; the unsigned copy still runs.
        }
        for (const png of candidates) {
          const code = await decodeCode(png, { maxPixels: 1_000_000 });
          expect(['none', 'invalid_image', 'dimensions_exceeded']).toContain(code);
        }
      }
    });

    it.each(seeds)('random mutations of the inflated scanlines, seed %i', async (seed) => {
      const next = seededRandom(seed * 977);
      const img = randomImage(2, 16, 9, 6, seed);
      for (const interlaced of [false, true]) {
        const lines = scanlines(img, { interlaced });
        for (let round = 0; round < 10; round++) {
          const mutated = lines.slice(0, Math.floor(lines.length * (0.8 + next() * 0.4)));
          mutated[Math.floor(next() * mutated.length)] = Math.floor(next() * 8);
          const png = pngFile(ihdrChunk(img, interlaced), [], await zlibCompress(mutated));
          expect(['none', 'invalid_image']).toContain(await decodeCode(png));
        }
      }
    });

    it('every truncation of a small file', async () => {
      const png = await encodeRaw(randomImage(4, 8, 6, 6, 11), { interlaced: true });
      for (let n = 0; n < png.length; n++) {
        expect(['none', 'invalid_image']).toContain(await decodeCode(png.subarray(0, n)));
      }
    });
  });
});

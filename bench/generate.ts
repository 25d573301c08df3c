// Generates the benchmark's inputs (see ./inputs.ts) into bench/out/inputs/.
// Deterministic: seeded pixels, fixed encoder options. Run on its own
// (`node --import tsx bench/generate.ts [--force]`); bench/memory.ts runs it
// in a separate process when the cache is missing or stale, so the encoders'
// WebAssembly memory never lands in the measured process (wasm-bindgen's PNG
// glue is a module singleton shared with the gateway's PNG decoder).

import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import mozjpegEncoderFactory from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import { defaultOptions as jpegDefaults } from '@jsquash/jpeg/meta.js';
import initPng, { encode as encodePngWasm } from '@jsquash/png/codec/pkg/squoosh_png.js';
import webpEncoderFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import { defaultOptions as webpDefaults } from '@jsquash/webp/meta.js';
import { assertComplete } from '../src/pipeline/structure';
import { checkLimits } from '../src/pipeline/limits';
import { probeImage } from '../src/pipeline/probe';
import { sniffFormat } from '../src/pipeline/sniff';
import { encodeGif, type GifEncodeFrame, type Rgb } from '../test/helpers/gif-encode';
import { concat } from '../test/fixtures/bytes';
import { pngChunk } from '../test/fixtures/png';
import { photo, type Picture } from '../test/fixtures/photo';
import { GENERATOR_VERSION, INPUT_DIR, INPUTS, inputsAreCurrent, MANIFEST, type Manifest } from './inputs';
import { loadDefaultConfig } from './config';
import { ADAM7 } from '../src/pipeline/png/adam7';
import { instantiateEmscripten } from './emscripten';
import { compileWasm as compile } from '../src/codecs/node';

// ---------------------------------------------------------------- JPEG / WebP (jSquash encoders)

interface EmscriptenEncoder {
  encode(data: Uint8ClampedArray, width: number, height: number, options: object): Uint8Array | null;
}

function emscripten(factory: unknown, module: WebAssembly.Module): Promise<EmscriptenEncoder> {
  return instantiateEmscripten(factory as (options: object) => Promise<EmscriptenEncoder>, module);
}

interface JpegEncodeOptions {
  quality: number;
  progressive: boolean;
  /** 1 = 4:4:4, 2 = 4:2:0. */
  chromaSubsample: 1 | 2;
}

export async function encodeJpeg(picture: Picture, options: JpegEncodeOptions): Promise<Uint8Array> {
  const codec = await emscripten(mozjpegEncoderFactory, await compile('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'));
  const out = codec.encode(picture.data, picture.width, picture.height, {
    ...jpegDefaults,
    quality: options.quality,
    progressive: options.progressive,
    auto_subsample: false,
    chroma_subsample: options.chromaSubsample,
  });
  if (!out) throw new Error('MozJPEG returned nothing');
  return out.slice();
}

export async function encodeWebp(
  picture: Picture,
  options: { quality: number; lossless: boolean },
): Promise<Uint8Array> {
  const codec = await emscripten(webpEncoderFactory, await compile('@jsquash/webp/codec/enc/webp_enc_simd.wasm'));
  const out = codec.encode(picture.data, picture.width, picture.height, {
    ...webpDefaults,
    quality: options.quality,
    lossless: options.lossless ? 1 : 0,
    // Lossless: method 0 is the fastest (a 16 MP picture otherwise takes minutes).
    ...(options.lossless ? { method: 0 } : {}),
  });
  if (!out) throw new Error('libwebp returned nothing');
  return out.slice();
}

/** Reads the sampling factors of the first component from SOFn. */
function jpegFrame(jpeg: Uint8Array): { marker: number; samplingY: string } {
  let at = 2;
  while (at + 4 <= jpeg.length) {
    const marker = jpeg[at + 1]!;
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      const hv = jpeg[at + 11]!;
      return { marker, samplingY: `${hv >> 4}x${hv & 15}` };
    }
    at += 2 + length;
  }
  throw new Error('no SOF');
}

// test/fixtures has richer EXIF builders, but importing them pulls test code
// written for the Workers types into this Node type-check; a phone's IFD0 and
// an IFD1 thumbnail are enough here.

export type IfdEntry = [tag: number, type: 'ascii' | 'short' | 'long', value: string | number];

/**
 * A big-endian TIFF (EXIF payload): IFD0 with `ifd0` entries, then IFD1
 * pointing at `thumbnail` (JPEGInterchangeFormat/Length), then the data.
 */
export function exifTiff(ifd0: IfdEntry[], thumbnail: Uint8Array): Uint8Array {
  const ifd1: IfdEntry[] = [
    [0x0201, 'long', 0], // offset, patched below
    [0x0202, 'long', thumbnail.length],
  ];
  const ifdSize = (n: number) => 2 + n * 12 + 4;
  const ifd0At = 8;
  const ifd1At = ifd0At + ifdSize(ifd0.length);
  let dataAt = ifd1At + ifdSize(ifd1.length);
  const strings: [number, string][] = [];
  const out = new Uint8Array(
    dataAt + ifd0.reduce((n, [, , v]) => n + (typeof v === 'string' ? v.length + 2 : 0), 0) + thumbnail.length,
  );
  const view = new DataView(out.buffer);
  out.set([0x4d, 0x4d, 0, 42]);
  view.setUint32(4, ifd0At);
  const writeIfd = (at: number, entries: IfdEntry[], next: number) => {
    view.setUint16(at, entries.length);
    entries.forEach(([tag, type, value], i) => {
      const e = at + 2 + i * 12;
      view.setUint16(e, tag);
      if (type === 'ascii') {
        const text = `${String(value)}\0`;
        view.setUint16(e + 2, 2);
        view.setUint32(e + 4, text.length);
        view.setUint32(e + 8, dataAt);
        strings.push([dataAt, text]);
        dataAt += text.length + (text.length & 1);
      } else if (type === 'short') {
        view.setUint16(e + 2, 3);
        view.setUint32(e + 4, 1);
        view.setUint16(e + 8, Number(value));
      } else {
        view.setUint16(e + 2, 4);
        view.setUint32(e + 4, 1);
        view.setUint32(e + 8, Number(value));
      }
    });
    view.setUint32(at + 2 + entries.length * 12, next);
  };
  writeIfd(ifd0At, ifd0, ifd1At);
  for (const [at, text] of strings) for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  ifd1[0]![2] = dataAt;
  writeIfd(ifd1At, ifd1, 0);
  out.set(thumbnail, dataAt);
  return out.subarray(0, dataAt + thumbnail.length);
}

/** Puts an APP1 "Exif\0\0" segment right after SOI and drops the encoder's JFIF APP0, as a phone writes it. */
export function withExif(jpeg: Uint8Array, tiff: Uint8Array): Uint8Array {
  const payload = 6 + tiff.length;
  const app1 = new Uint8Array(4 + payload);
  app1.set([0xff, 0xe1, (payload + 2) >> 8, (payload + 2) & 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0]);
  app1.set(tiff, 10);
  let rest = 2;
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) rest = 4 + ((jpeg[4]! << 8) | jpeg[5]!);
  return concat(jpeg.subarray(0, 2), app1, jpeg.subarray(rest));
}

export async function phoneJpeg(progressive: boolean): Promise<Uint8Array> {
  const picture = photo(4032, 3024, { seed: 12, noise: 18 });
  const jpeg = await encodeJpeg(picture, { quality: 85, progressive, chromaSubsample: 2 });
  const thumbnail = await encodeJpeg(photo(160, 120, { seed: 12, noise: 3 }), {
    quality: 80,
    progressive: false,
    chromaSubsample: 2,
  });
  // A phone's EXIF: Make, Model, Orientation=6 (stored landscape, shown portrait), an IFD1 thumbnail.
  const tiff = exifTiff(
    [
      [0x010f, 'ascii', 'Phonecorp'],
      [0x0110, 'ascii', 'X1'],
      [0x0112, 'short', 6],
      [0x0131, 'ascii', 'bench 1.0'],
      [0x0132, 'ascii', '2019:07:04 12:34:56'],
    ],
    thumbnail,
  );
  return withExif(jpeg, tiff);
}

// ---------------------------------------------------------------- PNG

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Appends one Paeth-filtered (type 4) scanline to `out` at `at`; returns the
 * new offset. `prior` is the previous scanline of the same (sub)image, or null.
 */
function filterRow(out: Uint8Array, at: number, row: Uint8Array, prior: Uint8Array | null, bpp: number): number {
  out[at++] = 4;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = prior ? prior[i]! : 0;
    const c = prior && i >= bpp ? prior[i - bpp]! : 0;
    out[at++] = (row[i]! - paeth(a, b, c)) & 0xff;
  }
  return at;
}

interface RawPng {
  width: number;
  height: number;
  /** 8 or 16. */
  depth: 8 | 16;
  interlace: boolean;
  /** Colour type 2 (RGB, `pixel` writes 3 or 6 bytes) instead of 6 (RGBA). */
  rgb?: boolean;
  /** Returns the unfiltered bytes of pixel (x, y): 4 or 8 bytes. */
  pixel(x: number, y: number, into: Uint8Array, at: number): void;
}

/** A hand-built RGBA (or RGB) PNG: IHDR, IDAT in 256 KiB chunks (zlib via node:zlib), IEND. */
export function buildPng(png: RawPng): Uint8Array {
  const bpp = (png.depth === 16 ? 2 : 1) * (png.rgb ? 3 : 4);
  const passes = png.interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((png.width - x0) / dx);
    const h = Math.ceil((png.height - y0) / dy);
    if (w > 0 && h > 0) total += h * (1 + w * bpp);
  }
  const filtered = new Uint8Array(total);
  let at = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((png.width - x0) / dx);
    if (w <= 0) continue;
    let prior: Uint8Array | null = null;
    let row: Uint8Array = new Uint8Array(w * bpp);
    for (let y = y0; y < png.height; y += dy) {
      for (let i = 0, x = x0; i < w; i++, x += dx) png.pixel(x, y, row, i * bpp);
      at = filterRow(filtered, at, row, prior, bpp);
      const spare: Uint8Array = prior ?? new Uint8Array(w * bpp);
      prior = row;
      row = spare;
    }
  }
  const zlib = deflateSync(filtered, { level: 6 });
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, png.width);
  view.setUint32(4, png.height);
  ihdr.set([png.depth, png.rgb ? 2 : 6, 0, 0, png.interlace ? 1 : 0], 8);
  const idats: Uint8Array[] = [];
  for (let i = 0; i < zlib.length; i += 256 * 1024) idats.push(pngChunk('IDAT', zlib.subarray(i, i + 256 * 1024)));
  return concat(PNG_SIGNATURE, pngChunk('IHDR', ihdr), ...idats, pngChunk('IEND', new Uint8Array(0)));
}

/** 8-bit RGBA samples; with `rgb`, the alpha sample is left out. */
export function rgba8Pixels(picture: Picture, rgb = false): RawPng['pixel'] {
  const n = rgb ? 3 : 4;
  return (x, y, into, at) => {
    const from = (y * picture.width + x) * 4;
    into.set(picture.data.subarray(from, from + n), at);
  };
}

/** 16-bit samples: each 8-bit sample widened (v × 257), as an export of 8-bit content is. */
function rgba16Pixels(picture: Picture): RawPng['pixel'] {
  return (x, y, into, at) => {
    const from = (y * picture.width + x) * 4;
    for (let c = 0; c < 4; c++) {
      const v = picture.data[from + c]!;
      into[at + 2 * c] = v;
      into[at + 2 * c + 1] = v;
    }
  };
}

export async function jsquashPng(picture: Picture): Promise<Uint8Array> {
  await initPng(await compile('@jsquash/png/codec/pkg/squoosh_png_bg.wasm'));
  return encodePngWasm(new Uint8Array(picture.data.buffer), picture.width, picture.height, 8).slice();
}

// ---------------------------------------------------------------- GIF

export function gifPalette(): Rgb[] {
  const palette: Rgb[] = [];
  for (let r = 0; r < 6; r++)
    for (let g = 0; g < 7; g++) for (let b = 0; b < 6; b++) palette.push([r * 51, Math.round(g * 42.5), b * 51]);
  for (let i = 0; i < 4; i++) palette.push([64 * i + 32, 64 * i + 32, 64 * i + 32]);
  return palette;
}

export function toIndices(picture: Picture, left: number, top: number, width: number, height: number): Uint8Array {
  const indices = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = ((top + y) * picture.width + left + x) * 4;
      const r = Math.round(picture.data[at]! / 51);
      const g = Math.round(picture.data[at + 1]! / 42.5);
      const b = Math.round(picture.data[at + 2]! / 51);
      indices[y * width + x] = r * 42 + g * 6 + b;
    }
  }
  return indices;
}

function animatedGif(): Uint8Array {
  const size = 4096;
  // The first frame covers the screen: a quantised photo without grain (GIF content is flat; LZW needs runs).
  const screen = photo(size, size, { seed: 9, noise: 0 });
  const frames: GifEncodeFrame[] = [
    { width: size, height: size, indices: toIndices(screen, 0, 0, size, size), delayCs: 10, disposal: 1 },
  ];
  for (let i = 0; i < 5; i++) {
    const patch = photo(1024, 1024, { seed: 100 + i, noise: 6 });
    frames.push({
      width: 1024,
      height: 1024,
      left: 512 + i * 512,
      top: 256 + i * 640,
      indices: toIndices(patch, 0, 0, 1024, 1024),
      delayCs: 10,
      disposal: 1,
    });
  }
  return encodeGif(frames, { width: size, height: size, palette: gifPalette(), loop: true });
}

// ---------------------------------------------------------------- main

const MAKERS: Record<string, () => Promise<Uint8Array>> = {
  'jpeg-12mp-baseline': () => phoneJpeg(false),
  'jpeg-12mp-progressive': () => phoneJpeg(true),
  'jpeg-16mp-444': async () =>
    encodeJpeg(photo(4096, 4096, { seed: 44, noise: 12 }), { quality: 85, progressive: false, chromaSubsample: 1 }),
  'jpeg-16mp-420': async () =>
    encodeJpeg(photo(4096, 4096, { seed: 42, noise: 14 }), { quality: 90, progressive: false, chromaSubsample: 2 }),
  'png-rgba8': async () => jsquashPng(photo(4096, 4096, { seed: 8, noise: 0, alpha: true })),
  'png-rgba16': async () => {
    const picture = photo(4096, 4096, { seed: 16, noise: 0, alpha: true });
    return buildPng({ width: 4096, height: 4096, depth: 16, interlace: false, pixel: rgba16Pixels(picture) });
  },
  'png-adam7': async () => {
    const picture = photo(4096, 4096, { seed: 7, noise: 0, alpha: true });
    return buildPng({ width: 4096, height: 4096, depth: 8, interlace: true, pixel: rgba8Pixels(picture) });
  },
  'png-rgba8-transparent': async () => jsquashPng(photo(4096, 3072, { seed: 9, noise: 0, alpha: true })),
  // A screenshot-like RGBA PNG whose alpha is all 255 (stored opaque at full size).
  'png-rgba8-opaque-alpha': async () => jsquashPng(photo(4096, 4096, { seed: 10, noise: 0 })),
  // Lossy WebP is decoded straight to the output size, so the input limits are its only cap.
  'webp-lossy': async () => encodeWebp(photo(4096, 4096, { seed: 5, noise: 6 }), { quality: 80, lossless: false }),
  // Lossless WebP is decoded whole: this one is near the budget's cap (checkWebpDecodeCost in src/pipeline/limits.ts).
  'webp-lossless': async () =>
    encodeWebp(photo(2896, 2896, { seed: 6, noise: 0, alpha: true }), { quality: 75, lossless: true }),
  'gif-animated': async () => animatedGif(),
};

function describe(bytes: Uint8Array): string {
  const header = probeImage(bytes);
  let text = `${header.format} ${header.width}×${header.height}, orientation ${header.orientation}, ${header.frames} frame(s)`;
  if (header.format === 'jpeg') {
    const sof = jpegFrame(bytes);
    text += `, SOF${(sof.marker - 0xc0).toString(16)}, Y sampling ${sof.samplingY}`;
  }
  return text;
}

/** Refuses an input the gateway would refuse before decoding (size, format, header limits, structure). */
async function validate(id: string, bytes: Uint8Array): Promise<void> {
  const config = await loadDefaultConfig();
  if (bytes.length > config.maxUploadBytes) {
    throw new Error(`${id}: ${bytes.length} bytes is over the upload limit of ${config.maxUploadBytes}`);
  }
  const format = sniffFormat(bytes);
  const header = probeImage(bytes);
  checkLimits(header, config.process.limits);
  assertComplete(bytes, format);
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  // `--only id,id`: (re)build just those files, for tuning; the manifest is not updated.
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg > 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : undefined;
  if (!force && !only && (await inputsAreCurrent())) {
    process.stderr.write('bench inputs are up to date\n');
    return;
  }
  await mkdir(INPUT_DIR, { recursive: true });
  const manifest: Manifest = { version: GENERATOR_VERSION, files: {} };
  for (const input of INPUTS) {
    if (only && !only.has(input.id)) continue;
    const started = performance.now();
    const make = MAKERS[input.id];
    if (!make) throw new Error(`no generator for ${input.id}`);
    const bytes = await make();
    await validate(input.id, bytes);
    await writeFile(join(INPUT_DIR, input.file), bytes);
    manifest.files[input.file] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      `generated ${input.file}: ${(bytes.length / 1024 / 1024).toFixed(2)} MiB, ${describe(bytes)} (${seconds} s)\n`,
    );
  }
  if (only) return;
  await writeFile(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

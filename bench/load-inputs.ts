// Deterministic input files for the load benchmark, encoded once with the
// jSquash WASM encoders (compiled from node_modules, as src/codecs/node.ts
// does) and cached under bench/out/load-inputs/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mozjpegEncoderFactory from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import { defaultOptions as jpegDefaults } from '@jsquash/jpeg/meta.js';
import initPng, { encode as encodePngWasm } from '@jsquash/png/codec/pkg/squoosh_png.js';
import webpEncoderFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import { defaultOptions as webpDefaults } from '@jsquash/webp/meta.js';
import { mulberry32 } from './load-rng';
import { instantiateEmscripten } from './emscripten';
import { compileWasm as compile } from '../src/codecs/node';
import { photo, type Picture as Rgba } from '../test/fixtures/photo';

/** Bump when the generated content changes, so stale caches are not reused. */
const INPUTS_VERSION = 2;

export interface InputFile {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
}

export interface LoadInputs {
  /** Valid images the gateway must accept. */
  valid: InputFile[];
  /** Files the gateway must refuse with a 4xx (small ones; the oversize body is separate). */
  invalid: InputFile[];
  /** One shared body just over MAX_UPLOAD_BYTES, sent by every "oversize" request. */
  oversize: InputFile;
}

interface EmscriptenEncoder {
  encode(data: Uint8ClampedArray, width: number, height: number, options: object): Uint8Array | null;
}
type Factory = (options: object) => Promise<EmscriptenEncoder>;

async function generate(): Promise<InputFile[]> {
  const jpegModule = await compile('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm');
  const webpModule = await compile('@jsquash/webp/codec/enc/webp_enc_simd.wasm');
  await initPng(await compile('@jsquash/png/codec/pkg/squoosh_png_bg.wasm'));

  const jpeg = async (img: Rgba) => {
    const codec = await instantiateEmscripten(mozjpegEncoderFactory as unknown as Factory, jpegModule);
    const out = codec.encode(img.data, img.width, img.height, { ...jpegDefaults, quality: 82 });
    if (!out) throw new Error('JPEG encoder returned nothing');
    return new Uint8Array(out);
  };
  const webp = async (img: Rgba) => {
    const codec = await instantiateEmscripten(webpEncoderFactory as unknown as Factory, webpModule);
    const out = codec.encode(img.data, img.width, img.height, { ...webpDefaults, quality: 80 });
    if (!out) throw new Error('WebP encoder returned nothing');
    return new Uint8Array(out);
  };
  const png = (img: Rgba) => new Uint8Array(encodePngWasm(new Uint8Array(img.data.buffer), img.width, img.height, 8));

  const small = await jpeg(photo(320, 240, { seed: 1, noise: 7 }));
  const medium = await jpeg(photo(1280, 960, { seed: 2, noise: 7 }));
  const large = await jpeg(photo(2048, 1536, { seed: 3, noise: 7 }));
  const alphaPng = png(photo(800, 600, { seed: 4, noise: 7, alpha: true }));
  const webpFile = await webp(photo(1024, 768, { seed: 5, noise: 7 }));

  const random = new Uint8Array(64 * 1024);
  const rand = mulberry32(6);
  for (let i = 0; i < random.length; i++) random[i] = Math.floor(rand() * 256);
  // Random bytes must not start with a real magic number by accident.
  random[0] = 0x00;

  const svg = new TextEncoder().encode(
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">' +
      '<script>alert(1)</script><rect width="640" height="480" fill="red"/></svg>\n',
  );

  return [
    { name: 'valid-small.jpg', bytes: small, contentType: 'image/jpeg' },
    { name: 'valid-medium.jpg', bytes: medium, contentType: 'image/jpeg' },
    { name: 'valid-large.jpg', bytes: large, contentType: 'image/jpeg' },
    { name: 'valid-alpha.png', bytes: alphaPng, contentType: 'image/png' },
    { name: 'valid-photo.webp', bytes: webpFile, contentType: 'image/webp' },
    // Cut mid-scan: the header is fine, the entropy-coded data and EOI are missing.
    {
      name: 'invalid-truncated.jpg',
      bytes: medium.slice(0, Math.floor(medium.length * 0.6)),
      contentType: 'image/jpeg',
    },
    { name: 'invalid-random.jpg', bytes: random, contentType: 'image/jpeg' },
    { name: 'invalid-text.svg', bytes: svg, contentType: 'image/svg+xml' },
  ];
}

/**
 * Loads the cached inputs, generating them first if any is missing.
 * `maxUploadBytes` sizes the oversize body (kept in memory once, shared).
 */
export async function loadInputs(dir: string, maxUploadBytes: number): Promise<LoadInputs> {
  const versionDir = join(dir, `v${INPUTS_VERSION}`);
  const manifestPath = join(versionDir, 'manifest.json');
  let manifest: { name: string; contentType: string }[];
  if (existsSync(manifestPath)) {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name: string; contentType: string }[];
  } else {
    mkdirSync(versionDir, { recursive: true });
    const files = await generate();
    for (const f of files) writeFileSync(join(versionDir, f.name), f.bytes);
    manifest = files.map(({ name, contentType }) => ({ name, contentType }));
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  }
  const files = manifest.map((m) => ({ ...m, bytes: new Uint8Array(readFileSync(join(versionDir, m.name))) }));
  // A JPEG signature followed by zeros, one byte over the limit: refused from Content-Length alone.
  const oversizeBytes = new Uint8Array(maxUploadBytes + 1);
  oversizeBytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return {
    valid: files.filter((f) => f.name.startsWith('valid-')),
    invalid: files.filter((f) => f.name.startsWith('invalid-')),
    oversize: { name: 'oversize.jpg', bytes: oversizeBytes, contentType: 'image/jpeg' },
  };
}

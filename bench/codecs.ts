// Speed and size of the gateway's libwebp build against jSquash's SIMD build
// (libwebp 1.1.0, Emscripten, SSE2 emulated on WASM SIMD), same pictures, same
// settings, same process: `npm run bench:codecs [-- --modules DIR --label NAME]`.
// `--modules DIR` times another build of wasm/ (e.g. `WASM_SIMD=1 OUT_DIR=/tmp/simd npm run build:codecs`).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import webpEncoderFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import webpDecoderFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import { defaultOptions as webpDefaults } from '@jsquash/webp/meta.js';
import { createCodecs } from '../src/codecs/libwebp';
import { nodeCodecModules } from '../src/codecs/node';
import { ENCODE_SETTINGS } from '../src/pipeline/encode';
import { instantiateEmscripten } from './emscripten';
import { photo, type Picture } from '../test/fixtures/photo';

const require = createRequire(import.meta.url);
const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const dir = argument('--modules') ?? new URL('../src/codecs/', import.meta.url).pathname;
const label = argument('--label') ?? 'gateway';
const ROUNDS = 5;

interface Emscripten {
  encode?(data: Uint8ClampedArray, width: number, height: number, options: object): Uint8Array | null;
  decode?(data: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } | null;
}
const jsquashModule = (path: string) => new WebAssembly.Module(readFileSync(require.resolve(path)));
const jsquashEncoder = jsquashModule('@jsquash/webp/codec/enc/webp_enc_simd.wasm');
const jsquashDecoder = jsquashModule('@jsquash/webp/codec/dec/webp_dec.wasm');
// The libwebp modules under test (the row filter, not measured here, is the repository's).
const codecs = createCodecs(await nodeCodecModules(dir));

async function jsquashEncode(picture: Picture, quality: number): Promise<Uint8Array> {
  const factory = webpEncoderFactory as unknown as (options: object) => Promise<Emscripten>;
  const codec = await instantiateEmscripten(factory, jsquashEncoder);
  const out = codec.encode!(picture.data, picture.width, picture.height, {
    ...webpDefaults,
    quality,
    method: ENCODE_SETTINGS.opaque.method,
    low_memory: ENCODE_SETTINGS.opaque.lowMemory ? 1 : 0,
  });
  if (!out) throw new Error('jSquash encoder returned nothing');
  return out.slice();
}

async function jsquashDecode(bytes: Uint8Array): Promise<number> {
  const factory = webpDecoderFactory as unknown as (options: object) => Promise<Emscripten>;
  const codec = await instantiateEmscripten(factory, jsquashDecoder);
  const out = codec.decode!(bytes);
  if (!out) throw new Error('jSquash decoder returned nothing');
  return out.width;
}

/**
 * Runs `a` and `b` alternately, ROUNDS times after one warm-up each (V8 tiers
 * WASM up lazily), so a busy machine slows both alike; reports the median time
 * of each and the median of the per-round ratios a/b.
 */
async function race<A, B>(
  a: () => Promise<A>,
  b: () => Promise<B>,
): Promise<{ a: number; b: number; ratio: number; resultA: A; resultB: B }> {
  let resultA = await a();
  let resultB = await b();
  const ta: number[] = [];
  const tb: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let started = performance.now();
    resultA = await a();
    ta.push(performance.now() - started);
    started = performance.now();
    resultB = await b();
    tb.push(performance.now() - started);
    ratios.push(ta[i]! / tb[i]!);
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  return { a: median(ta), b: median(tb), ratio: median(ratios), resultA, resultB };
}

const pictures = [
  { name: '2048×1536 photo, noise 8', picture: photo(2048, 1536, { seed: 11, noise: 8 }) },
  { name: '2048×2048 photo, noise 2', picture: photo(2048, 2048, { seed: 12, noise: 2 }) },
];
const quality = 85;
const settings = { ...ENCODE_SETTINGS.opaque, quality };
const size = (name: string) => readFileSync(`${dir}/${name}`).length;
console.log(`modules: ${dir} (${label}): decoder ${size('libwebp-dec.wasm')} B, encoder ${size('libwebp-enc.wasm')} B`);
console.log(
  `jSquash: decoder ${readFileSync(require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm')).length} B, encoder (SIMD) ${readFileSync(require.resolve('@jsquash/webp/codec/enc/webp_enc_simd.wasm')).length} B`,
);
for (const { name, picture } of pictures) {
  const enc = await race(
    () => codecs.encodeWebp(picture, settings),
    () => jsquashEncode(picture, quality),
  );
  console.log(
    `encode ${name}, q${quality} m${settings.method} low_memory=${settings.lowMemory ? 1 : 0}: ${label} ${enc.a.toFixed(0)} ms (${enc.resultA.length} B), ` +
      `jSquash SIMD ${enc.b.toFixed(0)} ms (${enc.resultB.length} B), median time ratio ${enc.ratio.toFixed(2)}`,
  );
  const file = enc.resultB;
  const dec = await race(
    () => codecs.decodeWebp(file, (info) => ({ width: info.frame.width, height: info.frame.height })),
    () => jsquashDecode(file),
  );
  const half = await race(
    () => codecs.decodeWebp(file, (info) => ({ width: info.frame.width >> 1, height: info.frame.height >> 1 })),
    () => jsquashDecode(file),
  );
  console.log(
    `decode ${name}: ${label} full ${dec.a.toFixed(0)} ms, jSquash full ${dec.b.toFixed(0)} ms, median time ratio ${dec.ratio.toFixed(2)}; ` +
      `${label} scaled to 1/2 ${half.a.toFixed(0)} ms`,
  );
}

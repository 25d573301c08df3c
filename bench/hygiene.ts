// Codec hygiene: does a stream of corrupt files leave memory behind or break the codecs?
//
//   npm run bench:hygiene
//
// Runs the real pipeline (processImage + nodeCodecs) in Node on 200 corrupt
// WebPs (bitstream damaged after the headers, so they pass the structure walk
// and reach libwebp) and 200 corrupt JPEGs (reaching the TypeScript decoder),
// then a valid file, and prints the accounted memory (bench/accounting.ts)
// after a GC before and after. Last line: growth_mib=<N>.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import encodeJpegRaw, { init as initJpegEncoder } from '@jsquash/jpeg/encode';
import { calibrate, fullGc, installWasmTracking, mib, sample, setArrayBuffersIncludeWasm } from './accounting';
import { corrupt } from './corrupt';
import type { RgbaImage } from '../src/pipeline/types';

const require = createRequire(import.meta.url);

installWasmTracking();
setArrayBuffersIncludeWasm(false);

const CORRUPT_FILES = 200;

/** Ramps and an XOR texture: the valid file the corrupt ones are made from (not the synthetic photo, test/fixtures/photo.ts). */
function pattern(width: number, height: number, alpha: boolean): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data[o] = (x * 255) / width;
      data[o + 1] = (y * 255) / height;
      data[o + 2] = ((x ^ y) * 7) & 255;
      data[o + 3] = alpha ? 128 + (x * 127) / width : 255;
    }
  }
  return { width, height, data };
}

/** A baseline JPEG from mozjpeg (jSquash's encoder, WASM compiled from node_modules). */
async function encodeJpeg(image: RgbaImage): Promise<Uint8Array> {
  const wasm = await WebAssembly.compile(await readFile(require.resolve('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm')));
  await (initJpegEncoder as unknown as (module: WebAssembly.Module) => Promise<void>)(wasm);
  return new Uint8Array(await encodeJpegRaw(image as unknown as ImageData, { quality: 85, progressive: false }));
}

async function main(): Promise<void> {
  const { loadDefaultConfig } = await import('./config');
  const { processImage } = await import('../src/pipeline');
  const { nodeCodecs } = await import('../src/codecs/node');
  const { PipelineError } = await import('../src/pipeline/errors');
  await calibrate();
  const config = await loadDefaultConfig();
  const codecs = await nodeCodecs();

  const { ENCODE_SETTINGS } = await import('../src/pipeline/encode');
  const validWebp = await codecs.encodeWebp(pattern(512, 384, true), { ...ENCODE_SETTINGS.alpha, quality: 85 });
  const validJpeg = await encodeJpeg(pattern(512, 384, false));
  const files = [...corrupt(validWebp, CORRUPT_FILES, 64, 1), ...corrupt(validJpeg, CORRUPT_FILES, 700, 2)];

  const run = async (bytes: Uint8Array) => {
    try {
      await processImage(bytes, config.process, codecs);
      return 'ok';
    } catch (error) {
      if (error instanceof PipelineError) return error.code;
      throw error; // anything else is a bug: the bench fails
    } finally {
      // The tracker pins each new WASM memory until the next sample (so a GC
      // cannot hide it from a stage's figure); release them after every file.
      sample();
    }
  };

  // Warm up with one valid file of each, so one-time allocations are in the baseline.
  await run(validWebp);
  await run(validJpeg);
  fullGc();
  const before = sample();

  const outcomes = new Map<string, number>();
  for (const bytes of files) {
    const outcome = await run(bytes);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const validAfter = [await run(validWebp), await run(validJpeg)];
  fullGc();
  const after = sample();

  const show = (label: string, s: ReturnType<typeof sample>) =>
    console.log(
      `${label}: accounted ${mib(s.accounted).toFixed(1)} MiB (wasm ${mib(s.wasm).toFixed(1)}, arrayBuffers ${mib(s.arrayBuffers).toFixed(1)}, heap ${mib(s.heapUsed).toFixed(1)})`,
    );
  console.log(`${files.length} corrupt files (${CORRUPT_FILES} WebP reaching libwebp, ${CORRUPT_FILES} JPEG):`);
  console.log(`  outcomes: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  valid WebP and JPEG afterwards: ${validAfter.join(', ')}`);
  show('before (after GC)', before);
  show('after (after GC)', after);
  if (validAfter.some((v) => v !== 'ok')) process.exitCode = 1;
  console.log(`growth_mib=${mib(after.accounted - before.accounted).toFixed(1)}`);
}

await main();

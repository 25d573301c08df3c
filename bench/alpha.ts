// What libwebp's alpha settings cost: `npm run bench:alpha`. Encodes one
// 2048×2048 picture with real transparency (soft-edged cut-out over a
// transparent, partly translucent background) with each setting and prints
// the encoder instance's WASM memory (its peak: WebAssembly memory never
// shrinks), the file size and the time. The gateway's choice is
// ENCODE_SETTINGS.alpha in src/pipeline/encode.ts.
import { nodeCodecModules } from '../src/codecs/node';
import { createCodecs } from '../src/codecs/libwebp';
import type { WebpEncodeSettings } from '../src/pipeline/codecs';
import { ENCODE_SETTINGS } from '../src/pipeline/encode';

const memories: WebAssembly.Memory[] = [];
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module: WebAssembly.Module, imports?: WebAssembly.Imports) {
  const instance = new Instance(module, imports);
  // The encoder imports its memory (src/codecs/libwebp.ts caps it per call); the decoder exports its own.
  memories.push((instance.exports.memory ?? imports?.env?.memory) as WebAssembly.Memory);
  return instance;
} as unknown as typeof WebAssembly.Instance;

const codecs = createCodecs(await nodeCodecModules());
const SIZE = 2048;
const data = new Uint8ClampedArray(SIZE * SIZE * 4);
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const i = (y * SIZE + x) * 4;
    const r = Math.hypot(x - SIZE / 2, y - SIZE / 2);
    data[i] = (x * 255) / SIZE;
    data[i + 1] = (y * 255) / SIZE;
    data[i + 2] = ((x + y) * 3) & 255;
    data[i + 3] = r < 700 ? 255 : r < 720 ? (720 - r) * 12 : ((x >> 6) + (y >> 6)) % 3 === 0 ? 128 : 0;
  }
}
const image = { width: SIZE, height: SIZE, data };
const alpha = (compression: 0 | 1, filtering: 0 | 1 | 2, quality: number) => ({ compression, filtering, quality });
const runs: [string, Omit<WebpEncodeSettings, 'quality'>][] = [
  ['opaque (alpha dropped)', ENCODE_SETTINGS.opaque],
  ['method 4, lossless alpha, filter 1', { method: 4, lowMemory: false, alpha: alpha(1, 1, 100) }],
  ['method 4, lossless alpha, filter 2', { method: 4, lowMemory: false, alpha: alpha(1, 2, 100) }],
  ['method 4, alpha_quality 90', { method: 4, lowMemory: false, alpha: alpha(1, 1, 90) }],
  ['method 2, lossless alpha, filter 1', { method: 2, lowMemory: false, alpha: alpha(1, 1, 100) }],
  ['  the same with low_memory', { method: 2, lowMemory: true, alpha: alpha(1, 1, 100) }],
  ['method 0, lossless alpha, filter 1', { method: 0, lowMemory: false, alpha: alpha(1, 1, 100) }],
  ['method 4, raw alpha', { method: 4, lowMemory: false, alpha: alpha(0, 0, 100) }],
];
console.log(`${SIZE}×${SIZE} with real transparency, quality 85 (encoder memory uncapped: the module's 128 MiB)`);
for (const [name, settings] of runs) {
  memories.length = 0;
  const started = performance.now();
  const out = await codecs.encodeWebp(image, { ...settings, quality: 85 });
  const ms = performance.now() - started;
  const mib = memories[0]!.buffer.byteLength / 2 ** 20;
  console.log(
    `${name.padEnd(36)} encoder WASM ${mib.toFixed(1)} MiB (${((mib * 2 ** 20) / (SIZE * SIZE)).toFixed(1)} B/px), ` +
      `${out.length} B, ${ms.toFixed(0)} ms`,
  );
}

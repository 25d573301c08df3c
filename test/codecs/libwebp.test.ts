import { describe, expect, it } from 'vitest';
import { createCodecs, libwebpVersion } from '../../src/codecs/libwebp';
import webpDecoder from '../../src/codecs/libwebp-dec.wasm';
import webpEncoder from '../../src/codecs/libwebp-enc.wasm';
import rowFilter from '../../src/codecs/row-filter.wasm';
import type { WebpInfo } from '../../src/pipeline/codecs';
import { ENCODE_SETTINGS } from '../../src/pipeline/encode';
import { areaReduce } from '../../src/pipeline/resample/resize';
import type { RgbaImage } from '../../src/pipeline/types';
import { alphaGradient, noise, paint } from '../fixtures/pixels';
import { decodeWebp as jsquashDecode, encodeWebp as jsquashEncode } from '../helpers/encoders';
import { webpChunks } from '../helpers/webp-inspect';

const codecs = createCodecs({ webpDecoder, webpEncoder, rowFilter });
const fullSize = (info: WebpInfo) => ({ width: info.frame.width, height: info.frame.height });

/** A photo-like picture: smooth gradients, soft waves and a few hard edges. */
function scene(width: number, height: number, alpha = false): RgbaImage {
  return paint(width, height, (x, y) => {
    const wave = 40 * Math.sin((x + 2 * y) / 23) + 30 * Math.cos((3 * x - y) / 41);
    const disc = (x - width / 3) ** 2 + (y - height / 2) ** 2 < (width / 5) ** 2 ? 60 : 0;
    return [
      100 + wave + disc + (80 * x) / width,
      120 - wave / 2 + (60 * y) / height,
      90 + disc / 2 + wave / 3,
      alpha ? Math.round(255 - (200 * x * y) / (width * height)) : 255,
    ];
  });
}

function psnr(a: RgbaImage, b: RgbaImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += (a.data[i]! - b.data[i]!) ** 2;
  const mse = sum / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

describe('the committed libwebp modules', () => {
  it.each([
    ['decoder', webpDecoder],
    ['encoder', webpEncoder],
  ])('the %s reports libwebp ≥ 1.3.2 (CVE-2023-4863 is fixed in 1.3.2)', (_name, module) => {
    const [major, minor, patch] = libwebpVersion(module).split('.').map(Number) as [number, number, number];
    expect(major * 10000 + minor * 100 + patch).toBeGreaterThanOrEqual(10302);
  });

  it('import nothing from the host but the encoder its memory', () => {
    expect(WebAssembly.Module.imports(webpDecoder)).toEqual([]);
    expect(WebAssembly.Module.imports(webpEncoder)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });
});

describe('decoder', () => {
  it.each([
    { name: 'lossy', options: { quality: 80 }, picture: scene(97, 61) },
    { name: 'lossy with alpha', options: { quality: 80 }, picture: scene(64, 48, true) },
    { name: 'lossless with alpha', options: { lossless: true }, picture: alphaGradient(75, 33) },
  ])('decodes $name bit-exact with the jSquash oracle at full size', async ({ options, picture }) => {
    const file = await jsquashEncode(picture, options);
    const ours = await codecs.decodeWebp(file, fullSize);
    const oracle = await jsquashDecode(file);
    expect([ours.width, ours.height]).toEqual([oracle.width, oracle.height]);
    expect(Buffer.from(ours.data).equals(Buffer.from(oracle.data))).toBe(true);
  });

  it.each([
    { name: 'lossy', options: { quality: 90 } },
    { name: 'lossless', options: { lossless: true } },
  ])('scales $name while decoding: ≥ 38 dB PSNR against an area-reduced full decode', async ({ options }) => {
    const file = await jsquashEncode(scene(512, 384), options);
    const reference = areaReduce(await codecs.decodeWebp(file, fullSize), 4);
    const scaled = await codecs.decodeWebp(file, () => ({ width: 128, height: 96 }));
    expect(psnr(scaled, reference)).toBeGreaterThanOrEqual(38);
  });

  it('reports what the headers say before decoding', async () => {
    const file = await jsquashEncode(scene(40, 30, true), { quality: 70 });
    let seen: WebpInfo | undefined;
    await codecs.decodeWebp(file, (info) => ((seen = info), fullSize(info)));
    expect(seen).toEqual({
      canvasWidth: 40,
      canvasHeight: 30,
      frames: 1,
      frame: { x: 0, y: 0, width: 40, height: 30 },
      hasAlpha: true,
      lossless: false,
    });
  });

  it('refuses garbage with an error and stays usable for the next file', async () => {
    const good = await jsquashEncode(scene(16, 16), { quality: 70 });
    const broken = good.slice();
    broken.fill(0x5a, 30);
    await expect(codecs.decodeWebp(broken, fullSize)).rejects.toThrow();
    await expect(codecs.decodeWebp(good.subarray(0, 40), fullSize)).rejects.toThrow();
    expect((await codecs.decodeWebp(good, fullSize)).width).toBe(16);
  });

  it('rejects an output size the caller picked out of range, before decoding', async () => {
    const file = await jsquashEncode(scene(16, 16), { quality: 70 });
    await expect(codecs.decodeWebp(file, () => ({ width: 0, height: 16 }))).rejects.toThrow(/out of range/);
    await expect(codecs.decodeWebp(file, () => ({ width: 16, height: 1e6 }))).rejects.toThrow(/out of range/);
  });
});

/** Runs `work` while counting the WebAssembly memories created, by their maximum in pages. */
async function countingMemories<T>(work: () => Promise<T>): Promise<{ result: T; memories: number[] }> {
  const Original = WebAssembly.Memory;
  const memories: number[] = [];
  WebAssembly.Memory = class extends Original {
    constructor(descriptor: WebAssembly.MemoryDescriptor) {
      super(descriptor);
      memories.push(descriptor.maximum ?? -1);
    }
  };
  try {
    return { result: await work(), memories };
  } finally {
    WebAssembly.Memory = Original;
  }
}

describe('encoder', () => {
  it('drops an all-255 alpha channel when told the image is opaque', async () => {
    const file = await codecs.encodeWebp(scene(64, 64), { ...ENCODE_SETTINGS.opaque, quality: 85 });
    expect(webpChunks(file).map((c) => c.fourcc)).toEqual(['VP8 ']);
    expect(psnr(await codecs.decodeWebp(file, fullSize), scene(64, 64))).toBeGreaterThan(30);
  });

  it('keeps real transparency losslessly and scales inside the encoder when asked', async () => {
    const picture = alphaGradient(120, 80);
    const file = await codecs.encodeWebp(picture, { ...ENCODE_SETTINGS.alpha, quality: 85 }, { width: 60, height: 40 });
    expect(webpChunks(file).map((c) => c.fourcc)).toEqual(['VP8X', 'ALPH', 'VP8 ']);
    const decoded = await codecs.decodeWebp(file, fullSize);
    expect([decoded.width, decoded.height]).toEqual([60, 40]);
    const alpha = (image: RgbaImage) => image.data.filter((_, i) => i % 4 === 3);
    const expected = alpha(areaReduce(picture, 2));
    const got = alpha(decoded);
    expect(Math.max(...got.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThanOrEqual(3);
  });

  it('codes again with low_memory when the token buffer outgrows the memory allowed', async () => {
    // Noise at q100 makes a large output, so a large token buffer (about 20 bytes per output byte).
    const picture = noise(512, 512, 7);
    const settings = { ...ENCODE_SETTINGS.opaque, quality: 100 };
    const tokens = await codecs.encodeWebp(picture, settings);
    const twoPass = await codecs.encodeWebp(picture, { ...settings, lowMemory: true });
    expect(tokens).not.toEqual(twoPass);
    const { result: capped, memories } = await countingMemories(() =>
      codecs.encodeWebp(picture, { ...settings, maxMemoryBytes: 4 * 2 ** 20 }),
    );
    expect(capped).toEqual(twoPass);
    // Coded again in the same memory, not by the uncapped fallback's second instance.
    expect(memories).toEqual([64]);
  });

  it('codes as if uncapped when even the frame does not fit the memory allowed', async () => {
    const picture = noise(512, 512, 7); // 1 MiB of RGBA: more than a 1 MiB memory can hold beside the stack
    const settings = { ...ENCODE_SETTINGS.opaque, quality: 100 };
    const twoPass = await codecs.encodeWebp(picture, { ...settings, lowMemory: true });
    const { result, memories } = await countingMemories(() =>
      codecs.encodeWebp(picture, { ...settings, maxMemoryBytes: 2 ** 20 }),
    );
    expect(result).toEqual(twoPass);
    expect(memories).toEqual([16, 2048]); // the capped instance, then one that may grow to 128 MiB
  });

  it('refuses a pixel buffer that does not match the size', async () => {
    const bad = { width: 10, height: 10, data: new Uint8ClampedArray(10) };
    await expect(codecs.encodeWebp(bad, { ...ENCODE_SETTINGS.opaque, quality: 85 })).rejects.toThrow(/does not match/);
  });
});

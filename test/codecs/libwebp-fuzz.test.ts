import { describe, expect, it } from 'vitest';
import { createCodecs } from '../../src/codecs/libwebp';
import webpDecoder from '../../src/codecs/libwebp-dec.wasm';
import webpEncoder from '../../src/codecs/libwebp-enc.wasm';
import rowFilter from '../../src/codecs/row-filter.wasm';
import { PipelineError } from '../../src/pipeline/errors';
import { processImage, type ProcessOptions } from '../../src/pipeline';
import { alphaGradient, noise } from '../fixtures/pixels';
import { encodeWebp } from '../helpers/encoders';
import { seededRandom } from '../helpers/seeded-random';

// Hostile WebPs straight through the pipeline and the gateway's libwebp build:
// whatever the bytes, the outcome is an image or a PipelineError (a 4xx), never
// another error (a 5xx), and the codecs keep working afterwards.

const SEED = 20261202;
const MUTATIONS = 120;
const codecs = createCodecs({ webpDecoder, webpEncoder, rowFilter });
const options: ProcessOptions = {
  limits: { maxWidth: 4096, maxHeight: 4096, maxFrames: 1000 },
  maxOutputEdge: 256,
  mainQuality: 80,
  thumbQuality: 70,
  thumbMaxEdge: 64,
};

async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    await processImage(bytes, options, codecs);
    return 'ok';
  } catch (error) {
    if (error instanceof PipelineError) return error.code;
    return `not a PipelineError: ${String(error)}`;
  }
}

describe('seeded fuzz of WebP through libwebp 1.5.0', () => {
  it.each([
    { name: 'lossy', make: () => encodeWebp(noise(96, 64, 3), { quality: 70 }) },
    { name: 'lossy with alpha', make: () => encodeWebp(alphaGradient(96, 64), { quality: 70 }) },
    { name: 'lossless with alpha', make: () => encodeWebp(alphaGradient(96, 64), { lossless: true }) },
  ])(`${MUTATIONS} bit flips and cuts past the headers of a $name file: only PipelineErrors`, async ({ make }) => {
    const valid = await make();
    const random = seededRandom(SEED);
    const seen = new Set<string>();
    for (let i = 0; i < MUTATIONS; i++) {
      const bytes = valid.slice(0, i % 4 === 0 ? 40 + Math.floor(random() * (valid.length - 40)) : valid.length);
      // Damage the bitstream, not the RIFF framing the structure walk checks first, so libwebp sees it.
      for (let flips = 1 + Math.floor(random() * 6); flips > 0; flips--) {
        const at = 34 + Math.floor(random() * (bytes.length - 34));
        bytes[at]! ^= 1 << Math.floor(random() * 8);
      }
      const result = await outcome(bytes);
      expect(result.startsWith('not a PipelineError'), `mutation ${i}: ${result}`).toBe(false);
      seen.add(result);
    }
    expect([...seen].every((code) => ['ok', 'invalid_image', 'dimensions_exceeded'].includes(code))).toBe(true);
    expect(await outcome(valid)).toBe('ok');
  });
});

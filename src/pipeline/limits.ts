import { PipelineError } from './errors';
import type { ImageHeader } from './types';

/**
 * What one image may cost, of a Worker isolate's 128 MB: the rest is the
 * runtime, the code and a concurrent request's buffers. Heavy work is
 * serialized per isolate, so one image at a time spends this.
 */
export const MEMORY_BUDGET_MIB = 96;

/**
 * Costs inside the budget that do not scale with the output: the JS heap in
 * use, the uploaded bytes (≤ 10 MiB) and the thumbnail's encode. From
 * `npm run bench:memory` (about 10 MiB of heap, 3–8 MiB of upload).
 */
const FIXED_MIB = 24;

/** MiB left for the one image-sized allocation that dominates a request. */
const SCALED_BUDGET_BYTES = (MEMORY_BUDGET_MIB - FIXED_MIB) * 2 ** 20;

/**
 * Peak bytes per pixel of an opaque main image at `encode-main`: its RGBA
 * frame (4) and libwebp's encoder (about 5.5: the RGBA copy it imports and
 * frees, the YUV planes; plus its token buffer, which grows with the output
 * and is capped by {@link encoderMemoryLimitBytes}; it was 11 with jSquash's
 * build). Kept at 16 so MAX_OUTPUT_EDGE's ceiling does not move.
 */
export const BYTES_PER_OUTPUT_PIXEL = 16;

const edgeFor = (bytesPerPixel: number) => Math.floor(Math.sqrt(SCALED_BUDGET_BYTES / bytesPerPixel));

/** The largest MAX_OUTPUT_EDGE whose worst case (a square opaque image) fits {@link MEMORY_BUDGET_MIB}. */
export const MAX_OUTPUT_EDGE_IN_BUDGET = edgeFor(BYTES_PER_OUTPUT_PIXEL);

/**
 * Peak bytes per pixel of libwebp's encoder heap for an image with real
 * transparency: the alpha plane is compressed by its lossless encoder (19.4
 * bytes per pixel at method 2, 28.9 at method 4: `npm run bench:alpha`).
 */
export const BYTES_PER_ALPHA_ENCODER_PIXEL = 20;

/**
 * The same at libwebp's default effort (method 4, sharp's `effort: 4`): 28.9
 * bytes per pixel (`npm run bench:alpha`). An image with transparency small
 * enough for it is encoded at that effort ({@link alphaEncodeMethod}).
 */
export const BYTES_PER_ALPHA_ENCODER_PIXEL_AT_DEFAULT_EFFORT = 30;

/**
 * The libwebp method for an image with real transparency of `outputPixels`
 * when the encoder may grow to `maxMemoryBytes`: the default effort (4) when
 * its alpha encoder fits, else 2, the effort whose memory the budget is sized with.
 */
export function alphaEncodeMethod(outputPixels: number, maxMemoryBytes: number): 2 | 4 {
  return outputPixels * BYTES_PER_ALPHA_ENCODER_PIXEL_AT_DEFAULT_EFFORT <= maxMemoryBytes ? 4 : 2;
}

/**
 * How many pixels an image with real transparency may be stored with, when
 * its decoded frame has `framePixels`: the frame stays alive beside the
 * encoder, which scales it down itself (WebPPictureRescale), so the two add
 * up. About 2.9 MP (1713×1713) for a 2048×2048 frame; a 2048×1536 one fits
 * whole. An image whose alpha is all 255 is stored opaque at the full size.
 */
export function maxAlphaOutputPixels(framePixels: number): number {
  return Math.max(1, Math.floor((SCALED_BUDGET_BYTES - 4 * framePixels) / BYTES_PER_ALPHA_ENCODER_PIXEL));
}

/**
 * The most libwebp's encoder memory may grow to while an RGBA frame of
 * `framePixels` stays beside it: what {@link maxAlphaOutputPixels} sizes the
 * alpha encoder with (56 MiB beside a 2048×2048 frame). An opaque image's
 * encoder needs about 5 bytes per pixel plus its token buffer, which grows
 * with the output (a 2048×2048 photo at q85: +6 MiB; pure noise at q100: +93
 * MiB); past the cap libwebp stops with an out-of-memory status and the
 * adapter codes the picture again with `low_memory` (no token buffer).
 */
export function encoderMemoryLimitBytes(framePixels: number): number {
  return Math.max(0, SCALED_BUDGET_BYTES - 4 * framePixels);
}

/** Bytes per input pixel libwebp's decoder holds whatever the output size: a lossless (VP8L) frame is decoded whole as ARGB. */
const LOSSLESS_DECODE_BYTES_PER_INPUT_PIXEL = 4;
/** The same for a lossy frame with an ALPH chunk: the full alpha plane plus its lossless decoder's buffer. */
const LOSSY_ALPHA_DECODE_BYTES_PER_INPUT_PIXEL = 2;
/** A lossy (VP8) frame without alpha is decoded in rows, scaled on the way: its cost does not grow with the input. */

/** What the WebP decoder is asked to do, from the file's headers (libwebp's demuxer). */
export interface WebpDecodeCost {
  /** Pixels of the frame libwebp decodes. */
  inputPixels: number;
  lossless: boolean;
  hasAlpha: boolean;
  /** Pixels of the RGBA frame it writes (it exists twice: in WASM, then copied out). */
  outputPixels: number;
  /** Pixels of the canvas an animation's smaller first frame is placed on (0 when the frame is the canvas). */
  canvasPixels: number;
  /** Size of the file, which the decoder holds a copy of. */
  fileBytes: number;
}

/**
 * Refuses a WebP whose decoding would not fit the budget. Lossy WebP is decoded
 * straight to the output size, so any lossy WebP within the input limits fits;
 * a lossless one (and a lossy one's alpha plane) is decoded at full size by
 * libwebp: at the defaults a lossless WebP may have about 8 MP when stored at
 * 2048 px (for example 4096×2048 or 2896×2896).
 * @throws PipelineError `dimensions_exceeded`
 */
export function checkWebpDecodeCost(cost: WebpDecodeCost): void {
  const perInputPixel = cost.lossless
    ? LOSSLESS_DECODE_BYTES_PER_INPUT_PIXEL
    : cost.hasAlpha
      ? LOSSY_ALPHA_DECODE_BYTES_PER_INPUT_PIXEL
      : 0;
  if (perInputPixel === 0) return;
  const left = SCALED_BUDGET_BYTES - 4 * (2 * cost.outputPixels + cost.canvasPixels) - cost.fileBytes;
  const maxPixels = Math.max(0, Math.floor(left / perInputPixel));
  if (cost.inputPixels > maxPixels) {
    const kind = cost.lossless ? 'A lossless WebP' : 'The alpha plane of a lossy WebP';
    throw new PipelineError(
      'dimensions_exceeded',
      `${kind} is decoded at full size: this one has ${cost.inputPixels} pixels, at most ${maxPixels} fit the memory budget`,
      { details: { pixels: cost.inputPixels, maxPixels, lossless: cost.lossless } },
    );
  }
}

/** Limits checked from the header, before any pixel is decoded. */
export interface InputLimits {
  /** Largest accepted stored width in pixels. */
  maxWidth: number;
  /** Largest accepted stored height in pixels. */
  maxHeight: number;
  /** Largest accepted frame count (animated GIF/WebP); only the first frame is kept. */
  maxFrames: number;
}

/**
 * Refuses an image whose header is over a limit; the error names the limit.
 * @throws PipelineError `dimensions_exceeded`
 */
export function checkLimits(header: ImageHeader, limits: InputLimits): void {
  const { width, height, frames } = header;
  if (width > limits.maxWidth || height > limits.maxHeight) {
    throw new PipelineError(
      'dimensions_exceeded',
      `Image is ${width}x${height}; the limit is ${limits.maxWidth}x${limits.maxHeight}`,
      { details: { width, height, maxWidth: limits.maxWidth, maxHeight: limits.maxHeight } },
    );
  }
  if (frames > limits.maxFrames) {
    throw new PipelineError('dimensions_exceeded', `Image has ${frames} frames; the limit is ${limits.maxFrames}`, {
      details: { frames, maxFrames: limits.maxFrames },
    });
  }
}

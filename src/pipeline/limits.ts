import { PipelineError } from './errors';
import { formatSpec } from './formats';
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
 * frame (4) and libwebp's encoder heap (about 11), from bench:memory.
 */
export const BYTES_PER_OUTPUT_PIXEL = 16;

/**
 * The same with alpha: libwebp compresses the alpha plane with its lossless
 * encoder, and its heap grows to about 33 bytes per pixel (bench:memory:
 * 71 MiB for a 1374×1374 RGBA output, its heap growing in steps), plus the frame.
 */
export const BYTES_PER_ALPHA_OUTPUT_PIXEL = 48;

const edgeFor = (bytesPerPixel: number) => Math.floor(Math.sqrt(SCALED_BUDGET_BYTES / bytesPerPixel));

/** The largest MAX_OUTPUT_EDGE whose worst case (a square opaque image) fits {@link MEMORY_BUDGET_MIB}. */
export const MAX_OUTPUT_EDGE_IN_BUDGET = edgeFor(BYTES_PER_OUTPUT_PIXEL);

/**
 * Images that may carry alpha are stored at most this large (1254 with the
 * defaults): at 2048×2048 the alpha encoder alone needs over 110 MiB.
 */
export const MAX_ALPHA_OUTPUT_EDGE = edgeFor(BYTES_PER_ALPHA_OUTPUT_PIXEL);

/**
 * A format whose decoder holds the whole input frame (`fullFrameDecode` in the
 * registry, formats.ts: today WebP, decoded by libwebp, for which no
 * streaming decoder is available): its WASM heap (up to about 8 bytes per
 * pixel for lossless) plus the frame copied out (4) must fit beside the
 * output, so such inputs are capped at this many pixels (about 4.9 MP with the
 * defaults: 2560×1900).
 */
export const MAX_FULL_FRAME_INPUT_PIXELS = Math.floor((SCALED_BUDGET_BYTES - 16 * 2 ** 20) / 12);

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
  const format = formatSpec(header.format);
  if (format.fullFrameDecode && width * height > MAX_FULL_FRAME_INPUT_PIXELS) {
    throw new PipelineError(
      'dimensions_exceeded',
      `${format.label} images may have at most ${MAX_FULL_FRAME_INPUT_PIXELS} pixels; this one has ${width * height}`,
      { details: { width, height, maxPixels: MAX_FULL_FRAME_INPUT_PIXELS } },
    );
  }
  if (frames > limits.maxFrames) {
    throw new PipelineError('dimensions_exceeded', `Image has ${frames} frames; the limit is ${limits.maxFrames}`, {
      details: { frames, maxFrames: limits.maxFrames },
    });
  }
}

import { PipelineError } from '../lib/errors';
import type { ImageHeader } from './types';

/**
 * What one image may cost, of a Worker isolate's 128 MB: the rest is the
 * runtime, the code, the upload's bytes and a concurrent request's buffers.
 */
export const MEMORY_BUDGET_MIB = 96;

/**
 * Peak bytes per pixel of the stored main image (RGBA frame, its oriented
 * copy and libwebp's encoder memory), from `npm run bench:memory`.
 */
export const BYTES_PER_OUTPUT_PIXEL = 20;

/** The largest MAX_OUTPUT_EDGE whose worst case (a square image) fits {@link MEMORY_BUDGET_MIB}. */
export const MAX_OUTPUT_EDGE_IN_BUDGET = Math.floor(Math.sqrt((MEMORY_BUDGET_MIB * 2 ** 20) / BYTES_PER_OUTPUT_PIXEL));

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

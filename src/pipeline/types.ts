import type { ImageFormat } from './formats';

/** What the header says, read before any pixel is decoded. */
export interface ImageHeader {
  format: ImageFormat;
  /** Stored width in pixels, before EXIF orientation. */
  width: number;
  /** Stored height in pixels, before EXIF orientation. */
  height: number;
  /** EXIF orientation 1..8 (1 when absent or unreadable). */
  orientation: Orientation;
  /** Number of frames (1 for still images; GIF and animated WebP may have more). */
  frames: number;
  /** Whether the container says the image may carry alpha. */
  hasAlpha: boolean;
  /** JPEG only: progressive (SOF2) rather than baseline/extended sequential. */
  progressive?: boolean;
  /** PNG only: Adam7-interlaced, so rows arrive out of order when streaming. */
  interlaced?: boolean;
}

export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** 8-bit RGBA pixels, row-major, no padding. Same shape as the DOM's ImageData. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /**
   * True when every alpha is known to be 255 without looking (written by the
   * opaque resampler, or forced by decodeImage for a header without alpha), so
   * the encoder and the thumbnail's resize skip their scans; absent: unknown.
   * Whoever changes `data` in place must drop it.
   */
  opaque?: boolean;
}

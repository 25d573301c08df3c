import type { RgbaImage } from './types';

/** What a WebP's headers say about its (first) frame, read by libwebp's demuxer. */
export interface WebpInfo {
  canvasWidth: number;
  canvasHeight: number;
  /** 1 for a still; the animation's frame count otherwise (only the first is decoded). */
  frames: number;
  /** Where the first frame lies on the canvas, in pixels. */
  frame: { x: number; y: number; width: number; height: number };
  /** Whether the first frame's bitstream may carry alpha. */
  hasAlpha: boolean;
  /** VP8L: libwebp decodes it into a full-size ARGB frame, whatever the output size. */
  lossless: boolean;
}

/** libwebp encoder settings (`WebPConfig`); see src/pipeline/encode.ts for the values used. */
export interface WebpEncodeSettings {
  /** 0–100. */
  quality: number;
  /** Effort 0 (fast) – 6 (slow); also the alpha plane's lossless effort. */
  method: number;
  /**
   * `low_memory`: code the picture twice (a statistics pass, then the real one) rather than holding
   * every token of the output to code it once. False is about twice as fast, with output identical to
   * libwebp's default; its token buffer grows with the output's size (about 20 bytes per output byte).
   */
  lowMemory: boolean;
  /**
   * The most the encoder's memory may grow to, in bytes (default: the module's 128 MiB). An encode
   * with `lowMemory: false` that would need more is done again, in the same memory, with `low_memory`;
   * one that needs more even so is done as if uncapped (with `low_memory`, up to the 128 MiB).
   */
  maxMemoryBytes?: number;
  /** False: the alpha channel is ignored and the file is opaque (no ALPH chunk). */
  alpha:
    | false
    | {
        /** 1: lossless-compress the alpha plane; 0: store it raw. */
        compression: 0 | 1;
        /** Predictive filter: 0 none, 1 fast, 2 best. */
        filtering: 0 | 1 | 2;
        /** 0–100; below 100 the alpha levels are quantized first. */
        quality: number;
      };
}

/**
 * The fixed-point resampler's per-sample loops (wasm/row_filter.c; the
 * Lanczos-3 passes in WASM SIMD), one instance per resampler: its memory holds
 * the rows and tables the caller lays out from `base` on, and never grows
 * after creation, so typed-array views on `buffer` stay valid. Arguments are
 * byte offsets into that memory; samples are 32-bit linear light in 1/65535
 * steps, `channels` 3 (opaque RGB) or 4 (premultiplied RGBA). The arithmetic
 * is specified in src/pipeline/resample/fixed-rows.ts.
 */
export interface RowFilter {
  buffer: ArrayBuffer;
  /** The first byte the caller may use; `buffer` holds at least the bytes asked for from here. */
  base: number;
  /** `width` RGBA8 pixels to linear light through `tables` (3 × 256 int32), premultiplied with `alphaScale` (256 uint32) when 4 channels. */
  linearRow(rgba: number, mid: number, tables: number, alphaScale: number, width: number, channels: 3 | 4): void;
  /** The same conversion, added `box` pixels at a time into 64-bit `sums`. */
  boxRow(
    rgba: number,
    sums: number,
    tables: number,
    alphaScale: number,
    width: number,
    box: number,
    channels: 3 | 4,
  ): void;
  /** `boxes` sums to rounded means in `mid`, box b having covered `rows` rows of `lengths[b]` (int32) pixels. */
  averageBoxes(sums: number, mid: number, lengths: number, boxes: number, rows: number, channels: 3 | 4): void;
  /**
   * Horizontal pass: `width` outputs into `dst`, output x the sum of source samples from `first[x]` (a
   * sample index) against `weights[ends[x-1] .. ends[x])` (int32), rounded and shifted right by 14.
   * Source and destination need 4 samples of room past their last pixel.
   */
  filterRow(
    src: number,
    dst: number,
    first: number,
    ends: number,
    weights: number,
    width: number,
    channels: 3 | 4,
  ): void;
  /**
   * Vertical pass: `sum[i] = Σ rows[t][i] × weights[t]` for `taps` rows (`rows`: their byte offsets as
   * int32), `length` samples rounded up to a multiple of 8 (rows and `sum` need that room).
   */
  sumRows(sum: number, rows: number, weights: number, taps: number, length: number): void;
  /** A vertical sum row to `width` RGBA8 sRGB pixels in `out`, through `matrix` (9 float32, 0 for none) and the 65536-entry encode `table`. */
  encodeRow(sum: number, out: number, table: number, matrix: number, width: number, channels: 3 | 4): void;
}

/**
 * The port through which the pure pipeline reaches its WASM codecs (JPEG, PNG
 * and GIF are decoded in TypeScript, see src/pipeline/<format>/). The pipeline
 * only sees this interface; the adapter in src/codecs/ implements it, and how
 * it obtains the WebAssembly modules differs by runtime (`workerd.ts`,
 * `node.ts`), nothing else does.
 */
export interface Codecs {
  /** The codec library versions, from the modules themselves. */
  versions(): { libwebp: string };
  /**
   * Decodes the first frame of a WebP (still or animated) to RGBA at the size
   * `chooseSize` picks from its headers (libwebp scales while decoding).
   * Returns the frame only; placing it on the canvas is the caller's.
   * Throws what `chooseSize` throws, or an error when libwebp refuses the data.
   */
  decodeWebp(bytes: Uint8Array, chooseSize: (info: WebpInfo) => { width: number; height: number }): Promise<RgbaImage>;
  /**
   * Encodes RGBA pixels to a lossy WebP with no metadata chunks, scaled by
   * libwebp (premultiplied by alpha) to `size` when given and different.
   */
  encodeWebp(
    image: RgbaImage,
    settings: WebpEncodeSettings,
    size?: { width: number; height: number },
  ): Promise<Uint8Array>;
  /** A fresh {@link RowFilter} with room for `bytes` from its `base`. */
  rowFilter(bytes: number): RowFilter;
}

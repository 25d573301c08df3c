import type { RgbaImage } from './types';

/**
 * The port through which the pure pipeline reaches its WASM codecs (JPEG, PNG
 * and GIF are decoded in TypeScript, see src/pipeline/<format>/). The pipeline
 * only sees this interface; the adapters in src/codecs/ implement it, and how
 * they obtain the WebAssembly modules differs by runtime (`workerd.ts`,
 * `node.ts`), nothing else does.
 */
export interface Codecs {
  /** Decodes a still WebP (VP8, VP8L or VP8X without animation) to RGBA. */
  decodeWebp(bytes: Uint8Array): Promise<RgbaImage>;
  /** Encodes RGBA pixels to a lossy WebP with no metadata chunks. */
  encodeWebp(image: RgbaImage, quality: number): Promise<Uint8Array>;
}

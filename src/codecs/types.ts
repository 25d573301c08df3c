import type { RgbaImage } from '../pipeline/types';

/**
 * The WASM codecs the pipeline uses (JPEG, PNG and GIF are decoded in
 * TypeScript, see src/pipeline/<format>/). The pipeline only sees this interface;
 * how the WebAssembly modules are obtained differs by runtime (see
 * `workerd.ts` and `node.ts`), nothing else does.
 */
export interface Codecs {
  /** Decodes a still WebP (VP8, VP8L or VP8X without animation) to RGBA. */
  decodeWebp(bytes: Uint8Array): Promise<RgbaImage>;
  /** Encodes RGBA pixels to a lossy WebP with no metadata chunks. */
  encodeWebp(image: RgbaImage, quality: number): Promise<Uint8Array>;
}

/** The compiled WebAssembly modules {@link createCodecs} instantiates. */
export interface CodecModules {
  webpDecoder: WebAssembly.Module;
  /** The SIMD build of the libwebp encoder (workerd and Node ≥ 16 both have SIMD). */
  webpEncoder: WebAssembly.Module;
}

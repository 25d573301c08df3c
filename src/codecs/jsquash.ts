import webpDecoderFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import webpEncoderFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import { defaultOptions as webpDefaults } from '@jsquash/webp/meta.js';
import type { RgbaImage } from '../pipeline/types';
import type { Codecs } from '../pipeline/codecs';

// jSquash's Emscripten glue defines `globalThis.ImageData` (missing in workerd
// and Node) *inside* each instantiation when it is absent: the first codec
// instance's whole heap then stays reachable through that class for the
// isolate's life (measured: a 27-40 MiB WebP decoder heap never collected).
// Defining it here first, at module scope, keeps every instance collectable.
if (!('ImageData' in globalThis)) {
  (globalThis as { ImageData?: unknown }).ImageData = class ImageData {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  };
}

/** The compiled WebAssembly modules {@link createCodecs} instantiates. */
export interface CodecModules {
  webpDecoder: WebAssembly.Module;
  /** The SIMD build of the libwebp encoder (workerd and Node ≥ 16 both have SIMD). */
  webpEncoder: WebAssembly.Module;
}

interface EmscriptenCodec {
  decode?(data: Uint8Array, ...rest: boolean[]): RgbaImage | null;
  encode?(data: Uint8ClampedArray, width: number, height: number, options: object): Uint8Array | null;
}

/**
 * Instantiates an Emscripten codec from an already compiled module.
 *
 * Each call makes a fresh instance on purpose: WebAssembly memory never
 * shrinks, so an instance kept per isolate would hold its peak (tens of MiB
 * for a 2048-pixel encode) for the isolate's life; and an instance that
 * trapped on a hostile file must not serve the next request (jSquash's
 * decoders leak and eventually refuse valid images after repeated failures;
 * libwebp 1.1.0 predates the CVE-2023-4863 fix, so a corrupted heap must not
 * outlive one decode). Instantiating a compiled module takes well under a
 * millisecond.
 */
export async function instantiateEmscripten<T>(
  factory: (options: object) => Promise<T>,
  module: WebAssembly.Module,
): Promise<T> {
  return factory({
    noInitialRun: true,
    instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) {
      const instance = new WebAssembly.Instance(module, imports);
      receive(instance);
      return instance.exports;
    },
  });
}

function toRgba(result: RgbaImage | null, what: string): RgbaImage {
  if (!result) throw new Error(`${what} returned no image`);
  return { width: result.width, height: result.height, data: result.data };
}

/** Builds the {@link Codecs} from compiled modules. Call once per isolate. */
export function createCodecs(modules: CodecModules): Codecs {
  // low_memory trades a little encoder speed for memory (a 2016x1512 encode's
  // WASM heap drops from 40 to 34 MiB, same output size); see bench/README.md.
  const webpEncodeOptions = { ...webpDefaults, low_memory: 1 };
  type Factory = (options: object) => Promise<EmscriptenCodec>;

  return {
    async decodeWebp(bytes) {
      const codec = await instantiateEmscripten(webpDecoderFactory as unknown as Factory, modules.webpDecoder);
      return toRgba(codec.decode!(bytes), 'WebP decoder');
    },
    async encodeWebp(image, quality) {
      const codec = await instantiateEmscripten(webpEncoderFactory as unknown as Factory, modules.webpEncoder);
      const out = codec.encode!(image.data, image.width, image.height, { ...webpEncodeOptions, quality });
      if (!out) throw new Error('WebP encoder returned nothing');
      // Copy out of the WASM heap so the instance can be collected.
      return new Uint8Array(out);
    },
  };
}

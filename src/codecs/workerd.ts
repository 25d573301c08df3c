import jpegDecoder from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
// wasm-bindgen ships a .d.ts for this file describing its exports, which
// hides that the bundler's default import is the compiled module.
import * as pngWasm from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';
import webpDecoder from '@jsquash/webp/codec/dec/webp_dec.wasm';
import webpEncoder from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import { createCodecs } from './jsquash';
import type { Codecs } from './types';

const pngDecoder = (pngWasm as unknown as { default: WebAssembly.Module }).default;

let codecs: Codecs | undefined;

/**
 * The codecs for workerd: the WASM files are imported as modules (workerd
 * cannot compile WebAssembly from bytes at run time) and wired once per isolate.
 */
export function workerdCodecs(): Codecs {
  codecs ??= createCodecs({ jpegDecoder, pngDecoder, webpDecoder, webpEncoder });
  return codecs;
}

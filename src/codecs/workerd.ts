import webpDecoder from '@jsquash/webp/codec/dec/webp_dec.wasm';
import webpEncoder from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import { createCodecs } from './jsquash';
import type { Codecs } from '../pipeline/codecs';

let codecs: Codecs | undefined;

/**
 * The codecs for workerd: the WASM files are imported as modules (workerd
 * cannot compile WebAssembly from bytes at run time) and wired once per isolate.
 */
export function workerdCodecs(): Codecs {
  codecs ??= createCodecs({ webpDecoder, webpEncoder });
  return codecs;
}

import { createCodecs } from './libwebp';
import webpDecoder from './libwebp-dec.wasm';
import webpEncoder from './libwebp-enc.wasm';
import rowFilter from './row-filter.wasm';
import type { Codecs } from '../pipeline/codecs';

let codecs: Codecs | undefined;

/**
 * The codecs for workerd: the WASM files are imported as modules (workerd
 * cannot compile WebAssembly from bytes at run time) and wired once per isolate.
 */
export function workerdCodecs(): Codecs {
  codecs ??= createCodecs({ webpDecoder, webpEncoder, rowFilter });
  return codecs;
}

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createCodecs, type CodecModules } from './jsquash';
import type { Codecs } from '../pipeline/codecs';

const require = createRequire(import.meta.url);

/** Compiles a WebAssembly file of an installed package (e.g. `@jsquash/webp/codec/dec/webp_dec.wasm`) from disk. */
export async function compileWasm(specifier: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(require.resolve(specifier)));
}

/**
 * The codecs for Node (benchmarks and scripts): the same WASM files as in
 * workerd, compiled from disk.
 */
export async function nodeCodecs(): Promise<Codecs> {
  const modules: CodecModules = {
    webpDecoder: await compileWasm('@jsquash/webp/codec/dec/webp_dec.wasm'),
    webpEncoder: await compileWasm('@jsquash/webp/codec/enc/webp_enc_simd.wasm'),
  };
  return createCodecs(modules);
}

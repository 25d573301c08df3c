import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Codecs } from '../pipeline/codecs';
import { createCodecs, type CodecModules } from './libwebp';

const require = createRequire(import.meta.url);

/** Compiles a WebAssembly file of an installed package (e.g. `@jsquash/webp/codec/dec/webp_dec.wasm`) from disk. */
export async function compileWasm(specifier: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(require.resolve(specifier)));
}

/** The committed modules, compiled from disk (the same files workerd imports). */
export async function nodeCodecModules(): Promise<CodecModules> {
  const compile = async (name: string) => WebAssembly.compile(await readFile(new URL(name, import.meta.url)));
  return {
    webpDecoder: await compile('./libwebp-dec.wasm'),
    webpEncoder: await compile('./libwebp-enc.wasm'),
    rowFilter: await compile('./row-filter.wasm'),
  };
}

/** The codecs for Node (benchmarks and scripts): the same WASM files as in workerd, compiled from disk. */
export async function nodeCodecs(): Promise<Codecs> {
  return createCodecs(await nodeCodecModules());
}

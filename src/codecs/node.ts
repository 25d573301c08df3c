import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Codecs } from '../pipeline/codecs';
import { createCodecs, type CodecModules } from './libwebp';

const require = createRequire(import.meta.url);

/** Compiles a WebAssembly file of an installed package (e.g. `@jsquash/webp/codec/dec/webp_dec.wasm`) from disk. */
export async function compileWasm(specifier: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(require.resolve(specifier)));
}

/**
 * The committed modules, compiled from disk (the same files workerd imports);
 * libwebp's two from `libwebpDir` instead when given (a benchmark timing
 * another build of wasm/, its `--modules`).
 */
export async function nodeCodecModules(libwebpDir?: string): Promise<CodecModules> {
  const here = new URL('./', import.meta.url);
  const libwebp = libwebpDir === undefined ? here : pathToFileURL(`${libwebpDir}/`);
  const compile = async (name: string, dir: URL) => WebAssembly.compile(await readFile(new URL(name, dir)));
  return {
    webpDecoder: await compile('libwebp-dec.wasm', libwebp),
    webpEncoder: await compile('libwebp-enc.wasm', libwebp),
    rowFilter: await compile('row-filter.wasm', here),
  };
}

/** The codecs for Node (benchmarks and scripts): the same WASM files as in workerd, compiled from disk. */
export async function nodeCodecs(): Promise<Codecs> {
  return createCodecs(await nodeCodecModules());
}

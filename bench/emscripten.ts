// jSquash's Emscripten codecs, used by the benchmarks as input generators and
// as the peer the gateway's own libwebp build is measured against.

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

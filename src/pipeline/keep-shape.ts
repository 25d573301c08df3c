/** Small instances kept for the isolate's lifetime: a handful, about 20 KB in all (mostly the LZW tables). */
const kept: object[] = [];

/**
 * Keeps `instance` alive for the isolate's lifetime so that the hidden class
 * (V8's "map") shared by its class's instances is never garbage. Optimised
 * code refers to the maps it was specialised for weakly: when every instance
 * of a class is garbage, as the decoders' per-image objects are between two
 * images, a collection frees the map and V8 discards every optimised function
 * that used it ("embedded weak objects cleared"); the next image then builds a
 * new map and runs those functions unoptimised until they are compiled
 * again. The JPEG bit reader's methods were recompiled after every GC this
 * way. Give it a small instance made by the same constructor (so it has the
 * same map), holding no image data.
 */
export function keepShape(instance: object): void {
  kept.push(instance);
}

// Memory accounting for the benchmark: every WebAssembly memory the process
// creates is recorded (weakly) at the moment it appears, so the sum of live
// WASM memory can be read at any time, next to Node's own counters.
//
// Install with `installWasmTracking()` BEFORE any codec is imported or
// instantiated. It wraps, on the global `WebAssembly` object:
//   - `new WebAssembly.Instance(module, imports)` (what src/codecs/libwebp.ts, bench/emscripten.ts,
//     jSquash's `initEmscriptenModule` and wasm-bindgen's `initSync` call),
//   - `WebAssembly.instantiate` / `instantiateStreaming` (wasm-bindgen's async
//     init and Emscripten's default loader),
//   - `new WebAssembly.Memory(...)` (glue that creates and imports its memory).
// Every `WebAssembly.Memory` found among an instance's exports or imports is
// recorded once. Wrappers are Proxies, so `instanceof WebAssembly.Instance`
// (used by wasm-bindgen's glue) keeps working.
//
// The live WASM total is not read through references to those memories:
// creating or dereferencing a WeakRef keeps its target alive until the end of
// the current job, which for a pipeline that only awaits microtasks is the
// whole request, so it would itself keep dead codec instances alive (observed:
// +48 MiB per request). Instead the sample reads V8's own count of memory
// outside the JS heap, `process.memoryUsage().external`, which includes every
// WebAssembly memory (checked at startup): live WASM = external − arrayBuffers
// − the process's other external memory, calibrated with no WASM memory
// alive. The recorded memories are only held strongly from their creation to
// the next sample (see `pinned`), which also checks that figure: the memories
// created during a stage can never add up to more than it. A
// FinalizationRegistry counts the memories collected.

const MiB = 1024 * 1024;

export interface Sample {
  /** Live WebAssembly memory: V8's external memory minus array buffers minus the calibrated rest. */
  wasm: number;
  /** `process.memoryUsage().arrayBuffers`, minus WASM memory if Node counts it there (it does not in Node 24). */
  arrayBuffers: number;
  /** `process.memoryUsage().heapUsed`: the V8 JS heap in use, garbage not yet collected included. */
  heapUsed: number;
  /** wasm + arrayBuffers + heapUsed. */
  accounted: number;
}

interface Tracker {
  seen: WeakSet<WebAssembly.Memory>;
  /**
   * Memories recorded since the last sample, held strongly until that sample:
   * WebAssembly memory never shrinks, so a codec's memory at the end of the
   * stage that used it is its peak, and it coexisted with the pixels copied
   * out of it. Without this, a minor GC inside the stage could hide it.
   */
  pinned: WebAssembly.Memory[];
  instances: number;
  memories: number;
  collected: number;
  /** Largest amount by which the memories created in a stage exceeded the sampled WASM figure. */
  worstShortfall: number;
  arrayBuffersIncludeWasm: boolean;
  /** external − arrayBuffers with no WebAssembly memory alive (see {@link calibrate}). */
  otherExternal: number;
}

const tracker: Tracker = {
  seen: new WeakSet(),
  pinned: [],
  instances: 0,
  memories: 0,
  collected: 0,
  worstShortfall: 0,
  arrayBuffersIncludeWasm: false,
  otherExternal: 0,
};

let installed = false;

const finalization = new FinalizationRegistry<undefined>(() => {
  tracker.collected++;
});

function trackMemory(memory: WebAssembly.Memory): void {
  if (tracker.seen.has(memory)) return;
  tracker.seen.add(memory);
  finalization.register(memory, undefined);
  tracker.pinned.push(memory);
  tracker.memories++;
}

function trackValues(values: unknown, depth: number): void {
  if (values === null || typeof values !== 'object') return;
  for (const value of Object.values(values as Record<string, unknown>)) {
    if (value instanceof WebAssembly.Memory) trackMemory(value);
    else if (depth > 0) trackValues(value, depth - 1);
  }
}

function trackInstance(instance: WebAssembly.Instance, imports: unknown): void {
  tracker.instances++;
  trackValues(instance.exports, 0);
  // Imports are `{ module: { name: value } }`: two levels.
  trackValues(imports, 1);
}

type MutableWasm = Record<'Instance' | 'Memory' | 'instantiate' | 'instantiateStreaming', unknown>;

/** Wraps the WebAssembly entry points (idempotent). Call before importing any codec. */
export function installWasmTracking(): void {
  if (installed) return;
  installed = true;
  const wasm = WebAssembly as unknown as MutableWasm;

  const OriginalInstance = WebAssembly.Instance;
  wasm.Instance = new Proxy(OriginalInstance, {
    construct(target, args: unknown[], newTarget: () => unknown) {
      const instance = Reflect.construct(target, args, newTarget) as WebAssembly.Instance;
      trackInstance(instance, args[1]);
      return instance;
    },
  });

  const OriginalMemory = WebAssembly.Memory;
  wasm.Memory = new Proxy(OriginalMemory, {
    construct(target, args: unknown[], newTarget: () => unknown) {
      const memory = Reflect.construct(target, args, newTarget) as WebAssembly.Memory;
      trackMemory(memory);
      return memory;
    },
  });

  const originalInstantiate = WebAssembly.instantiate.bind(WebAssembly) as (
    source: unknown,
    imports?: unknown,
  ) => Promise<WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource>;
  const record = (
    result: WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource,
    imports: unknown,
  ): typeof result => {
    trackInstance(result instanceof OriginalInstance ? result : result.instance, imports);
    return result;
  };
  wasm.instantiate = async (source: unknown, imports?: unknown) =>
    record(await originalInstantiate(source, imports), imports);

  if (typeof WebAssembly.instantiateStreaming === 'function') {
    const originalStreaming = WebAssembly.instantiateStreaming.bind(WebAssembly) as (
      source: unknown,
      imports?: unknown,
    ) => Promise<WebAssembly.WebAssemblyInstantiatedSource>;
    wasm.instantiateStreaming = async (source: unknown, imports?: unknown) =>
      record(await originalStreaming(source, imports), imports);
  }
}

/** Whether Node's `arrayBuffers` figure includes WASM memory (see {@link probeArrayBuffersIncludeWasm}). */
export function setArrayBuffersIncludeWasm(value: boolean): void {
  tracker.arrayBuffersIncludeWasm = value;
}

/**
 * Measures whether `process.memoryUsage().arrayBuffers` already counts
 * WebAssembly memory: creates a 64 MiB memory, touches it, compares. Uses the
 * original constructor path only through `new WebAssembly.Memory`, so call it
 * before {@link installWasmTracking} (or the probe memory is recorded too).
 */
export function probeArrayBuffersIncludeWasm(): { includes: boolean; deltaMiB: number; externalDeltaMiB: number } {
  const before = process.memoryUsage();
  let memory: WebAssembly.Memory | undefined = new WebAssembly.Memory({ initial: 1024 }); // 64 MiB
  new Uint8Array(memory.buffer).fill(1);
  const after = process.memoryUsage();
  memory = undefined;
  void memory;
  const deltaMiB = (after.arrayBuffers - before.arrayBuffers) / MiB;
  const externalDeltaMiB = (after.external - before.external) / MiB;
  // The accounting relies on `external` counting WASM memory.
  if (Math.abs(externalDeltaMiB - 64) > 1) {
    throw new Error(`process.memoryUsage().external moved by ${externalDeltaMiB} MiB for a 64 MiB WebAssembly.Memory`);
  }
  // Half the memory is a safe threshold either way (the rest is noise).
  return { includes: deltaMiB > 32, deltaMiB, externalDeltaMiB };
}

/** Lets the event loop turn (a macrotask), so the engine can drop objects kept alive by `deref()`. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Measures the process's external memory that is neither an ArrayBuffer nor
 * WebAssembly memory (external strings, native bindings), after a full GC,
 * so that {@link sample} can attribute the rest of `external` to WASM. Call
 * once before the first measurement, before any codec is instantiated.
 */
export async function calibrate(): Promise<void> {
  await nextTask();
  fullGc();
  await nextTask();
  if (tracker.memories - tracker.collected > 0) {
    throw new Error('calibrate() must run before any WebAssembly memory is created');
  }
  const usage = process.memoryUsage();
  tracker.otherExternal = usage.external - usage.arrayBuffers;
}

/** Reads the three counters now. Does not force a GC, holds no reference. Releases the memories pinned since the last sample. */
export function sample(): Sample {
  const usage = process.memoryUsage();
  let created = 0;
  for (const memory of tracker.pinned) created += memory.buffer.byteLength;
  tracker.pinned = [];
  let wasm: number;
  let arrayBuffers: number;
  if (tracker.arrayBuffersIncludeWasm) {
    // Not the case on Node 24 (checked at startup); then external − arrayBuffers holds no WASM.
    wasm = Math.max(0, usage.arrayBuffers - (usage.external - usage.arrayBuffers - tracker.otherExternal));
    arrayBuffers = usage.arrayBuffers - wasm;
  } else {
    wasm = Math.max(0, usage.external - usage.arrayBuffers - tracker.otherExternal);
    arrayBuffers = usage.arrayBuffers;
  }
  tracker.worstShortfall = Math.max(tracker.worstShortfall, created - wasm);
  return { wasm, arrayBuffers, heapUsed: usage.heapUsed, accounted: wasm + arrayBuffers + usage.heapUsed };
}

/** Instances and memories recorded so far (to show nothing was missed). */
export function counters(): { instances: number; memories: number; collected: number; worstShortfall: number } {
  return {
    instances: tracker.instances,
    memories: tracker.memories,
    collected: tracker.collected,
    worstShortfall: tracker.worstShortfall,
  };
}

/** Lets finalizers run (after a GC) so {@link counters} reports what was collected. */
export async function settle(): Promise<void> {
  await nextTask();
  fullGc();
  for (let i = 0; i < 3; i++) await nextTask();
}

/** Full, synchronous garbage collection (needs `node --expose-gc`). */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('global.gc is missing: run with `node --expose-gc` (npm run bench:memory does)');
  gc();
}

export function mib(bytes: number): number {
  return bytes / MiB;
}

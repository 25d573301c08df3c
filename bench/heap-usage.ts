// What `Runtime.getHeapUsage` says about a Worker isolate, and the figures
// taken from a run of such readings. Pure (no I/O), so the test suite can check
// it; the sampler that reads the inspector is ./heap-sampler.ts.

/** One reading of the isolate, in bytes. */
export interface HeapSample {
  /** ms since the sampler started (when the answer arrived). */
  t: number;
  /** V8 heap in use, garbage not yet collected included. */
  used: number;
  /** Memory behind ArrayBuffers and WebAssembly memories. */
  backing: number;
}

/** A `Runtime.getHeapUsage` result, as workerd's V8 answers it. */
interface HeapUsageResult {
  usedSize: number;
  totalSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

/**
 * Reads one inspector message: the `usedSize`/`backingStorageSize` pair when
 * it answers request `id`, `undefined` for anything else (events, other
 * replies). Throws if the reply to `id` is an error or lacks the fields.
 */
export function parseHeapUsageReply(data: string, id: number): { used: number; backing: number } | undefined {
  const message = JSON.parse(data) as { id?: number; result?: HeapUsageResult; error?: { message?: string } };
  if (message.id !== id) return undefined;
  if (message.error)
    throw new Error(`Runtime.getHeapUsage failed: ${message.error.message ?? JSON.stringify(message)}`);
  const result = message.result;
  if (typeof result?.usedSize !== 'number') throw new Error(`Runtime.getHeapUsage: unexpected reply ${data}`);
  return { used: result.usedSize, backing: result.backingStorageSize ?? 0 };
}

/** What the isolate holds at a sample: heap plus backing stores. */
export const isolateBytes = (s: HeapSample) => s.used + s.backing;

/** Samples with `from ≤ t ≤ to`. */
export function samplesBetween(samples: readonly HeapSample[], from: number, to: number): HeapSample[] {
  return samples.filter((s) => s.t >= from && s.t <= to);
}

/** The largest isolate figure among `samples` (NaN if none). */
export function peakOf(samples: readonly HeapSample[]): number {
  return samples.length === 0 ? NaN : Math.max(...samples.map(isolateBytes));
}

/** The median isolate figure among `samples` (NaN if none). */
export function medianOf(samples: readonly HeapSample[]): number {
  if (samples.length === 0) return NaN;
  const sorted = samples.map(isolateBytes).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

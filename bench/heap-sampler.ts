// Samples a Worker isolate's memory through the DevTools protocol: wrangler
// dev's inspector proxy (`--inspector-port P`, WebSocket at ws://127.0.0.1:P/ws)
// forwards `Runtime.getHeapUsage` to workerd. The isolate's memory, what the
// 128 MB limit is about, is V8's heap plus its backing stores (ArrayBuffers,
// WebAssembly memories): `usedSize + backingStorageSize`.
//
// The proxy only accepts the DevTools front end's Origin. Node's WebSocket
// (undici) takes `headers` as a non-standard constructor option.
import { parseHeapUsageReply, type HeapSample } from './heap-usage';

/** The Origin wrangler's inspector proxy lets in. */
export const DEVTOOLS_ORIGIN = 'https://devtools.devprod.cloudflare.dev';

/** Node's WebSocket constructor (undici), whose options the DOM typings do not know. */
type NodeWebSocket = new (url: string, init: { headers: Record<string, string> }) => WebSocket;

export interface HeapSampler {
  samples: HeapSample[];
  /** ms since the sampler started. */
  now(): number;
  /**
   * Forces a full garbage collection: the inspector has no working
   * `HeapProfiler.collectGarbage` in workerd, but V8 collects all garbage
   * before it takes a heap snapshot. The snapshot's chunks are discarded;
   * resolves once they stop arriving.
   */
  collectGarbage(): Promise<void>;
  close(): void;
}

/**
 * Connects to the inspector WebSocket and asks for the heap usage every
 * `intervalMs`, never more than one request in flight: the inspector answers
 * only between the isolate's tasks, so a busy isolate is sampled less often,
 * and the figures are a lower bound of its true peak. `onTick` runs at every
 * interval (e.g. to read the process's RSS on the same clock).
 */
export function connectHeapSampler(
  url: string,
  intervalMs: number,
  onTick?: (t: number) => void,
): Promise<HeapSampler> {
  return new Promise((resolveSampler, reject) => {
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const ws = new (WebSocket as unknown as NodeWebSocket)(url, { headers: { Origin: DEVTOOLS_ORIGIN } });
    const samples: HeapSample[] = [];
    let nextId = 1;
    let pending: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    ws.onerror = () =>
      reject(new Error(`inspector WebSocket ${url} failed (is the Origin ${DEVTOOLS_ORIGIN} accepted?)`));
    let onChunk: (() => void) | undefined;
    ws.onmessage = (event) => {
      const data = String(event.data);
      if (data.startsWith('{"method":"HeapProfiler.addHeapSnapshotChunk"')) return onChunk?.();
      if (pending === undefined) return;
      const reading = parseHeapUsageReply(data, pending);
      if (reading) {
        samples.push({ t: now(), ...reading });
        pending = undefined;
      }
    };
    ws.onopen = () => {
      ws.send(JSON.stringify({ id: 1e6, method: 'HeapProfiler.enable' }));
      timer = setInterval(() => {
        onTick?.(now());
        if (pending !== undefined || ws.readyState !== WebSocket.OPEN) return;
        pending = nextId++;
        ws.send(JSON.stringify({ id: pending, method: 'Runtime.getHeapUsage' }));
      }, intervalMs);
      resolveSampler({
        samples,
        now,
        collectGarbage() {
          return new Promise((done, fail) => {
            let quiet: ReturnType<typeof setTimeout> | undefined;
            const limit = setTimeout(() => {
              onChunk = undefined;
              fail(new Error('no heap snapshot within 60 s'));
            }, 60_000);
            onChunk = () => {
              clearTimeout(quiet);
              quiet = setTimeout(() => {
                clearTimeout(limit);
                onChunk = undefined;
                done();
              }, 500);
            };
            // Its own id range, so the answer (if the proxy forwards one) is never taken for a heap reading.
            ws.send(JSON.stringify({ id: 1e6 + nextId++, method: 'HeapProfiler.takeHeapSnapshot' }));
          });
        },
        close() {
          clearInterval(timer);
          ws.onmessage = null;
          ws.onerror = null;
          ws.close();
        },
      });
    };
  });
}

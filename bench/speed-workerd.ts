// `npm run bench -- --workerd [--port P] [--inspector-port Q] [--only …] [--runs N]`: the speed
// benchmark's uploads through the real Worker. Starts a private `wrangler dev`
// (scripts/wrangler-dev.ts: fresh state under bench/out/speed-state/, migrations
// applied, 127.0.0.1 only, its own process group, stopped at the end) and times
// each upload (`POST /images`, raw body) end to end from this process on
// localhost: body transfer, auth, the pipeline in workerd, the R2 puts and the
// D1 batch. Beside it, alternating with it, the same file through processImage
// in this process (Node), so the table says what workerd adds. One warm-up of
// each per input; every upload is by a different user (the per-user rate
// limit).
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { devSecret, ROOT, signToken, startDevServer, type DevServer } from '../scripts/wrangler-dev';

const REQUEST_TIMEOUT_MS = 120_000;
const WATCHDOG_MS = 20 * 60_000;

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

export interface WorkerdInput {
  id: string;
  path: string;
  bytes: Uint8Array;
}

export interface WorkerdRow {
  id: string;
  /** Median end-to-end ms of the upload through wrangler dev. */
  workerdMs: number;
  /** Median ms of processImage on the same file in Node, alternating with the uploads. */
  nodeMs: number;
  status: string;
}

/**
 * Runs the uploads; `nodeRun` is one processImage of the given bytes in this
 * process (undefined when the gateway refuses the file), returning its ms.
 */
export async function runWorkerdSpeed(
  inputs: WorkerdInput[],
  runs: number,
  port: number,
  inspectorPort: number,
  nodeRun: (bytes: Uint8Array) => Promise<number | undefined>,
): Promise<WorkerdRow[]> {
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  const persistDir = join(ROOT, 'bench', 'out', 'speed-state', runId);
  mkdirSync(persistDir, { recursive: true });
  const logPath = join(ROOT, 'bench', 'out', `speed-wrangler-${runId}.log`);
  const logFd = openSync(logPath, 'a');
  process.stderr.write(`wrangler dev on 127.0.0.1:${port}, log ${relative(ROOT, logPath)}\n`);
  let server: DevServer | undefined;
  const watchdog = setTimeout(() => {
    process.stderr.write('bench --workerd: time limit exceeded; stopping wrangler\n');
    void server?.stop().then(() => process.exit(3));
  }, WATCHDOG_MS);
  let user = 0;
  try {
    const secret = await devSecret(); // before wrangler starts: it reads .dev.vars once
    server = await startDevServer({ persistDir, logFd, port, inspectorPort });
    const { base } = server;
    const upload = async (input: WorkerdInput): Promise<{ ms: number; status: number }> => {
      const token = signToken(secret, `bench-speed-${user++}`, 3600);
      const extension = input.path.slice(input.path.lastIndexOf('.') + 1);
      const started = performance.now();
      const res = await fetch(`${base}/images`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': CONTENT_TYPES[extension] ?? 'image/*' },
        body: Buffer.from(input.bytes),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      return { ms: performance.now() - started, status: res.status };
    };
    const rows: WorkerdRow[] = [];
    for (const input of inputs) {
      process.stderr.write(`${input.id}: warm-up…\n`);
      const warm = await upload(input);
      const nodeWarm = await nodeRun(input.bytes);
      if (warm.status !== 201 || nodeWarm === undefined) {
        rows.push({ id: input.id, workerdMs: NaN, nodeMs: NaN, status: `upload ${warm.status}` });
        continue;
      }
      const workerd: number[] = [];
      const node: number[] = [];
      for (let i = 0; i < runs; i++) {
        const order = i % 2 === 0 ? ['workerd', 'node'] : ['node', 'workerd'];
        for (const side of order) {
          if (side === 'node') node.push((await nodeRun(input.bytes))!);
          else {
            const { ms, status } = await upload(input);
            if (status !== 201) throw new Error(`${input.id}: upload → ${status} after its warm-up`);
            workerd.push(ms);
          }
        }
      }
      const row = { id: input.id, workerdMs: median(workerd), nodeMs: median(node), status: 'ok' };
      process.stderr.write(`  workerd ${row.workerdMs.toFixed(0)} ms, Node ${row.nodeMs.toFixed(0)} ms\n`);
      rows.push(row);
    }
    return rows;
  } finally {
    clearTimeout(watchdog);
    await server?.stop();
    closeSync(logFd);
    rmSync(persistDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

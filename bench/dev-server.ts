// A bounded `wrangler dev` for bench:delivery: fresh persistence dir,
// migrations applied, own process group (so the whole tree stops), loopback
// only. The process handling is bench/wrangler-dev.ts's, shared with
// bench:load and bench:memory --workerd.
import type { ChildProcess } from 'node:child_process';
import { groupProcesses, rssOf, startWranglerDev, stopGroup, wranglerCommand } from './wrangler-dev';

export { devSecret, ROOT, signToken } from './wrangler-dev';

export interface DevServer {
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Applies the D1 migrations to `persistDir`, then starts wrangler dev on 127.0.0.1:`port` and waits for /health. */
export async function startDevServer(
  persistDir: string,
  logFd: number,
  port: number,
  inspectorPort: number,
): Promise<DevServer> {
  wranglerCommand(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], logFd);
  let child: ChildProcess | undefined;
  try {
    const base = await startWranglerDev({ persistDir, logFd, port, inspectorPort }, (spawned) => (child = spawned));
    const started = child!;
    return { base, child: started, stop: () => stopGroup(started) };
  } catch (error) {
    if (child) await stopGroup(child);
    throw error;
  }
}

/** Resident and peak resident memory (MiB) of the workerd processes in the process group `pgid` (Linux /proc). */
export function workerdMemory(pgid: number): { rssMib: number; peakMib: number } {
  let rss = 0;
  let peak = 0;
  for (const process of groupProcesses(pgid)) {
    if (process.comm !== 'workerd') continue;
    const memory = rssOf(process.pid);
    rss += memory?.rss ?? 0;
    peak += memory?.hwm ?? 0;
  }
  return { rssMib: rss / 2 ** 20, peakMib: peak / 2 ** 20 };
}

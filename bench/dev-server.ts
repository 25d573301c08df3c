// Kept so that bench files written before the starter moved (bench/speed-workerd.ts
// on the encspeed branch) still compile; new code calls startDevServer in
// scripts/wrangler-dev.ts with an options object.
import { startDevServer as start, type DevServer } from '../scripts/wrangler-dev';

export { devSecret, ROOT, signToken, workerdMemory, type DevServer } from '../scripts/wrangler-dev';

/** @deprecated Use `startDevServer({ persistDir, logFd, port, inspectorPort })` from scripts/wrangler-dev.ts. */
export function startDevServer(
  persistDir: string,
  logFd: number,
  port: number,
  inspectorPort: number,
): Promise<DevServer> {
  return start({ persistDir, logFd, port, inspectorPort });
}

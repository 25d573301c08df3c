// A bounded `wrangler dev` for benchmarks: fresh persistence dir, migrations
// applied, own process group (so the whole tree stops), loopback only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const STARTUP_TIMEOUT_MS = 180_000;

export interface DevServer {
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Applies the D1 migrations to `persistDir`, then starts wrangler dev on 127.0.0.1:`port` and waits for /health. */
export async function startDevServer(
  persistDir: string,
  logFd: number,
  port: number,
  inspectorPort: number,
): Promise<DevServer> {
  // Keep everything local: no fetch of the real `Request.cf` object from Cloudflare.
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
  const migrate = spawnSync(
    process.execPath,
    [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir],
    { cwd: ROOT, stdio: ['ignore', logFd, logFd], timeout: STARTUP_TIMEOUT_MS, env },
  );
  if (migrate.error || migrate.status !== 0) throw new Error('wrangler d1 migrations apply failed; see the log');
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persistDir,
      '--show-interactive-dev-session=false',
      '--live-reload=false',
    ],
    { cwd: ROOT, detached: true, stdio: ['ignore', logFd, logFd], env },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      killGroup(child, 'SIGTERM');
      await Promise.race([exited, new Promise<void>((done) => setTimeout(done, 10_000).unref())]);
    }
    killGroup(child, 'SIGKILL'); // a workerd that outlived wrangler goes too
  };
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `wrangler dev exited early (${signal ?? `code ${code}`})`));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${exited}; see the log`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200 && (await res.text()).includes('"ok"')) return { base, child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev was not ready within ${STARTUP_TIMEOUT_MS / 1000} s; see the log`);
}

/** JWT_SECRET from .dev.vars (created by scripts/dev-secret.mjs when missing). */
export async function devSecret(): Promise<string> {
  const specifier: string = new URL('../scripts/dev-secret.mjs', import.meta.url).href;
  const mod = (await import(specifier)) as { ensureDevSecret(): string };
  return mod.ensureDevSecret();
}

/** An HS256 token for `userId`, as `npm run token` makes. */
export function signToken(secret: string, userId: string, ttlSeconds: number): string {
  const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: userId, iat: now, exp: now + ttlSeconds })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Resident and peak resident memory (MiB) of the workerd processes under `rootPid` (Linux /proc). */
export function workerdMemory(rootPid: number): { rssMib: number; peakMib: number } {
  let rss = 0;
  let peak = 0;
  const visit = (pid: number) => {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      return;
    }
    if (/^Name:\s*workerd/m.test(status)) {
      rss += Number(/^VmRSS:\s*(\d+)/m.exec(status)?.[1] ?? 0);
      peak += Number(/^VmHWM:\s*(\d+)/m.exec(status)?.[1] ?? 0);
    }
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    } catch {
      return;
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean)) visit(Number(child));
  };
  visit(rootPid);
  return { rssMib: rss / 1024, peakMib: peak / 1024 };
}

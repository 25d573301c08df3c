// The one way to run a private `wrangler dev` of this repository, for the
// benchmarks that drive the real Worker (bench:load, its chaos and slow-client
// modes, bench:memory --workerd, bench:delivery) and for the e2e tests
// (test/e2e/server.ts): spawned on 127.0.0.1 in its own process group with a
// persistence dir of the caller's choosing, D1 migrated before it starts,
// stopped (or killed) as a whole group, wrangler and both workerd processes,
// and looked into through /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

export const STARTUP_TIMEOUT_MS = 180_000;

/** A free TCP port on 127.0.0.1 (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Sends `signal` to the child's whole process group (wrangler, its node, both workerd processes). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs` to whatever is left (a workerd that outlived wrangler). */
export async function stopGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    killGroup(child, 'SIGTERM');
    const timer = new Promise<void>((done) => setTimeout(done, graceMs).unref());
    await Promise.race([exited, timer]);
  }
  killGroup(child, 'SIGKILL');
}

/** Runs a one-shot wrangler command (e.g. migrations) with stdin from /dev/null, so nothing can prompt. */
export function wranglerCommand(args: string[], logFd: number, timeoutMs = STARTUP_TIMEOUT_MS): void {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    stdio: ['ignore', logFd, logFd],
    timeout: timeoutMs,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `wrangler ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}); see the log`,
    );
  }
}

export interface DevOptions {
  persistDir: string;
  /** Where wrangler's and the Worker's output goes. */
  logFd: number;
  port: number;
  inspectorPort: number;
  /** More `wrangler dev` arguments, e.g. `--test-scheduled`, `--var NAME:VALUE`. */
  extraArgs?: string[];
}

/**
 * Spawns `wrangler dev` on 127.0.0.1 in its own process group and waits until
 * `GET /health` answers (3 min limit). `onSpawn` gets the child at once, so a
 * caller's signal handlers can stop it even while it is starting.
 */
export async function startWranglerDev(options: DevOptions, onSpawn: (child: ChildProcess) => void): Promise<string> {
  const base = `http://127.0.0.1:${options.port}`;
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--inspector-port',
      String(options.inspectorPort),
      '--persist-to',
      options.persistDir,
      '--show-interactive-dev-session=false',
      '--live-reload=false',
      ...(options.extraArgs ?? []),
    ],
    {
      cwd: ROOT,
      detached: true, // own process group, so the whole tree can be stopped
      stdio: ['ignore', options.logFd, options.logFd],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  );
  onSpawn(child);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `wrangler dev exited early (${signal ?? `code ${code}`})`));
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${exited}; see the log`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) });
      const body = await res.text();
      if (res.status === 200 && body.includes('"ok"')) return base;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev was not ready within ${STARTUP_TIMEOUT_MS / 1000} s; see the log`);
}

/** Applies the D1 migrations to the local state in `persistDir` (before wrangler dev starts: see {@link startDevServer}). */
export function applyMigrations(persistDir: string, logFd: number): void {
  wranglerCommand(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], logFd);
}

export interface DevServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  child: ChildProcess;
  /** Stops the whole process group (see {@link stopGroup}). */
  stop(): Promise<void>;
}

export interface DevServerOptions extends DevOptions {
  /**
   * Writes to the local state after the migrations, before the server starts
   * (e.g. an API key through scripts/api-keys.mjs). Two runtimes writing one
   * local SQLite file at once made such a row invisible to the server now and then.
   */
  seed?: (persistDir: string) => void;
}

/**
 * Applies the D1 migrations to `persistDir`, runs `seed`, then starts wrangler
 * dev and waits for /health. For callers that need the child while it is still
 * starting (signal handlers), use {@link applyMigrations} and {@link startWranglerDev}.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  applyMigrations(options.persistDir, options.logFd);
  options.seed?.(options.persistDir);
  let child: ChildProcess | undefined;
  try {
    const base = await startWranglerDev(options, (spawned) => (child = spawned));
    const started = child!;
    return { base, child: started, stop: () => stopGroup(started) };
  } catch (error) {
    if (child) await stopGroup(child);
    throw error;
  }
}

// ---------------------------------------------------------------- tokens

/** JWT_SECRET from .dev.vars (created by scripts/dev-secret.mjs if missing). */
export async function devSecret(): Promise<string> {
  // scripts/dev-secret.mjs is plain JS without types; import it by URL.
  const specifier: string = new URL('./dev-secret.mjs', import.meta.url).href;
  const mod = (await import(specifier)) as { ensureDevSecret(): string };
  return mod.ensureDevSecret();
}

/** An HS256 token for `userId`, signed exactly as scripts/token.mjs does. */
export function signToken(secret: string, userId: string, ttlSeconds: number): string {
  const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: userId, iat: now, exp: now + ttlSeconds })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

// ---------------------------------------------------------------- /proc

interface ProcInfo {
  pid: number;
  pgid: number;
  comm: string;
  cmdline: string;
}

function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // a zombie holds no memory and serves nothing
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { pid, pgid: Number(fields[2]), comm: stat.slice(stat.indexOf('(') + 1, close), cmdline };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Live (non-zombie) processes of process group `pgid`. */
export function groupProcesses(pgid: number): ProcInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => procInfo(Number(name)))
    .filter((p): p is ProcInfo => p !== undefined && p.pgid === pgid);
}

/**
 * The workerd process that runs the Worker itself. `wrangler dev` starts two:
 * one for its own proxy (bound to `--port`) and one for the user Worker, the
 * one with `--inspector-addr`, which also hosts Miniflare's local R2 and D1.
 */
export function userWorkerdPid(pgid: number): number | undefined {
  return groupProcesses(pgid).find((p) => p.cmdline.includes('workerd serve') && p.cmdline.includes('--inspector-addr'))
    ?.pid;
}

/** `VmRSS` and `VmHWM` (peak RSS) of a process, in bytes; undefined once it is gone. */
export function rssOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Resident and peak resident memory (MiB) of the workerd processes in the process group `pgid`, summed. */
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

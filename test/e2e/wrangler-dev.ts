import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** A `wrangler dev` of this repository on a fresh local state directory, with its own secrets. */
export interface DevServer {
  origin: string;
  /** The local state directory (D1, R2), deleted by `stop`. */
  persistTo: string;
  /** An HS256 dev token for `userId`, signed with this server's JWT_SECRET. */
  token(userId: string): string;
  /** The server API key made by `npm run apikey:create`'s script before the server started. */
  apiKey: string;
  stop(): Promise<void>;
}

async function waitForHealth(origin: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not answer /health within 90 s:\n${log()}`);
}

/**
 * Makes a temporary `--persist-to` directory, applies the migrations to it,
 * creates a server API key with the real script, then starts `wrangler dev`
 * on `port` (inspector on port + 1000) with test-only secrets passed as
 * `--var`, so a developer's `.dev.vars` is neither needed nor used. The D1
 * writes happen before the server starts: two runtimes writing one local
 * SQLite file at once made the key invisible to the server now and then.
 */
export async function startWranglerDev(port: number): Promise<DevServer> {
  const persistTo = await mkdtemp(join(tmpdir(), 'gateway-e2e-'));
  const jwtSecret = `e2e-jwt-${'0123456789abcdef'.repeat(3)}`;
  const uploadSecret = `e2e-upload-${'fedcba9876543210'.repeat(3)}`;
  const node = process.execPath;
  await run(node, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo], { cwd: ROOT });
  const script = join(ROOT, 'scripts', 'api-keys.mjs');
  const created = await run(node, [script, 'create', 'e2e site', '--persist-to', persistTo], { cwd: ROOT });
  const apiKey = created.stdout.trim().split('\n').at(-1)!;

  let output = '';
  const child = spawn(
    node,
    [
      WRANGLER,
      'dev',
      '--port',
      String(port),
      '--inspector-port',
      String(port + 1000),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      persistTo,
      '--var',
      `JWT_SECRET:${jwtSecret}`,
      '--var',
      `UPLOAD_URL_SECRET:${uploadSecret}`,
      '--show-interactive-dev-session=false',
    ],
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The whole process group: wrangler and the workerd it started.
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    await rm(persistTo, { recursive: true, force: true });
  };
  try {
    await waitForHealth(origin, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    origin,
    persistTo,
    token(userId) {
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: userId, iat: now, exp: now + 600 })}`;
      return `${input}.${createHmac('sha256', jwtSecret).update(input).digest('base64url')}`;
    },
    apiKey,
    stop,
  };
}

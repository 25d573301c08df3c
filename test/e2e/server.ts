import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, signToken, startDevServer } from '../../scripts/wrangler-dev';

/** The e2e tests' `wrangler dev` (scripts/wrangler-dev.ts) on a fresh local state directory, with its own secrets. */
export interface E2eServer {
  origin: string;
  /** The local state directory (D1, R2), deleted by `stop`. */
  persistTo: string;
  /** An HS256 dev token for `userId`, signed with this server's JWT_SECRET. */
  token(userId: string): string;
  /** The server API key made by `npm run apikey:create`'s script before the server started. */
  apiKey: string;
  stop(): Promise<void>;
}

/**
 * Makes a temporary directory for the local state and wrangler's log, applies
 * the migrations, creates a server API key with the real script, then starts
 * `wrangler dev` on `port` (inspector on port + 1000) with test-only secrets
 * passed as `--var`, so a developer's `.dev.vars` is neither needed nor used.
 * If it does not start, the error carries wrangler's log.
 */
export async function startE2eServer(port: number): Promise<E2eServer> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-e2e-'));
  const persistTo = join(dir, 'state');
  const logPath = join(dir, 'wrangler.log');
  const jwtSecret = `e2e-jwt-${'0123456789abcdef'.repeat(3)}`;
  const uploadSecret = `e2e-upload-${'fedcba9876543210'.repeat(3)}`;
  const logFd = openSync(logPath, 'a');
  let apiKey = '';
  try {
    const server = await startDevServer({
      persistDir: persistTo,
      logFd,
      port,
      inspectorPort: port + 1000,
      extraArgs: ['--var', `JWT_SECRET:${jwtSecret}`, '--var', `UPLOAD_URL_SECRET:${uploadSecret}`],
      seed: () => (apiKey = createApiKey(persistTo, logFd)),
    });
    return {
      origin: server.base,
      persistTo,
      token: (userId) => signToken(jwtSecret, userId, 600),
      apiKey,
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    const log = readFileSync(logPath, 'utf8');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}:\n${log}`, { cause: error });
  } finally {
    closeSync(logFd); // wrangler has its own copy
  }
}

/** `npm run apikey:create -- 'e2e site'` against the state in `persistTo`; returns the key (its last line of output). */
function createApiKey(persistTo: string, logFd: number): string {
  const script = join(ROOT, 'scripts', 'api-keys.mjs');
  const out = execFileSync(process.execPath, [script, 'create', 'e2e site', '--persist-to', persistTo], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', logFd],
  });
  return out.trim().split('\n').at(-1)!;
}

// Load benchmark: `npm run bench:load [-- --clients N --seconds S --seed N --keep-state]`.
//
// Starts `wrangler dev` on a free 127.0.0.1 port with a fresh persistence dir
// under bench/out/, sends a bounded, seeded mix of uploads (valid and invalid),
// lists, deletes and media reads from N clients (one user each), then audits
// consistency through the API and, after stopping wrangler, by reading the
// persisted R2 bucket and D1 database with Miniflare. See bench/LOAD.md.
// The last line is always `lost=<n> orphans=<n> errors_5xx=<n>`.
// `--chaos` kills the runtime mid-load instead (./load-chaos.ts); `--slow-clients N`
// times normal uploads beside N slow clients instead (./load-slow.ts).
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bindingsFromWranglerToml, readPersistedState } from './load-audit';
import { runChaos } from './load-chaos';
import { runSlowClients } from './load-slow';
import {
  auditState,
  auditViaApi,
  KINDS,
  list,
  maxUploadBytes,
  newClients,
  runClient,
  type ClientState,
  type Ctx,
  type StateAudit,
} from './load-clients';
import { loadInputs } from './load-inputs';
import { countOutcomes, formatCounts, latencyTable } from './load-stats';
import {
  applyMigrations,
  devSecret,
  freePort,
  killGroup,
  ROOT,
  STARTUP_TIMEOUT_MS,
  startWranglerDev,
  stopGroup,
} from '../scripts/wrangler-dev';

const OUT = join(ROOT, 'bench', 'out');

const HARD_STOP_GRACE_MS = 60_000;
const AUDIT_TIMEOUT_MS = 300_000;

// ---------------------------------------------------------------- arguments

export interface Options {
  clients: number;
  seconds: number;
  seed: number;
  keepState: boolean;
  /** Kill the runtime mid-load, restart it, run the cleanup job, audit (./load-chaos.ts). */
  chaos: boolean;
  /** Chaos mode: how many SIGKILL/restart rounds. */
  kills: number;
  /** wrangler dev's port; a free one when undefined. */
  port: number | undefined;
  /** Its inspector's port: `--inspector-port`, else port + 1000, else a free one. */
  inspectorPort: number | undefined;
  /** Time normal uploads beside this many slow clients instead of the mixed load (./load-slow.ts); 0: off. */
  slowClients: number;
  /** Slow-client mode: normal uploads per phase. */
  uploads: number;
  /** Slow-client mode: bytes a second each slow client sends. */
  slowRate: number;
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error('Usage: npm run bench:load -- [--clients N (1-256, default 16)] [--seconds S (1-3600, default 60)]');
  console.error(
    '                              [--seed N (default 1)] [--keep-state] [--port P] [--inspector-port I (default P+1000)]',
  );
  console.error('       npm run bench:load -- --chaos [--kills K (1-10, default 3)] [--clients N (default 4)]');
  console.error(
    '                              [--seconds S per round (default 20)] [--seed N] [--keep-state] [--port P]',
  );
  console.error('       npm run bench:load -- --slow-clients N (1-64) [--uploads U (1-500, default 20)]');
  console.error(
    '                              [--slow-rate B bytes/s (1-100000, default 4)] [--keep-state] [--port P]',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const chaos = argv.includes('--chaos');
  const options: Options = {
    clients: chaos ? 4 : 16,
    seconds: chaos ? 20 : 60,
    seed: 1,
    keepState: false,
    chaos,
    kills: 3,
    port: undefined,
    inspectorPort: undefined,
    slowClients: 0,
    uploads: 20,
    slowRate: 4,
  };
  const int = (name: string, raw: string | undefined, min: number, max: number) => {
    const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) usage(`Expected an integer ${min}-${max} for ${name} but received ${raw}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--clients') options.clients = int(flag, value(), 1, 256);
    else if (flag === '--seconds') options.seconds = int(flag, value(), 1, 3600);
    else if (flag === '--seed') options.seed = int(flag, value(), 0, 2 ** 31 - 1);
    else if (flag === '--keep-state') options.keepState = true;
    else if (flag === '--chaos') options.chaos = true;
    else if (flag === '--kills' && chaos) options.kills = int(flag, value(), 1, 10);
    else if (flag === '--port') options.port = int(flag, value(), 1024, 64535);
    else if (flag === '--inspector-port') options.inspectorPort = int(flag, value(), 1024, 65535);
    else if (flag === '--slow-clients' && !chaos) options.slowClients = int(flag, value(), 1, 64);
    else if (flag === '--uploads') options.uploads = int(flag, value(), 1, 500);
    else if (flag === '--slow-rate') options.slowRate = int(flag, value(), 1, 100_000);
    else if (flag === '--help' || flag === '-h') usage();
    else usage(`Unknown argument ${argv[i]}`);
  }
  return options;
}

// ---------------------------------------------------------------- main

let wrangler: ChildProcess | undefined;

async function stopWrangler(): Promise<void> {
  const child = wrangler;
  wrangler = undefined;
  if (child) await stopGroup(child);
}

/** wrangler dev's port and inspector port: `--port P` and `--inspector-port` or P + 1000, or free ones. */
async function ports(options: Options): Promise<[number, number]> {
  const port = options.port ?? (await freePort());
  return [port, options.inspectorPort ?? (options.port ? options.port + 1000 : await freePort())];
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  process.chdir(ROOT); // .dev.vars and wrangler.toml are relative to the project root
  // Keep everything local: no fetch of the real `Request.cf` object from Cloudflare
  // (wrangler dev and the audit's Miniflare both honour this; children inherit it).
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const bindings = bindingsFromWranglerToml(toml);

  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  const persistDir = join(OUT, 'load-state', runId);
  mkdirSync(persistDir, { recursive: true });
  const logPath = join(OUT, `load-wrangler-${runId}.log`);
  const logFd = openSync(logPath, 'a');
  const rel = (p: string) => relative(ROOT, p);

  // Bounded overall: startup + load + hard-stop grace + audit; past that, give up.
  const watchdog = setTimeout(
    () => {
      console.error('bench:load: overall time limit exceeded; stopping wrangler');
      if (wrangler) killGroup(wrangler, 'SIGKILL');
      process.exit(3);
    },
    options.chaos
      ? STARTUP_TIMEOUT_MS * (options.kills + 2) + (options.kills * options.seconds + 180) * 1000 + AUDIT_TIMEOUT_MS
      : options.slowClients
        ? STARTUP_TIMEOUT_MS * 2 + (2 * options.uploads + 4) * 60_000 + AUDIT_TIMEOUT_MS
        : STARTUP_TIMEOUT_MS * 2 + options.seconds * 1000 + HARD_STOP_GRACE_MS + AUDIT_TIMEOUT_MS,
  );

  try {
    const secret = await devSecret();
    if (options.chaos || options.slowClients) {
      const [port, inspectorPort] = await ports(options);
      const run = { options, secret, toml, bindings, persistDir, logPath, logFd, port, inspectorPort };
      const setChild = (child: ChildProcess | undefined) => (wrangler = child);
      return options.chaos ? await runChaos({ ...run, setChild }) : await runSlowClients({ ...run, setChild });
    }
    console.log(`bench:load: ${options.clients} clients × ${options.seconds} s, seed ${options.seed}`);
    const inputs = await loadInputs(join(OUT, 'load-inputs'), maxUploadBytes(toml));
    console.log(
      `inputs: ${[...inputs.valid, ...inputs.invalid].map((f) => `${f.name} ${(f.bytes.length / 1024).toFixed(0)} KiB`).join(', ')}, oversize ${inputs.oversize.bytes.length} B`,
    );

    console.log(`state: ${rel(persistDir)}  wrangler log: ${rel(logPath)}`);
    applyMigrations(persistDir, logFd);
    const [port, inspectorPort] = await ports(options);
    const t0 = Date.now();
    const base = await startWranglerDev({ persistDir, logFd, port, inspectorPort }, (child) => (wrangler = child));
    console.log(`wrangler dev ready at ${base} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const hardStop = new AbortController();
    const ctx: Ctx = { base, samples: [], hardStop: hardStop.signal, errors: [] };
    const clients: ClientState[] = newClients(options.clients, options.seed, secret, options.seconds + 3600);

    const loadStart = performance.now();
    const endAt = Date.now() + options.seconds * 1000;
    const hardTimer = setTimeout(() => hardStop.abort(), options.seconds * 1000 + HARD_STOP_GRACE_MS);
    await Promise.all(clients.map((c) => runClient(ctx, c, inputs, () => Date.now() >= endAt)));
    clearTimeout(hardTimer);
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const loadSamples = ctx.samples.slice();

    // Audit through the API while wrangler still runs (fresh timeouts, no hard stop).
    const auditCtx: Ctx = { base, samples: [], hardStop: new AbortController().signal, errors: ctx.errors };
    const api = await auditViaApi(auditCtx, clients);
    await stopWrangler();

    let state: StateAudit | undefined;
    let stateError: string | undefined;
    try {
      state = auditState(await readPersistedState(persistDir, bindings), clients);
    } catch (error) {
      stateError = (error as Error).stack ?? String(error);
    }

    // ---- report
    const out: string[] = [];
    const statuses = countOutcomes(loadSamples);
    const created = clients.reduce((n, c) => n + c.created.length, 0);
    out.push('');
    out.push(
      `requests: ${loadSamples.length} in ${loadSeconds.toFixed(1)} s → ${(loadSamples.length / loadSeconds).toFixed(1)} req/s; ${created} images stored (${(created / loadSeconds).toFixed(2)}/s)`,
    );
    out.push(`statuses: ${formatCounts(statuses, '  ')}`);
    out.push('');
    out.push(latencyTable(loadSamples, KINDS));
    const unexpected = new Map<string, number>();
    for (const c of clients) for (const [k, v] of c.unexpected) unexpected.set(k, (unexpected.get(k) ?? 0) + v);
    out.push('');
    out.push(`unexpected outcomes: ${unexpected.size === 0 ? 'none' : ''}`);
    for (const [k, v] of [...unexpected].sort()) out.push(`  ${k}: ${v}`);
    out.push(...list('network errors (first 20)', ctx.errors));

    const expected = clients.flatMap((c) => c.created.filter((i) => !c.gone.has(i.id)));
    const missingFromList = expected.filter((i) => !api.listed.has(i.id)).map((i) => `${i.kind} ${i.id} (${i.owner})`);
    out.push('');
    out.push(
      `audit via API: ${api.listed.size} images listed for ${clients.length} users (${expected.length} expected); ` +
        `${api.mediaChecked} media HEADs, ${api.mediaBad.length} not 200; ${missingFromList.length} expected but not listed; ${api.listFailures} list failures`,
    );
    out.push(...list('media not 200', api.mediaBad), ...list('expected but not listed', missingFromList));
    if (state) {
      out.push(
        `audit of persisted state (Miniflare on ${rel(persistDir)}): ${state.objects} R2 objects, ${state.rows} D1 rows; ` +
          `${state.lost.length} lost, ${state.orphans.length} orphan objects, ${state.rowsMissingObjects.length} rows missing an object, ` +
          `${state.untrackedRows} rows from uploads without a 201, ${state.danglingAvatarPointers} profiles pointing at no row`,
      );
      out.push(...list('lost', state.lost), ...list('orphans', state.orphans));
    } else {
      out.push(`audit of persisted state FAILED (orphans unknown, lost from the API audit only):\n${stateError}`);
    }

    const errors5xx = [...loadSamples, ...auditCtx.samples].filter(
      (s) => typeof s.outcome === 'number' && s.outcome >= 500,
    ).length;
    const lost = state ? state.lost.length : new Set([...missingFromList, ...api.mediaBad]).size; // fallback: what the API shows
    out.push('');
    if (options.keepState) out.push(`state kept in ${rel(persistDir)}`);
    else rmSync(persistDir, { recursive: true, force: true });
    out.push(`lost=${lost} orphans=${state ? state.orphans.length : -1} errors_5xx=${errors5xx}`);
    console.log(out.join('\n'));
    return state ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    await stopWrangler();
    closeSync(logFd);
  }
}

// Never leave wrangler running: signals and any exit stop its process group.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`bench:load: ${signal}, stopping wrangler`);
    void stopWrangler().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
  });
}
process.on('exit', () => {
  if (wrangler) killGroup(wrangler, 'SIGKILL');
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:load failed: ${(error as Error).stack ?? String(error)}`);
    void stopWrangler().finally(() => process.exit(1));
  },
);

// Chaos mode of the load benchmark: `npm run bench:load -- --chaos [--kills K]`.
//
// A crash, not a thrown error: while a few clients upload, list, read and
// delete, the whole runtime (wrangler and both workerd processes, one process
// group) gets SIGKILL, preferably just after an object landed in local R2, so
// an upload dies between its R2 writes and its D1 batch. wrangler dev is then
// restarted on the same persisted state, and the load goes on; after the last
// kill the cleanup job runs (`--test-scheduled`, `GET /__scheduled`) with a
// short CLEANUP_GRACE_SECONDS, once at once (the orphans are young and must be
// left alone) and once after the grace period (they must go). Then the same
// audits as bench:load: every upload acknowledged with a 201 and not deleted
// since must have its row and both objects, no row may lack an object, and no
// object may be left without a row. See bench/LOAD.md.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { join, relative } from 'node:path';
import { readPersistedState, type DevRun } from './load-audit';
import {
  auditState,
  auditViaApi,
  list,
  maxUploadBytes,
  newClients,
  runClient,
  type Ctx,
  type StateAudit,
} from './load-clients';
import { loadInputs } from './load-inputs';
import { mulberry32 } from './load-rng';
import { countOutcomes, formatCounts } from './load-stats';
import type { Options } from './load';
import {
  applyMigrations,
  groupProcesses,
  killGroup,
  ROOT,
  startWranglerDev,
  stopGroup,
  userWorkerdPid,
} from '../scripts/wrangler-dev';

/** The smallest CLEANUP_GRACE_SECONDS src/env.ts accepts. */
const GRACE_SECONDS = 60;
const CRON = '*/30 * * * *';

export type ChaosRun = DevRun<Options>;

interface KillRecord {
  round: number;
  /** What set it off: an object written to local R2, or the end of the round. */
  trigger: 'r2-write' | 'round-end';
  /** ms after the trigger. */
  delayMs: number;
  at: number;
  pids: string;
  /** Processes of the group still alive afterwards (must be none). */
  survivors: number;
}

interface CleanupLog {
  scannedObjects: number;
  deletedOrphans: string[];
  youngOrphans: number;
  staleAvatars: string[];
  rowsMissingObjects: string[] | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Resolves at the next change in `dir` (Miniflare keeps one blob file per R2
 * object: an upload writing one, or a delete removing one) or at `deadline`,
 * whichever is first.
 */
function nextWrite(dir: string, deadline: number): Promise<'r2-write' | 'round-end'> {
  return new Promise((done) => {
    const watcher = watch(dir, () => finish('r2-write'));
    const timer = setTimeout(() => finish('round-end'), Math.max(0, deadline - Date.now()));
    function finish(how: 'r2-write' | 'round-end') {
      clearTimeout(timer);
      watcher.close();
      done(how);
    }
  });
}

/** Triggers the scheduled handler and returns the report it logged (the JSON line `{"message":"cleanup",…}`). */
async function runCleanupJob(base: string, logPath: string): Promise<CleanupLog> {
  const reports = () =>
    readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((l) => l.includes('{"message":"cleanup"'));
  const before = reports().length;
  const res = await fetch(`${base}/__scheduled?cron=${encodeURIComponent(CRON)}`, {
    signal: AbortSignal.timeout(120_000),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET /__scheduled → ${res.status} ${body}`);
  // The Worker's console output reaches the log through wrangler; give it a moment.
  for (let i = 0; i < 100; i++) {
    const lines = reports();
    if (lines.length > before) {
      const line = lines.at(-1)!;
      return JSON.parse(line.slice(line.indexOf('{"message":"cleanup"'))) as CleanupLog;
    }
    await sleep(100);
  }
  throw new Error('the cleanup job ran but logged no report; see the wrangler log');
}

const describeCleanup = (c: CleanupLog) =>
  `${c.scannedObjects} objects scanned, ${c.deletedOrphans.length} orphans deleted, ${c.youngOrphans} young orphans left, ` +
  `${c.staleAvatars.length} stale avatars removed, rows missing objects: ${c.rowsMissingObjects === null ? 'not audited' : c.rowsMissingObjects.length}`;

/** Runs the chaos mode; returns the exit code. The last line printed is `chaos: …`. */
export async function runChaos(run: ChaosRun): Promise<number> {
  const { options, logFd, persistDir, logPath } = run;
  const rel = (p: string) => relative(ROOT, p);
  console.log(
    `bench:load --chaos: ${options.clients} clients, ${options.kills} SIGKILL(s), rounds of up to ${options.seconds} s, ` +
      `seed ${options.seed}, CLEANUP_GRACE_SECONDS=${GRACE_SECONDS}`,
  );
  const inputs = await loadInputs(join(ROOT, 'bench', 'out', 'load-inputs'), maxUploadBytes(run.toml));
  console.log(`state: ${rel(persistDir)}  wrangler log: ${rel(logPath)}`);
  applyMigrations(persistDir, logFd);

  // Miniflare keeps one file per R2 object here; watching it tells when an upload has written to R2.
  const blobDir = join(persistDir, 'v3', 'r2', run.bindings.bucketName, 'blobs');
  mkdirSync(blobDir, { recursive: true });

  let child: ChildProcess | undefined;
  const start = async () => {
    const t0 = Date.now();
    const base = await startWranglerDev(
      {
        persistDir,
        logFd,
        port: run.port,
        inspectorPort: run.inspectorPort,
        extraArgs: ['--test-scheduled', '--var', `CLEANUP_GRACE_SECONDS:${GRACE_SECONDS}`],
      },
      (c) => {
        child = c;
        run.setChild(c);
      },
    );
    console.log(`wrangler dev ready at ${base} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return base;
  };

  try {
    const base = await start();
    const ctx: Ctx = { base, samples: [], hardStop: new AbortController().signal, errors: [] };
    const ttl = options.kills * (options.seconds + 600) + 3600;
    const clients = newClients(options.clients, options.seed, run.secret, ttl);
    const rand = mulberry32(options.seed * 104_729 + 1);
    const kills: KillRecord[] = [];

    for (let round = 1; round <= options.kills; round++) {
      const roundStart = Date.now();
      let stopped = false;
      const running = Promise.all(clients.map((c) => runClient(ctx, c, inputs, () => stopped)));
      // Armed somewhere in the middle half of the round; fires at the next R2 write (after a random
      // 0–200 ms, so the crash lands at different points between the two R2 puts and the D1 batch).
      await sleep(roundStart + options.seconds * 1000 * (0.25 + 0.5 * rand()) - Date.now());
      const trigger = await nextWrite(blobDir, roundStart + options.seconds * 1000);
      const delayMs = Math.floor(rand() * 200);
      await sleep(delayMs);

      const victim = child!;
      const pgid = victim.pid!;
      const workerd = userWorkerdPid(pgid);
      const pids = groupProcesses(pgid)
        .map((p) => `${p.pid}:${p.comm}`)
        .join(' ');
      const exited = new Promise<void>((done) =>
        victim.exitCode !== null || victim.signalCode !== null ? done() : victim.once('exit', () => done()),
      );
      killGroup(victim, 'SIGKILL');
      const at = Date.now();
      stopped = true;
      run.setChild(undefined);
      await exited;
      let survivors = groupProcesses(pgid).length;
      for (let i = 0; i < 50 && survivors > 0; i++) {
        await sleep(100);
        survivors = groupProcesses(pgid).length;
      }
      kills.push({ round, trigger, delayMs, at, pids, survivors });
      console.log(
        `round ${round}: SIGKILL to process group ${pgid} (${pids}; Worker's workerd ${workerd ?? 'not found'}) ` +
          `${((at - roundStart) / 1000).toFixed(1)} s into the round, ${delayMs} ms after ${trigger === 'r2-write' ? 'an R2 write' : 'the round ended without one'}; ` +
          `${survivors} process(es) of the group left`,
      );
      // Requests in flight fail at once (the sockets die with the processes); none are started after.
      await running;
      await start();
    }

    // The kills' orphans are younger than the grace period: the job must leave them alone now…
    const early = await runCleanupJob(base, logPath);
    console.log(`cleanup right after the restart: ${describeCleanup(early)}`);
    // …and delete them once every object from before the last kill is older than the grace period.
    const lastKill = kills.at(-1)!.at;
    const waitMs = lastKill + (GRACE_SECONDS + 2) * 1000 - Date.now();
    console.log(`waiting ${(waitMs / 1000).toFixed(0)} s for the grace period to pass…`);
    await sleep(waitMs);
    const late = await runCleanupJob(base, logPath);
    console.log(`cleanup after the grace period: ${describeCleanup(late)}`);

    const auditCtx: Ctx = { base, samples: [], hardStop: new AbortController().signal, errors: ctx.errors };
    const api = await auditViaApi(auditCtx, clients);
    if (child) await stopGroup(child);
    run.setChild(undefined);

    let state: StateAudit | undefined;
    let stateError: string | undefined;
    try {
      state = auditState(await readPersistedState(persistDir, run.bindings), clients);
    } catch (error) {
      stateError = (error as Error).stack ?? String(error);
    }

    const out: string[] = [''];
    const acknowledged = clients.reduce((n, c) => n + c.created.length, 0);
    const expected = clients.flatMap((c) => c.created.filter((i) => !c.gone.has(i.id)));
    out.push(`requests: ${ctx.samples.length}; statuses: ${formatCounts(countOutcomes(ctx.samples), '  ')}`);
    out.push(
      `acknowledged uploads (201): ${acknowledged}; still expected (not deleted or replaced by the client): ${expected.length}`,
    );
    out.push(...list('network errors (first 20)', ctx.errors));
    const missingFromList = expected.filter((i) => !api.listed.has(i.id)).map((i) => `${i.kind} ${i.id} (${i.owner})`);
    out.push(
      `audit via API: ${api.listed.size} images listed; ${api.mediaChecked} media HEADs, ${api.mediaBad.length} not 200; ` +
        `${missingFromList.length} expected but not listed; ${api.listFailures} list failures`,
    );
    out.push(...list('media not 200', api.mediaBad), ...list('expected but not listed', missingFromList));
    if (state) {
      out.push(
        `audit of persisted state: ${state.objects} R2 objects, ${state.rows} D1 rows; ${state.lost.length} lost, ` +
          `${state.orphans.length} orphan objects, ${state.rowsMissingObjects.length} rows missing an object, ` +
          `${state.untrackedRows} rows from uploads whose answer the kill cut off, ${state.danglingAvatarPointers} profiles pointing at no row`,
      );
      out.push(...list('lost', state.lost), ...list('orphans', state.orphans));
      out.push(...list('rows missing an object', state.rowsMissingObjects));
    } else {
      out.push(`audit of persisted state FAILED:\n${stateError}`);
    }
    const survivors = kills.reduce((n, k) => n + k.survivors, 0);
    out.push(
      `kills: ${kills.length} (${kills.filter((k) => k.trigger === 'r2-write').length} right after an R2 write), ` +
        `${survivors} surviving processes; orphans the kills left: ${early.youngOrphans + early.deletedOrphans.length} ` +
        `(${early.deletedOrphans.length} already past the grace period at the first cleanup run and deleted; ` +
        `${early.youngOrphans} young ones left alone, then ${late.deletedOrphans.length} deleted after the grace period)`,
    );
    if (options.keepState) out.push(`state kept in ${rel(persistDir)}`);
    else rmSync(persistDir, { recursive: true, force: true });
    const lost = state ? state.lost.length : new Set([...missingFromList, ...api.mediaBad]).size;
    out.push(
      `chaos: kills=${kills.length} acknowledged=${acknowledged} lost=${lost} ` +
        `rows_missing_objects=${state ? state.rowsMissingObjects.length : -1} orphans=${state ? state.orphans.length : -1}`,
    );
    console.log(out.join('\n'));
    return state && survivors === 0 ? 0 : 1;
  } finally {
    if (child) await stopGroup(child);
    run.setChild(undefined);
  }
}

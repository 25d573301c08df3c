// Slow clients beside normal uploads: `npm run bench:load -- --slow-clients N [--uploads U] [--slow-rate B]`.
//
// Issue 13's figure: with N clients dribbling request bodies into the same
// isolate (wrangler dev runs the Worker in one), how long does a normal
// ~100 KB upload take? Against a private `wrangler dev` (scripts/wrangler-dev.ts):
// U normal uploads one at a time with nobody else ("alone", the peer), then
// the same U while N slow clients hold connections ("beside"). A slow client
// sends a JPEG's first bytes and then B bytes a second (half announce a 10 MiB
// raw body with Content-Length, half send chunked multipart), so it holds a
// connection and an upload's body budget until the rate floor or the read
// deadline answers it 408; it then reconnects at once, so N are held the whole
// time. Then a few clients hang up (./load-hangup.ts), mid-body and while
// their upload is processed, and one more normal upload follows. Reported: the
// normal uploads' median and max, alone and beside; every slow connection's
// outcome and how long until it was refused; and an audit of the persisted
// state (slow clients and hang-ups must leave no object without a row and no
// row without its objects). See bench/LOAD.md.
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadavg } from 'node:os';
import { readPersistedState, type DevRun } from './load-audit';
import { hangUp, type HangUp } from './load-hangup';
import { maxUploadBytes, send, type Ctx } from './load-clients';
import { loadInputs, type InputFile } from './load-inputs';
import { quantile, countOutcomes, formatCounts, type Outcome } from './load-stats';
import { applyMigrations, ROOT, signToken, startWranglerDev, stopGroup } from '../scripts/wrangler-dev';

export interface SlowOptions {
  /** Slow clients held at once. */
  slowClients: number;
  /** Normal uploads per phase. */
  uploads: number;
  /** Bytes a second each slow client sends after its first bytes. */
  slowRate: number;
  keepState: boolean;
}

export type SlowRun = DevRun<SlowOptions>;

/** The normal upload: the load benchmark's 1280×960 JPEG (about 130 KiB). */
const NORMAL_INPUT = 'valid-medium.jpg';
const WARMUP_UPLOADS = 2;
const HANGUP_USER = 'slow-bench-hangup';
/** A slow connection is given up (and counted as `timeout`) after this; the server should end it long before. */
const SLOW_LIMIT_MS = 120_000;
const DECLARED_BYTES = 10 * 1024 * 1024;
const BOUNDARY = 'bench-slow-client-boundary';
const JPEG_HEAD = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SlowResult {
  shape: 'raw' | 'multipart';
  outcome: Outcome;
  /** From the request's start to its answer (or failure). */
  ms: number;
  sent: number;
  /** Which limit ended it: the `details` key of the 408 (`timeoutSeconds` or `minBytesPerSecond`). */
  limit?: string;
}

/**
 * One slow client: opens `POST /images`, sends the first bytes of a JPEG (raw
 * with a 10 MiB Content-Length, or as a chunked multipart part), then
 * `rate` bytes a second until the server answers or `stop` aborts.
 */
function slowUpload(base: string, token: string, shape: SlowResult['shape'], rate: number, stop: AbortSignal) {
  return new Promise<SlowResult>((resolve) => {
    const started = performance.now();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    let head: Uint8Array;
    if (shape === 'raw') {
      headers['Content-Type'] = 'image/jpeg';
      headers['Content-Length'] = String(DECLARED_BYTES);
      head = Uint8Array.from(JPEG_HEAD);
    } else {
      headers['Content-Type'] = `multipart/form-data; boundary=${BOUNDARY}`;
      const part = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="slow.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
      head = new Uint8Array([...new TextEncoder().encode(part), ...JPEG_HEAD]);
    }
    let sent = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    let settled = false;
    const finish = (outcome: Outcome, limit?: string) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      clearTimeout(limitTimer);
      stop.removeEventListener('abort', onStop);
      req.destroy();
      resolve({ shape, outcome, ms: performance.now() - started, sent, ...(limit ? { limit } : {}) });
    };
    const url = new URL('/images', base);
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let limit: string | undefined;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { details?: object } };
          limit = Object.keys(body.error?.details ?? {})[0];
        } catch {
          // not JSON: no limit to name
        }
        finish(res.statusCode ?? 0, limit);
      });
      res.on('error', () => finish(res.statusCode ?? 'network_error'));
    });
    const write = (bytes: Uint8Array) => {
      if (settled) return;
      sent += bytes.byteLength;
      req.write(bytes);
    };
    req.on('error', () => finish('network_error'));
    const onStop = () => finish('aborted');
    stop.addEventListener('abort', onStop);
    const limitTimer = setTimeout(() => finish('timeout'), SLOW_LIMIT_MS);
    req.flushHeaders();
    write(head);
    timer = setInterval(() => write(new Uint8Array(rate)), 1000);
  });
}

/** A normal upload of `file`, raw or multipart: one sample of `kind` in `ctx`. */
function normalUpload(ctx: Ctx, kind: string, token: string, file: InputFile, multipart: boolean) {
  const auth = { Authorization: `Bearer ${token}` };
  if (!multipart) {
    return send(ctx, kind, '/images', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': file.contentType },
      body: file.bytes,
    });
  }
  const form = new FormData();
  form.append('file', new Blob([file.bytes], { type: file.contentType }), file.name);
  return send(ctx, kind, '/images', { method: 'POST', headers: auth, body: form });
}

const fmt = (ms: number) => (Number.isNaN(ms) ? '-' : ms.toFixed(0));
const sorted = (values: number[]) => values.slice().sort((a, b) => a - b);

/** Runs the slow-client section; returns the exit code. The last line printed is `slow: …`. */
export async function runSlowClients(run: SlowRun): Promise<number> {
  const { options, logFd, persistDir } = run;
  const rel = (p: string) => relative(ROOT, p);
  const inputs = await loadInputs(join(ROOT, 'bench', 'out', 'load-inputs'), maxUploadBytes(run.toml));
  const file = inputs.valid.find((f) => f.name === NORMAL_INPUT)!;
  console.log(
    `bench:load --slow-clients: ${options.slowClients} slow clients at ${options.slowRate} B/s ` +
      `(${Math.ceil(options.slowClients / 2)} raw with Content-Length ${DECLARED_BYTES}, ${Math.floor(options.slowClients / 2)} chunked multipart), ` +
      `reconnecting when refused; ${options.uploads} normal uploads of ${file.name} (${(file.bytes.length / 1024).toFixed(0)} KiB) per phase, one at a time`,
  );
  console.log(`state: ${rel(persistDir)}  wrangler log: ${rel(run.logPath)}`);
  applyMigrations(persistDir, logFd);
  let child: ChildProcess | undefined;
  try {
    const t0 = Date.now();
    const base = await startWranglerDev(
      { persistDir, logFd, port: run.port, inspectorPort: run.inspectorPort },
      (c) => {
        child = c;
        run.setChild(c);
      },
    );
    console.log(`wrangler dev ready at ${base} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const ctx: Ctx = { base, samples: [], hardStop: new AbortController().signal, errors: [] };
    const normalToken = signToken(run.secret, 'slow-bench-normal', 3600);
    const slowToken = signToken(run.secret, 'slow-bench-slow', 3600);

    // Warm-up (compiles the codecs), then the peer: the same uploads with nobody else.
    for (let i = 0; i < WARMUP_UPLOADS; i++) await normalUpload(ctx, 'warmup', normalToken, file, i % 2 === 1);
    for (let i = 0; i < options.uploads; i++) await normalUpload(ctx, 'alone', normalToken, file, i % 2 === 1);

    // The slow clients, each reconnecting as soon as it is refused, until told to stop.
    const stop = new AbortController();
    let restarting = true;
    let held = 0;
    const slow: SlowResult[] = [];
    const loops = Array.from({ length: options.slowClients }, async (_, i) => {
      const shape = i % 2 === 0 ? 'raw' : 'multipart';
      do {
        held++;
        const result = await slowUpload(base, slowToken, shape, options.slowRate, stop.signal);
        held--;
        slow.push(result);
      } while (restarting && !stop.signal.aborted);
    });
    await sleep(1000); // every slow client connected and being read
    let minHeld = held;
    const phaseStart = performance.now();
    for (let i = 0; i < options.uploads; i++) {
      minHeld = Math.min(minHeld, held);
      await normalUpload(ctx, 'beside', normalToken, file, i % 2 === 1);
      minHeld = Math.min(minHeld, held);
    }
    const phaseSeconds = (performance.now() - phaseStart) / 1000;
    // The last slow connections end on their own (408); the stop is only a backstop.
    restarting = false;
    const backstop = setTimeout(() => stop.abort(), SLOW_LIMIT_MS);
    await Promise.all(loops);
    clearTimeout(backstop);

    // Clients that hang up, then a normal upload: nothing they held may still be held.
    const hangToken = signToken(run.secret, HANGUP_USER, 3600);
    const hangUps: HangUp[] = [];
    for (const when of ['mid-body', 'after-body', 'mid-body', 'after-body'] as const) {
      hangUps.push(await hangUp(base, hangToken, file, when));
    }
    await normalUpload(ctx, 'after_hangups', normalToken, file, false);
    // That upload queued behind the hang-ups' image work; give their R2 and D1 writes a moment to land.
    await sleep(3000);
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');

    if (child) await stopGroup(child);
    child = undefined;
    run.setChild(undefined);
    const state = await readPersistedState(persistDir, run.bindings);

    // ---- report
    const phase = (kind: string) => ctx.samples.filter((s) => s.kind === kind);
    const ms = (kind: string) =>
      sorted(
        phase(kind)
          .filter((s) => s.outcome === 201)
          .map((s) => s.ms),
      );
    const alone = ms('alone');
    const beside = ms('beside');
    const rows: string[][] = [['normal uploads', 'n', 'median ms', 'max ms', 'statuses']];
    for (const [label, kind, values] of [
      ['alone', 'alone', alone],
      [`beside ${options.slowClients} slow`, 'beside', beside],
    ] as const) {
      rows.push([
        label,
        String(phase(kind).length),
        fmt(quantile(values, 0.5)),
        fmt(values.at(-1) ?? NaN),
        formatCounts(countOutcomes(phase(kind))),
      ]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const out: string[] = [''];
    out.push(...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')));
    const ratio = (q: (v: number[]) => number) => (q(beside) / q(alone)).toFixed(2);
    out.push(
      `beside / alone: median ${ratio((v) => quantile(v, 0.5))}, max ${ratio((v) => v.at(-1) ?? NaN)}; ` +
        `${options.uploads} uploads beside took ${phaseSeconds.toFixed(1)} s, with at least ${minHeld} of ${options.slowClients} slow clients held throughout`,
    );
    const refusedMs = sorted(slow.filter((s) => s.outcome === 408).map((s) => s.ms));
    const limits = new Map<string, number>();
    for (const s of slow) if (s.limit) limits.set(s.limit, (limits.get(s.limit) ?? 0) + 1);
    out.push(
      `slow connections: ${slow.length}; outcomes ${formatCounts(countOutcomes(slow.map((s) => ({ kind: s.shape, outcome: s.outcome, ms: s.ms }))))}; ` +
        `refused after median ${(quantile(refusedMs, 0.5) / 1000).toFixed(1)} s, max ${((refusedMs.at(-1) ?? NaN) / 1000).toFixed(1)} s ` +
        `(limit named: ${formatCounts(limits) || 'none'}); bytes sent each: max ${Math.max(0, ...slow.map((s) => s.sent))}`,
    );
    const created = ctx.samples.filter((s) => s.outcome === 201).length;
    const rowList = [...state.rows.values()];
    const orphans = [...state.objects].filter(
      (key) => !rowList.some((r) => r.main_key === key || r.thumb_key === key),
    ).length;
    const rowsMissingObjects = rowList.filter(
      (r) => !state.objects.has(r.main_key) || !state.objects.has(r.thumb_key),
    ).length;
    const hangUpRows = rowList.filter((r) => r.owner_id === HANGUP_USER).length;
    const after = phase('after_hangups')[0]?.outcome;
    out.push(
      `hang-ups: ${hangUps.filter((h) => h.when === 'mid-body').length} mid-body (half of ${file.bytes.length} bytes sent), ` +
        `${hangUps.filter((h) => h.when === 'after-body').length} 200 ms after the whole body; answered before hanging up: ` +
        `${hangUps.filter((h) => h.status !== undefined).length}; images they left stored (ran to their end): ${hangUpRows}; ` +
        `normal upload right after: ${after}`,
    );
    out.push(
      `audit of persisted state: ${state.rows.size} rows (${created} answered 201, ${hangUpRows} from hang-ups), ` +
        `${state.objects.size} R2 objects; ${orphans} orphan objects, ${rowsMissingObjects} rows missing an object, ` +
        `${rowList.filter((r) => r.owner_id === 'slow-bench-slow').length} rows from slow clients`,
    );
    if (options.keepState) out.push(`state kept in ${rel(persistDir)}`);
    else rmSync(persistDir, { recursive: true, force: true });
    out.push(`load average at the end (1, 5, 15 min): ${load}`);
    out.push(
      `slow: clients=${options.slowClients} uploads=${options.uploads} beside_median_ms=${fmt(quantile(beside, 0.5))} ` +
        `beside_max_ms=${fmt(beside.at(-1) ?? NaN)} alone_median_ms=${fmt(quantile(alone, 0.5))} ` +
        `slow_refused=${refusedMs.length}/${slow.length} orphans=${orphans} rows_missing_objects=${rowsMissingObjects}`,
    );
    console.log(out.join('\n'));
    const ok =
      beside.length === options.uploads &&
      after === 201 &&
      orphans === 0 &&
      rowsMissingObjects === 0 &&
      state.rows.size === created + hangUpRows;
    return ok ? 0 : 1;
  } finally {
    if (child) await stopGroup(child);
    run.setChild(undefined);
  }
}

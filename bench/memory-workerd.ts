// Memory measured in workerd itself: `npm run bench:memory -- --workerd [--port P] [--inspector-port I]`.
//
// Drives the real Worker under a private `wrangler dev` (fresh persisted local
// R2/D1 under bench/out/, deleted afterwards) and samples the isolate through
// the inspector every 50 ms (./heap-sampler.ts): V8's heap in use plus its
// backing stores (ArrayBuffers, WebAssembly memories), the memory the 128 MB
// limit is about. Alongside, the RSS of the workerd process that runs the
// Worker (from /proc), which also hosts Miniflare's local R2 and D1.
//
// Measured, in one isolate, in this order: the 12 MP photo alone (the first
// upload), the whole mixed sequence of ./inputs.ts uploaded one by one, idle
// ("warm"), a storm of 200 corrupt files (100 WebP reaching libwebp, 100 JPEG),
// idle again, and one valid upload to show the codecs still work. Each idle
// reading is taken as is, then after a full GC forced through the inspector.
// Last line: `workerd: isolate_12mp_mib=… isolate_mixed_mib=… idle_warm_mib=… idle_after_storm_mib=… idle_warm_gc_mib=… idle_after_storm_gc_mib=… rss_peak_mib=…`.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corrupt } from './corrupt';
import { connectHeapSampler, type HeapSampler } from './heap-sampler';
import { isolateBytes, medianOf, peakOf, samplesBetween } from './heap-usage';
import { INPUT_DIR, INPUTS, inputsAreCurrent, OUT_DIR } from './inputs';
import { loadInputs } from './load-inputs';
import { maxUploadBytes } from './load-clients';
import {
  applyMigrations,
  devSecret,
  freePort,
  killGroup,
  ROOT,
  rssOf,
  signToken,
  startWranglerDev,
  stopGroup,
  userWorkerdPid,
} from '../scripts/wrangler-dev';
import { markdownTable, textTable } from './report';

const SAMPLE_MS = 50;
const STORM_FILES = 200;
/** Quiet time before an idle reading, and how long the reading lasts. */
const SETTLE_MS = 2_000;
const IDLE_WINDOW_MS = 4_000;
const GC_WINDOW_MS = 1_500;
const REQUEST_TIMEOUT_MS = 120_000;
const GOALS = { photo12mp: 64, mixed: 96, stormOverWarm: 16 };

const MIB = 1024 * 1024;
const f1 = (bytes: number) => (Number.isNaN(bytes) ? '-' : (bytes / MIB).toFixed(1));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let wrangler: ChildProcess | undefined;

interface RssSample {
  t: number;
  rss: number;
}

interface Window {
  label: string;
  from: number;
  to: number;
  status?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

function argPort(argv: string[], flag: '--port' | '--inspector-port'): number | undefined {
  const at = argv.indexOf(flag);
  if (at < 0) return undefined;
  const port = Number(argv[at + 1]);
  if (!Number.isInteger(port) || port < 1024 || port > 64535) throw new Error(`${flag}: expected 1024-64535`);
  return port;
}

async function ensureInputs(): Promise<void> {
  if (await inputsAreCurrent()) return;
  process.stderr.write('generating inputs into bench/out/inputs/ (once; cached)…\n');
  const generate = fileURLToPath(new URL('./generate.ts', import.meta.url));
  const code = await new Promise<number>((done, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, generate], { stdio: ['ignore', 2, 2] });
    proc.on('error', reject);
    proc.on('exit', (c) => done(c ?? 1));
  });
  if (code !== 0) throw new Error('input generation failed');
}

/** Runs the workerd measurement; prints the report and writes bench/out/memory-workerd.md. */
export async function runWorkerdMemory(argv: string[]): Promise<void> {
  process.chdir(ROOT);
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const port = argPort(argv, '--port');
  const httpPort = port ?? (await freePort());
  const inspectorPort = argPort(argv, '--inspector-port') ?? (port ? port + 1000 : await freePort());
  await ensureInputs();
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const loadFiles = await loadInputs(join(OUT_DIR, 'load-inputs'), maxUploadBytes(toml));
  const byName = (name: string) => loadFiles.valid.find((f) => f.name === name)!;
  const storm = [
    // Damage after the headers, so the files pass the structure walk and reach the decoders (as bench:hygiene).
    ...corrupt(byName('valid-photo.webp').bytes, STORM_FILES / 2, 64, 1).map((bytes) => ({
      bytes,
      type: 'image/webp',
    })),
    ...corrupt(byName('valid-small.jpg').bytes, STORM_FILES / 2, 700, 2).map((bytes) => ({
      bytes,
      type: 'image/jpeg',
    })),
  ];

  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  const persistDir = join(OUT_DIR, 'memory-state', runId);
  mkdirSync(persistDir, { recursive: true });
  const logPath = join(OUT_DIR, `memory-wrangler-${runId}.log`);
  const logFd = openSync(logPath, 'a');
  let sampler: HeapSampler | undefined;
  try {
    const secret = await devSecret();
    process.stderr.write(`wrangler dev (log: ${relative(ROOT, logPath)})…\n`);
    applyMigrations(persistDir, logFd);
    const base = await startWranglerDev(
      { persistDir, logFd, port: httpPort, inspectorPort },
      (child) => (wrangler = child),
    );
    const pid = userWorkerdPid(wrangler!.pid!);
    if (pid === undefined) throw new Error("could not find the Worker's workerd process");
    const rss: RssSample[] = [];
    sampler = await connectHeapSampler(`ws://127.0.0.1:${inspectorPort}/ws`, SAMPLE_MS, (t) => {
      const reading = rssOf(pid);
      if (reading) rss.push({ t, rss: reading.rss });
    });
    const s = sampler;
    const rssAtReady = rssOf(pid)!.rss;
    process.stderr.write(`ready at ${base}; Worker's workerd pid ${pid}, RSS ${f1(rssAtReady)} MiB\n`);

    const token = (user: string) => signToken(secret, user, 3600);
    const upload = async (user: string, bytes: Uint8Array<ArrayBuffer>, type: string): Promise<string> => {
      const res = await fetch(`${base}/images`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token(user)}`, 'Content-Type': type },
        body: bytes,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = await res.text();
      if (res.status === 201) return '201';
      const code = /"code":"([a-z_]+)"/.exec(body)?.[1];
      return `${res.status}${code ? ` ${code}` : ''}`;
    };
    const timed = async (label: string, work: () => Promise<string | undefined>): Promise<Window> => {
      const from = s.now();
      const status = await work();
      await sleep(2 * SAMPLE_MS); // the answer that follows the response still belongs to this request
      return { label, from, to: s.now(), ...(status === undefined ? {} : { status }) };
    };
    /** What the idle isolate holds as it is (garbage V8 has not collected yet included), then after a full GC. */
    const idle = async (label: string): Promise<[Window, Window]> => {
      await sleep(SETTLE_MS);
      const from = s.now();
      await sleep(IDLE_WINDOW_MS);
      const asIs = { label: `${label}, as is`, from, to: s.now() };
      await s.collectGarbage();
      const gcFrom = s.now() + 500; // freed backing stores may be released just after the collection
      await sleep(500 + GC_WINDOW_MS);
      return [asIs, { label: `${label}, after a full GC`, from: gcFrom, to: s.now() }];
    };
    const inputFile = (id: string) => {
      const input = INPUTS.find((i) => i.id === id)!;
      const bytes = new Uint8Array(readFileSync(join(INPUT_DIR, input.file)));
      return { bytes, type: CONTENT_TYPES[input.file.split('.').pop()!]! };
    };

    const [cold, coldGc] = await idle('idle, cold');
    process.stderr.write('12 MP photo alone…\n');
    const photo = inputFile('jpeg-12mp-baseline');
    const alone = await timed('12 MP photo alone (first upload)', () => upload('mem-12mp', photo.bytes, photo.type));

    const mixed: Window[] = [];
    for (const input of INPUTS) {
      process.stderr.write(`mixed: ${input.id}…\n`);
      const file = inputFile(input.id);
      mixed.push(await timed(input.id, () => upload('mem-mixed', file.bytes, file.type)));
    }
    const [warm, warmGc] = await idle('idle, warm (after the mixed sequence)');

    process.stderr.write(`storm: ${storm.length} corrupt files…\n`);
    const outcomes = new Map<string, number>();
    const stormWindow = await timed(`storm: ${storm.length} corrupt files`, async () => {
      for (const [i, file] of storm.entries()) {
        // Five users, so the per-user rate limit (60 per minute) is never what answers.
        const status = await upload(`mem-storm-${i % 5}`, file.bytes, file.type);
        outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
      }
      return undefined;
    });
    const [afterStorm, afterStormGc] = await idle('idle, after the storm');
    const valid = byName('valid-photo.webp');
    const validAfter = await timed('a valid WebP after the storm', () =>
      upload('mem-after', valid.bytes, 'image/webp'),
    );

    const hwm = rssOf(pid)!.hwm;
    const rssEnd = rssOf(pid)!.rss;
    sampler.close();
    sampler = undefined;
    await stopGroup(wrangler!);
    wrangler = undefined;

    // ---- report
    const inWindow = (w: Window) => samplesBetween(s.samples, w.from, w.to);
    const rssMax = (w: Window) => Math.max(...rss.filter((r) => r.t >= w.from && r.t <= w.to).map((r) => r.rss));
    const peak12 = peakOf(inWindow(alone));
    const mixedWindow: Window = { label: 'whole mixed sequence', from: mixed[0]!.from, to: mixed.at(-1)!.to };
    const peakMixed = peakOf(inWindow(mixedWindow));
    const idleWarm = medianOf(inWindow(warm));
    const idleStorm = medianOf(inWindow(afterStorm));
    const idleWarmGc = medianOf(inWindow(warmGc));
    const idleStormGc = medianOf(inWindow(afterStormGc));
    const rows: string[][] = [];
    const row = (w: Window, figure: number, kind: string, goal: string) => {
      const samples = inWindow(w);
      const at = samples.find((x) => isolateBytes(x) === figure);
      rows.push([
        w.label,
        `${f1(figure)} (${kind})`,
        at ? `${f1(at.used)} / ${f1(at.backing)}` : '-',
        String(samples.length),
        `${((w.to - w.from) / 1000).toFixed(1)}`,
        f1(rssMax(w)),
        w.status ?? '',
        goal,
      ]);
    };
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
    const overWarm = (after: number, before: number) =>
      `≤ warm + ${GOALS.stormOverWarm} MiB: ${verdict(after <= before + GOALS.stormOverWarm * MIB)} (${after >= before ? '+' : ''}${f1(after - before)})`;
    row(cold, medianOf(inWindow(cold)), 'median', '');
    row(coldGc, medianOf(inWindow(coldGc)), 'median', '');
    row(alone, peak12, 'peak', `≤ ${GOALS.photo12mp} MiB: ${verdict(peak12 <= GOALS.photo12mp * MIB)}`);
    for (const w of mixed) row(w, peakOf(inWindow(w)), 'peak', '');
    row(mixedWindow, peakMixed, 'peak', `≤ ${GOALS.mixed} MiB: ${verdict(peakMixed <= GOALS.mixed * MIB)}`);
    row(warm, idleWarm, 'median', '');
    row(warmGc, idleWarmGc, 'median', '');
    row(stormWindow, peakOf(inWindow(stormWindow)), 'peak', '');
    row(afterStorm, idleStorm, 'median', overWarm(idleStorm, idleWarm));
    row(afterStormGc, idleStormGc, 'median', overWarm(idleStormGc, idleWarmGc));
    row(validAfter, peakOf(inWindow(validAfter)), 'peak', '');

    const headers = [
      'measurement',
      'isolate MiB',
      'heap / backing MiB',
      'samples',
      's',
      'workerd RSS max MiB',
      'status',
      'goal',
    ];
    const numeric = (i: number) => i >= 1 && i <= 5;
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const out = [
      `Memory in workerd — the real Worker under wrangler dev, ${cpus().length}× ${cpu}`,
      `isolate = V8 heap in use + backing stores (ArrayBuffers, WebAssembly memories), Runtime.getHeapUsage every ${SAMPLE_MS} ms`,
      `through the inspector; it answers between tasks only, so peaks are lower bounds. Idle = median over ${IDLE_WINDOW_MS / 1000} s after ${SETTLE_MS / 1000} s quiet`,
      `(as is: V8 does not collect an idle isolate's garbage), then after a full GC (forced by a heap snapshot).`,
      `workerd RSS = the process running the Worker (pid ${pid}), which also hosts Miniflare's local R2 and D1.`,
      '',
      ...textTable(headers, rows, numeric)
        .split('\n')
        .map((l) => l.trimEnd()),
      '',
      `storm outcomes: ${[...outcomes].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
      `workerd RSS: ${f1(rssAtReady)} MiB when ready, ${f1(rssEnd)} MiB at the end, peak (VmHWM) ${f1(hwm)} MiB ` +
        `(+${f1(hwm - rssAtReady)} over ready)`,
    ];
    console.log(out.join('\n'));
    const md = [
      '### Memory in workerd',
      '',
      `\`npm run bench:memory -- --workerd\` — ${cpus().length}× ${cpu}.`,
      '',
      markdownTable(headers, rows, numeric),
      '',
      ...out.slice(-2),
      '',
    ].join('\n');
    writeFileSync(join(OUT_DIR, 'memory-workerd.md'), md);
    console.log(`(Markdown written to ${relative(ROOT, join(OUT_DIR, 'memory-workerd.md'))})`);
    console.log(
      `workerd: isolate_12mp_mib=${f1(peak12)} isolate_mixed_mib=${f1(peakMixed)} idle_warm_mib=${f1(idleWarm)} ` +
        `idle_after_storm_mib=${f1(idleStorm)} idle_warm_gc_mib=${f1(idleWarmGc)} idle_after_storm_gc_mib=${f1(idleStormGc)} ` +
        `rss_peak_mib=${f1(hwm)}`,
    );
  } finally {
    sampler?.close();
    if (wrangler) await stopGroup(wrangler);
    wrangler = undefined;
    closeSync(logFd);
    rmSync(persistDir, { recursive: true, force: true });
  }
}

// Never leave wrangler running: signals and any exit stop its process group.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    const child = wrangler;
    wrangler = undefined;
    void (child ? stopGroup(child) : Promise.resolve()).finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  if (wrangler) killGroup(wrangler, 'SIGKILL');
});

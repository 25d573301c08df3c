// Speed benchmark: the gateway's pipeline against sharp on the same job.
// `npm run bench [-- --only id,id] [--runs N]`. See bench/README.md.
//
// The gateway side is processImage (src/pipeline) with the Node codec wiring,
// the exact function the Worker runs. The sharp side (sharp 0.35.5, libvips,
// native) does the same job in the same stages: decode upright (EXIF
// rotation) and in sRGB to the gateway's main size, encode WebP q85 effort 4,
// resize those pixels to the gateway's thumbnail size, encode WebP q80
// effort 4. sharp runs with concurrency(1) and its cache off; the gateway is
// single-threaded JavaScript and WebAssembly. Both run in this one process,
// one after the other, never at once: each has one core.
//
// Per input: one warm-up of each, then `runs` (5) rounds alternating which
// goes first, medians per stage. The last line of stdout is
// `ratio_vs_sharp_median=<x>`: the median over the inputs both sides accept
// of (gateway ms / sharp ms), wall time. The line before it gives the same
// median for CPU time (process.cpuUsage over each run, all threads), which is
// what Workers bill and which a loaded machine disturbs less.

import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadDefaultConfig } from './config';
import { inputsAreCurrent, OUT_DIR } from './inputs';
import { SPEED_INPUTS, speedInputsAreCurrent } from './speed-inputs';
import { runWorkerdSpeed } from './speed-workerd';
import { nodeCodecs } from '../src/codecs/node';
import { processImage, type PipelineStage } from '../src/pipeline';
import { markdownTable as markdown, textTable as table } from './report';

const STAGES = ['decode', 'encode-main', 'resize', 'encode-thumb'] as const;
type Stage = (typeof STAGES)[number];

interface Run {
  /** ms per stage; `decode` includes probing the header and walking the file's structure. */
  stages: Record<Stage, number>;
  total: number;
  /** CPU ms of the whole process over the run (all threads: sharp's worker, V8's GC and compiler threads). */
  cpu: number;
  mainBytes: number;
  thumbBytes: number;
  main: { width: number; height: number };
  thumb: { width: number; height: number };
}

type Outcome = { ok: true; run: Run } | { ok: false; status: string };

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function spawnNode(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, script], { stdio: ['ignore', 2, 2] });
    proc.on('error', reject);
    proc.on('exit', (code) => resolve(code ?? 1));
  });
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function errorStatus(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

type Config = Awaited<ReturnType<typeof loadDefaultConfig>>;
type Codecs = Awaited<ReturnType<typeof nodeCodecs>>;

/** One run of the gateway's pipeline, timed at its own stage hook (which it calls anyway). */
async function runGateway(bytes: Uint8Array, config: Config, codecs: Codecs): Promise<Outcome> {
  const marks: Partial<Record<PipelineStage, number>> = {};
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  try {
    const out = await processImage(
      bytes,
      { ...config.process, onStage: (stage) => (marks[stage] = performance.now()) },
      codecs,
    );
    const end = performance.now();
    const cpu = cpuMs(cpuStart);
    const stages = {
      decode: marks.decode! - started,
      'encode-main': marks['encode-main']! - marks.decode!,
      resize: marks.resize! - marks['encode-main']!,
      'encode-thumb': marks['encode-thumb']! - marks.resize!,
    };
    return {
      ok: true,
      run: {
        stages,
        total: end - started,
        cpu,
        mainBytes: out.main.bytes.length,
        thumbBytes: out.thumb.bytes.length,
        main: { width: out.main.width, height: out.main.height },
        thumb: { width: out.thumb.width, height: out.thumb.height },
      },
    };
  } catch (error) {
    return { ok: false, status: errorStatus(error) };
  }
}

/**
 * sharp doing the gateway's job, stage by stage: decode (auto-orient, sRGB,
 * shrink to the main size: libvips shrinks JPEG on load as the gateway does),
 * encode main, resize those pixels to the thumbnail, encode the thumbnail.
 * The thumbnail is made from the main image's pixels, never from the file
 * (no second shrink-on-load), as in the gateway.
 */
async function runSharp(
  bytes: Uint8Array,
  main: { width: number; height: number },
  thumb: { width: number; height: number },
  config: Config,
): Promise<Outcome> {
  try {
    const cpuStart = process.cpuUsage();
    const t0 = performance.now();
    const decoded = await sharp(bytes)
      .rotate()
      .resize(main.width, main.height, { fit: 'fill' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const t1 = performance.now();
    const raw = { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels };
    const webp = { quality: config.process.mainQuality, effort: 4 };
    const mainOut = await sharp(decoded.data, { raw }).webp(webp).toBuffer();
    const t2 = performance.now();
    const small = await sharp(decoded.data, { raw })
      .resize(thumb.width, thumb.height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const t3 = performance.now();
    const thumbOut = await sharp(small.data, {
      raw: { width: small.info.width, height: small.info.height, channels: small.info.channels },
    })
      .webp({ quality: config.process.thumbQuality, effort: 4 })
      .toBuffer();
    const t4 = performance.now();
    const cpu = cpuMs(cpuStart);
    return {
      ok: true,
      run: {
        stages: { decode: t1 - t0, 'encode-main': t2 - t1, resize: t3 - t2, 'encode-thumb': t4 - t3 },
        total: t4 - t0,
        cpu,
        mainBytes: mainOut.length,
        thumbBytes: thumbOut.length,
        main: { width: raw.width, height: raw.height },
        thumb: { width: small.info.width, height: small.info.height },
      },
    };
  } catch (error) {
    return { ok: false, status: errorStatus(error) };
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianRun(runs: Run[]): Run {
  const stages = Object.fromEntries(STAGES.map((s) => [s, median(runs.map((r) => r.stages[s]))])) as Record<
    Stage,
    number
  >;
  return { ...runs[0]!, stages, total: median(runs.map((r) => r.total)), cpu: median(runs.map((r) => r.cpu)) };
}

interface Row {
  id: string;
  description: string;
  fileBytes: number;
  gateway?: Run;
  sharp?: Run;
  status: string;
  ratio?: number;
  cpuRatio?: number;
}

const ms = (v: number) => v.toFixed(0);
const kib = (v: number) => (v / 1024).toFixed(1);

function stageText(run: Run): string {
  return `${ms(run.total)} (${STAGES.map((s) => ms(run.stages[s])).join(' / ')})`;
}

async function ensureInputs(): Promise<void> {
  if (!(await inputsAreCurrent())) {
    log('generating the memory benchmark inputs into bench/out/inputs/ (once; cached)…');
    if ((await spawnNode(fileURLToPath(new URL('./generate.ts', import.meta.url)))) !== 0) {
      throw new Error('input generation failed');
    }
  }
  if (!(await speedInputsAreCurrent())) {
    log('generating the speed inputs into bench/out/speed-inputs/ (once; cached)…');
    if ((await spawnNode(fileURLToPath(new URL('./speed-inputs.ts', import.meta.url)))) !== 0) {
      throw new Error('speed input generation failed');
    }
  }
}

async function main(): Promise<void> {
  const only = argValue('--only')?.split(',');
  const runs = Number(argValue('--runs') ?? 5);
  const inputs = only ? SPEED_INPUTS.filter((i) => only.includes(i.id)) : SPEED_INPUTS;
  if (only && inputs.length !== only.length) {
    throw new Error(`unknown input id in --only; known: ${SPEED_INPUTS.map((i) => i.id).join(', ')}`);
  }
  await ensureInputs();
  if (process.argv.includes('--workerd')) return workerdMain(inputs, runs);
  sharp.concurrency(1);
  sharp.cache(false);
  const config = await loadDefaultConfig();
  const codecs = await nodeCodecs();
  const started = performance.now();
  const load = loadavg()[0]!;

  const rows: Row[] = [];
  for (const input of inputs) {
    const file = await readFile(input.path);
    const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
    const row: Row = { id: input.id, description: input.description, fileBytes: bytes.length, status: 'ok' };
    rows.push(row);
    log(`${input.id}: warm-up…`);
    const warm = await runGateway(bytes, config, codecs);
    if (!warm.ok) {
      // Refused by the gateway (e.g. over a limit): reported, not timed against sharp.
      row.status = `gateway refused: ${warm.status}`;
      log(`  ${row.status}`);
      continue;
    }
    const { main, thumb } = warm.run;
    const sharpWarm = await runSharp(bytes, main, thumb, config);
    if (!sharpWarm.ok) {
      row.status = `sharp failed: ${sharpWarm.status}`;
      continue;
    }
    const gatewayRuns: Run[] = [];
    const sharpRuns: Run[] = [];
    const once = async (side: 'gateway' | 'sharp') => {
      gc();
      const outcome =
        side === 'gateway' ? await runGateway(bytes, config, codecs) : await runSharp(bytes, main, thumb, config);
      if (!outcome.ok) throw new Error(`${input.id}: ${side} failed after its warm-up: ${outcome.status}`);
      (side === 'gateway' ? gatewayRuns : sharpRuns).push(outcome.run);
    };
    for (let i = 0; i < runs; i++) {
      // Alternate who goes first, so neither always runs on a machine the other just warmed or loaded.
      const order = i % 2 === 0 ? (['gateway', 'sharp'] as const) : (['sharp', 'gateway'] as const);
      for (const side of order) await once(side);
    }
    row.gateway = medianRun(gatewayRuns);
    row.sharp = medianRun(sharpRuns);
    row.ratio = row.gateway.total / row.sharp.total;
    row.cpuRatio = row.gateway.cpu / row.sharp.cpu;
    log(`  gateway ${stageText(row.gateway)} ms, sharp ${stageText(row.sharp)} ms, ratio ${row.ratio.toFixed(2)}`);
  }

  const headers = [
    'input',
    'out main / thumb',
    'gateway ms (decode / enc main / resize / enc thumb)',
    'sharp ms (decode / enc main / resize / enc thumb)',
    'ratio',
    'CPU ms gateway / sharp',
    'CPU ratio',
    'gateway KiB main / thumb',
    'sharp KiB main / thumb',
  ];
  const cells = rows.map((r) =>
    r.gateway && r.sharp
      ? [
          r.id,
          `${r.gateway.main.width}×${r.gateway.main.height} / ${r.gateway.thumb.width}×${r.gateway.thumb.height}`,
          stageText(r.gateway),
          stageText(r.sharp),
          r.ratio!.toFixed(2),
          `${ms(r.gateway.cpu)} / ${ms(r.sharp.cpu)}`,
          r.cpuRatio!.toFixed(2),
          `${kib(r.gateway.mainBytes)} / ${kib(r.gateway.thumbBytes)}`,
          `${kib(r.sharp.mainBytes)} / ${kib(r.sharp.thumbBytes)}`,
        ]
      : [r.id, '-', r.status, '-', '-', '-', '-', '-', '-'],
  );
  const ratios = rows.flatMap((r) => (r.ratio === undefined ? [] : [r.ratio]));
  const overall = ratios.length ? median(ratios) : NaN;
  const cpuRatios = rows.flatMap((r) => (r.cpuRatio === undefined ? [] : [r.cpuRatio]));
  const overallCpu = cpuRatios.length ? median(cpuRatios) : NaN;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const machine = `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length}× ${cpu}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}, libwebp ${sharp.versions.webp ?? '?'}), load average ${load.toFixed(1)} at start`;
  console.log(`Speed benchmark — gateway processImage vs sharp, medians of ${runs} alternating runs after a warm-up`);
  console.log(machine);
  console.log(table(headers, cells));
  for (const r of rows)
    console.log(`  ${r.id}: ${r.description}, ${kib(r.fileBytes)} KiB${r.status === 'ok' ? '' : ` — ${r.status}`}`);
  console.log(`(total ${((performance.now() - started) / 1000).toFixed(0)} s)`);

  await mkdir(OUT_DIR, { recursive: true });
  const mdFile = join(OUT_DIR, 'speed.md');
  await writeFile(
    mdFile,
    [
      `\`npm run bench\` — ${machine}.`,
      '',
      markdown(headers, cells),
      '',
      `Median ratio: **${overall.toFixed(2)}** (wall), ${overallCpu.toFixed(2)} (CPU).`,
      '',
    ].join('\n'),
  );
  console.log(`(Markdown table written to ${mdFile})`);
  console.log(`cpu_ratio_vs_sharp_median=${overallCpu.toFixed(2)}`);
  console.log(`ratio_vs_sharp_median=${overall.toFixed(2)}`);
}

/** `--workerd`: the same uploads through wrangler dev, beside processImage in Node (bench/speed-workerd.ts). */
async function workerdMain(inputs: typeof SPEED_INPUTS, runs: number): Promise<void> {
  const port = Number(argValue('--port') ?? 8797);
  const inspectorPort = Number(argValue('--inspector-port') ?? port + 1000);
  const config = await loadDefaultConfig();
  const codecs = await nodeCodecs();
  const load = loadavg()[0]!;
  const files = await Promise.all(
    inputs.map(async (input) => {
      const file = await readFile(input.path);
      return { id: input.id, path: input.path, bytes: new Uint8Array(file.buffer, file.byteOffset, file.byteLength) };
    }),
  );
  const rows = await runWorkerdSpeed(files, runs, port, inspectorPort, async (bytes) => {
    gc();
    const outcome = await runGateway(bytes, config, codecs);
    return outcome.ok ? outcome.run.total : undefined;
  });
  const headers = ['input', 'workerd upload ms (end to end)', 'Node processImage ms', 'workerd / Node'];
  const cells = rows.map((r) =>
    r.status === 'ok'
      ? [r.id, ms(r.workerdMs), ms(r.nodeMs), (r.workerdMs / r.nodeMs).toFixed(2)]
      : [r.id, r.status, '-', '-'],
  );
  const machine = `Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${load.toFixed(1)} at start`;
  console.log(`Speed through wrangler dev — POST /images end to end vs processImage in Node, medians of ${runs}`);
  console.log(machine);
  console.log(table(headers, cells));
  await mkdir(OUT_DIR, { recursive: true });
  const mdFile = join(OUT_DIR, 'speed-workerd.md');
  await writeFile(
    mdFile,
    [`\`npm run bench -- --workerd\` — ${machine}.`, '', markdown(headers, cells), ''].join('\n'),
  );
  console.log(`(Markdown table written to ${mdFile})`);
  const ok = rows.filter((r) => r.status === 'ok');
  console.log(`workerd_upload_median_ms=${median(ok.map((r) => r.workerdMs)).toFixed(0)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

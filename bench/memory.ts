// Memory benchmark of the image pipeline: `npm run bench:memory [-- options]`.
// See bench/README.md for what is counted and why.
//
// Options:
//   --naive          measure the naive jSquash reference (./naive-pipeline.ts) instead of the gateway
//   --only id,id     only these inputs (ids from ./inputs.ts)
//   --no-isolated    skip the one-process-per-input runs (mixed sequence only)
//   --workerd [--port P] [--inspector-port I]  measure the real Worker's isolate in workerd under wrangler dev instead
//                    (the inspector on I, default P + 1000)
//
// The parent process never loads a codec: it makes sure the inputs exist
// (./generate.ts, in its own process), then runs each measurement in a fresh
// child process (`--child`), like a fresh Worker isolate, and prints the
// tables. The last line of stdout is `peak_accounted_mib=<N>`.

import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  calibrate,
  counters,
  fullGc,
  installWasmTracking,
  mib,
  probeArrayBuffersIncludeWasm,
  sample,
  setArrayBuffersIncludeWasm,
  settle,
  type Sample,
} from './accounting';
import { INPUT_DIR, INPUTS, inputsAreCurrent, OUT_DIR, type BenchInput } from './inputs';
import { markdownTable, textTable } from './report';

interface StageRecord {
  stage: string;
  sample: Sample;
}

interface InputResult {
  id: string;
  fileBytes: number;
  /** `ok`, or the error code (PipelineError) / name the pipeline threw. */
  status: string;
  stages: StageRecord[];
  /** Wall time of the pipeline call, minus the time spent sampling and collecting garbage in the stage hook. */
  ms: number;
  /** WebAssembly instances created while this input was processed. */
  instances: number;
}

interface ChildResult {
  mode: Mode;
  /** Sampled after the codecs were set up and a full GC, before the first input. */
  start: Sample;
  inputs: InputResult[];
  /** At the end, after a GC: the WASM figure from V8's counters vs the instrumented memories still alive. */
  check: { sampledWasm: number; instances: number; memories: number; collected: number; worstShortfall: number };
}

type Mode = 'gateway' | 'naive';

const SELF = fileURLToPath(import.meta.url);
const GENERATE = fileURLToPath(new URL('./generate.ts', import.meta.url));

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------- child: the measurement

type Runner = (bytes: Uint8Array, onStage: (stage: string) => void) => Promise<unknown>;

async function loadRunner(mode: Mode): Promise<Runner> {
  const { loadDefaultConfig } = await import('./config');
  const config = await loadDefaultConfig();
  if (mode === 'naive') {
    const { createNaivePipeline } = await import('./naive-pipeline');
    const naive = await createNaivePipeline();
    return (bytes, onStage) => naive(bytes, { ...config.process, onStage });
  }
  const { processImage } = await import('../src/pipeline');
  const { nodeCodecs } = await import('../src/codecs/node');
  const codecs = await nodeCodecs();
  return (bytes, onStage) => processImage(bytes, { ...config.process, onStage }, codecs);
}

function errorStatus(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function child(): Promise<void> {
  // Before any codec module is imported: every instance from here on is seen.
  installWasmTracking();
  setArrayBuffersIncludeWasm(process.argv.includes('--ab-includes-wasm'));
  const mode: Mode = process.argv.includes('--naive') ? 'naive' : 'gateway';
  const outFile = argValue('--child')!;
  const ids = (argValue('--inputs') ?? '').split(',');
  const runner = await loadRunner(mode);
  await calibrate();
  fullGc();
  const inputs: InputResult[] = [];
  const start = sample();
  for (const id of ids) {
    const input = INPUTS.find((i) => i.id === id)!;
    // GC between requests; whatever survives it (a codec singleton's memory) counts against this input.
    fullGc();
    const file = await readFile(join(INPUT_DIR, input.file));
    let bytes: Uint8Array | undefined = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
    const stages: StageRecord[] = [{ stage: 'start', sample: sample() }];
    const instancesBefore = counters().instances;
    let hookMs = 0;
    const onStage = (stage: string) => {
      const t = performance.now();
      // Sample first (garbage of this stage included, conservative), then collect it.
      stages.push({ stage, sample: sample() });
      fullGc();
      hookMs += performance.now() - t;
    };
    log(`  [${mode}] ${id}…`);
    let status = 'ok';
    const started = performance.now();
    try {
      await runner(bytes, onStage);
    } catch (error) {
      status = errorStatus(error);
      stages.push({ stage: 'failed', sample: sample() });
    }
    const ms = performance.now() - started - hookMs;
    // The request is over: drop its bytes and see what stays for the next one.
    bytes = undefined;
    fullGc();
    stages.push({ stage: 'after (gc)', sample: sample() });
    inputs.push({
      id,
      fileBytes: file.byteLength,
      status,
      stages,
      ms,
      instances: counters().instances - instancesBefore,
    });
  }
  await settle();
  const end = sample();
  const result: ChildResult = {
    mode,
    start,
    inputs,
    check: {
      sampledWasm: end.wasm,
      ...counters(),
    },
  };
  await writeFile(outFile, JSON.stringify(result));
}

// ---------------------------------------------------------------- parent: orchestration and report

function run(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    // Same node and flags (--expose-gc --import tsx); the child's stdout goes to our stderr.
    // Without concurrent sweeping, a full GC frees array buffers and WebAssembly memories (and
    // updates V8's counters) before it returns, instead of on a background thread some time later.
    const flags = [...process.execArgv, '--no-concurrent-array-buffer-sweeping'];
    const proc = spawn(process.execPath, [...flags, ...args], { stdio: ['ignore', 2, 2] });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function measure(mode: Mode, inputs: readonly BenchInput[], abIncludesWasm: boolean): Promise<ChildResult> {
  const outFile = join(OUT_DIR, `child-${process.pid}-${Date.now()}.json`);
  const args = [SELF, '--child', outFile, '--inputs', inputs.map((i) => i.id).join(',')];
  if (mode === 'naive') args.push('--naive');
  if (abIncludesWasm) args.push('--ab-includes-wasm');
  const code = await run(args);
  if (code !== 0) throw new Error(`measurement process exited with code ${code}`);
  const result = JSON.parse(await readFile(outFile, 'utf8')) as ChildResult;
  await rm(outFile, { force: true });
  return result;
}

const f1 = (bytes: number) => mib(bytes).toFixed(1);

function peakOf(result: InputResult): Sample {
  return result.stages.reduce(
    (best, s) => (s.sample.accounted > best.accounted ? s.sample : best),
    result.stages[0]!.sample,
  );
}

function stageTable(result: InputResult): string {
  return textTable(
    ['stage', 'wasm MiB', 'arrayBuffers MiB', 'heap MiB', 'accounted MiB'],
    result.stages.map(({ stage, sample: s }) => [
      stage,
      f1(s.wasm),
      f1(s.arrayBuffers),
      f1(s.heapUsed),
      f1(s.accounted),
    ]),
  );
}

function checkLine(result: ChildResult): string {
  const c = result.check;
  return (
    `${c.instances} wasm instance(s), ${c.memories} memory(ies) recorded, ${c.collected} collected by the end; ` +
    `wasm after the last GC ${f1(c.sampledWasm)} MiB; ` +
    (c.worstShortfall > 1024 * 1024
      ? `WARNING: memories created in a stage exceeded the sampled wasm figure by up to ${f1(c.worstShortfall)} MiB`
      : 'memories created in each stage never exceeded the sampled wasm figure')
  );
}

function printRun(title: string, results: InputResult[]): void {
  console.log(`\n=== ${title} ===`);
  for (const result of results) {
    const input = INPUTS.find((i) => i.id === result.id)!;
    const peak = peakOf(result);
    console.log(
      `\n--- ${result.id}: ${input.description}; file ${(result.fileBytes / 1024 / 1024).toFixed(2)} MiB; ` +
        `${result.status === 'ok' ? 'ok' : `FAILED: ${result.status}`}; ${result.ms.toFixed(0)} ms; ` +
        `${result.instances} wasm instance(s); peak ${f1(peak.accounted)} MiB`,
    );
    console.log(stageTable(result));
  }
}

async function parent(): Promise<void> {
  const mode: Mode = process.argv.includes('--naive') ? 'naive' : 'gateway';
  const only = argValue('--only')?.split(',');
  const inputs = only ? INPUTS.filter((i) => only.includes(i.id)) : INPUTS;
  if (only && inputs.length !== only.length) {
    throw new Error(`unknown input id in --only; known: ${INPUTS.map((i) => i.id).join(', ')}`);
  }
  const isolated = !process.argv.includes('--no-isolated');
  await mkdir(OUT_DIR, { recursive: true });

  if (!(await inputsAreCurrent())) {
    log('generating inputs into bench/out/inputs/ (once; cached)…');
    if ((await run([GENERATE])) !== 0) throw new Error('input generation failed');
  }

  const probe = probeArrayBuffersIncludeWasm();
  fullGc();
  const abNote = probe.includes
    ? `process.memoryUsage().arrayBuffers INCLUDES WebAssembly memory on this Node ` +
      `(a 64 MiB WebAssembly.Memory moved it by ${probe.deltaMiB.toFixed(1)} MiB): WASM memory is subtracted from it, not counted twice`
    : `process.memoryUsage().arrayBuffers does NOT include WebAssembly memory on this Node ` +
      `(a 64 MiB WebAssembly.Memory moved it by ${probe.deltaMiB.toFixed(1)} MiB): the two are added`;

  const started = performance.now();
  const isolatedResults: InputResult[] = [];
  const isolatedChecks: string[] = [];
  const starts: Sample[] = [];
  if (isolated) {
    for (const input of inputs) {
      log(`isolated (fresh process): ${input.id}`);
      const result = await measure(mode, [input], probe.includes);
      starts.push(result.start);
      isolatedResults.push(...result.inputs);
      isolatedChecks.push(`${input.id}: ${checkLine(result)}`);
    }
  }
  log(`mixed sequence (one process): ${inputs.map((i) => i.id).join(', ')}`);
  const mixed = await measure(mode, inputs, probe.includes);
  starts.push(mixed.start);
  const totalS = (performance.now() - started) / 1000;

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    `Memory benchmark — ${mode === 'naive' ? 'NAIVE jSquash reference (bench/naive-pipeline.ts)' : 'gateway pipeline (processImage + nodeCodecs)'}`,
    `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length}× ${cpu}`,
    `accounted = live WebAssembly memory + arrayBuffers + heapUsed, sampled after each stage before a GC (bench/README.md)`,
    abNote,
  ];
  console.log(header.join('\n'));
  const baseline = mixed.start;
  console.log(
    `process baseline (codecs compiled, after GC, before the first input): accounted ${f1(baseline.accounted)} MiB ` +
      `= wasm ${f1(baseline.wasm)} + arrayBuffers ${f1(baseline.arrayBuffers)} + heap ${f1(baseline.heapUsed)}`,
  );

  if (isolated) {
    printRun('isolated: each input in a fresh process', isolatedResults);
    console.log(`\n${isolatedChecks.join('\n')}`);
  }
  printRun('mixed: all inputs one after another in one process', mixed.inputs);
  console.log(`\nmixed: ${checkLine(mixed)}`);

  const summaryHeaders = [
    'input',
    'file MiB',
    'status',
    ...(isolated ? ['isolated peak MiB', 'isolated ms'] : []),
    'mixed peak MiB',
    'mixed ms',
    'peak stage (mixed)',
    'wasm / ab / heap at peak (mixed)',
  ];
  const summaryRows = mixed.inputs.map((m) => {
    const iso = isolatedResults.find((r) => r.id === m.id);
    const peakSample = peakOf(m);
    const peakStage = m.stages.find((s) => s.sample === peakSample)?.stage ?? '';
    return [
      m.id,
      (m.fileBytes / 1024 / 1024).toFixed(2),
      m.status === 'ok' && (!iso || iso.status === 'ok')
        ? 'ok'
        : ((iso?.status !== 'ok' ? iso?.status : m.status) ?? m.status),
      ...(isolated && iso ? [f1(peakOf(iso).accounted), iso.ms.toFixed(0)] : isolated ? ['-', '-'] : []),
      f1(peakSample.accounted),
      m.ms.toFixed(0),
      peakStage,
      `${f1(peakSample.wasm)} / ${f1(peakSample.arrayBuffers)} / ${f1(peakSample.heapUsed)}`,
    ];
  });
  const allSamples = [...isolatedResults, ...mixed.inputs].flatMap((r) => r.stages.map((s) => s.sample));
  const runPeak = Math.max(...starts.map((s) => s.accounted), ...allSamples.map((s) => s.accounted));
  const isolatedPeak = isolatedResults.length ? Math.max(...isolatedResults.map((r) => peakOf(r).accounted)) : NaN;
  const mixedPeak = Math.max(...mixed.inputs.map((r) => peakOf(r).accounted));

  console.log('\n=== summary ===');
  console.log(textTable(summaryHeaders, summaryRows));
  if (isolated) console.log(`peak of the isolated runs: ${f1(isolatedPeak)} MiB`);
  console.log(`peak of the mixed run:     ${f1(mixedPeak)} MiB`);
  console.log(`run peak (accounted):      ${f1(runPeak)} MiB   (total ${totalS.toFixed(0)} s)`);

  const md = [
    `### Memory benchmark: ${mode === 'naive' ? 'naive jSquash reference' : 'gateway pipeline'}`,
    '',
    `\`npm run bench:memory${mode === 'naive' ? ' -- --naive' : ''}\` — Node ${process.version}, ${process.platform}/${process.arch}, ${cpu}.`,
    `Accounted = live WebAssembly memory + \`arrayBuffers\` + \`heapUsed\`, sampled after every pipeline stage (see bench/README.md).`,
    `Isolated = each input in a fresh process; mixed = all inputs in order in one process. ` +
      `Process baseline before the first input: ${f1(baseline.accounted)} MiB (heap ${f1(baseline.heapUsed)}, arrayBuffers ${f1(baseline.arrayBuffers)}, wasm ${f1(baseline.wasm)}).`,
    `${abNote}.`,
    '',
    markdownTable(summaryHeaders, summaryRows),
    '',
    `Peak of the isolated runs: **${isolated ? f1(isolatedPeak) : '-'} MiB**; peak of the mixed run: **${f1(mixedPeak)} MiB**; run peak: **${f1(runPeak)} MiB**.`,
    '',
  ].join('\n');
  const mdFile = join(OUT_DIR, mode === 'naive' ? 'memory-naive.md' : 'memory.md');
  await writeFile(mdFile, md);
  console.log(`(Markdown summary written to ${mdFile})`);
  // The last line: one figure.
  console.log(`peak_accounted_mib=${f1(runPeak)}`);
}

// `--workerd`: the same question asked of the real Worker in workerd (./memory-workerd.ts). It exits
// explicitly: the inspector proxy does not always complete a WebSocket close.
const workerd = () =>
  import('./memory-workerd').then((m) => m.runWorkerdMemory(process.argv.slice(2))).then(() => process.exit(0));

(process.argv.includes('--workerd') ? workerd() : process.argv.includes('--child') ? child() : parent()).catch(
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

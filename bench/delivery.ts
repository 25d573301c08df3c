// Delivery benchmark: `npm run bench:delivery [-- --no-http]`.
//
// 1. In this process (Node, the gateway's own codecs and pipeline): time and
//    accounted memory (live WASM + ArrayBuffers + JS heap, bench/accounting.ts)
//    of rendering a 64 px `cover` variant from a 2048×1536 main WebP, against a
//    peer in the same run: the upload pipeline (processImage) on the same file.
// 2. The cover crop on 200 generated pictures with the detailed subject at a
//    random place: how much of the subject the chosen square holds, against the
//    geometric centre.
// 3. Against `wrangler dev` it starts on 127.0.0.1:8796 (inspector 9796) with a
//    fresh state under bench/out/: requests per second and median latency of
//    /media on cache misses vs hits, and a 64 px cover avatar variant of a
//    2048×1536 avatar over HTTP (first request renders, later ones reuse), with
//    workerd's resident memory around it.
// Bounded: fixed request counts, per-request timeouts, a watchdog; loopback only.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join, relative } from 'node:path';
import { calibrate, fullGc, installWasmTracking, sample } from './accounting';
import { loadDefaultConfig } from './config';
import { encodeWebp } from '../src/pipeline/encode';
import { devSecret, ROOT, signToken, startDevServer, workerdMemory, type DevServer } from '../scripts/wrangler-dev';
import { subjectInCrop, subjectOnBackdrop } from '../test/fixtures/subject';
import { seededRandom } from '../test/helpers/seeded-random';

// Before any codec is imported: every WebAssembly memory from here on is seen.
installWasmTracking();

const PORT = 8796;
const INSPECTOR_PORT = 9796;
const REQUEST_TIMEOUT_MS = 60_000;
const WATCHDOG_MS = 8 * 60_000;
const SMALL_IMAGES = 40; // → 80 distinct /media URLs (main + thumbnail)
const HIT_PASSES = 10;
const CONCURRENCY = 4;
const MiB = 2 ** 20;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** Runs `task` with per-stage memory samples; returns wall time (sampling excluded) and the peak accounted MiB. */
async function measured(task: (onStage: (stage: string) => void) => Promise<unknown>) {
  fullGc();
  const start = sample().accounted;
  let peak = start;
  let hookMs = 0;
  const onStage = () => {
    const t = performance.now();
    peak = Math.max(peak, sample().accounted);
    fullGc();
    hookMs += performance.now() - t;
  };
  const t0 = performance.now();
  await task(onStage);
  const ms = performance.now() - t0 - hookMs;
  onStage();
  return { ms, peakMib: peak / MiB, startMib: start / MiB };
}

async function inProcess(main: Uint8Array) {
  const { nodeCodecs } = await import('../src/codecs/node');
  const { renderVariant } = await import('../src/pipeline/variant');
  const { processImage } = await import('../src/pipeline');
  const codecs = await nodeCodecs();
  const config = await loadDefaultConfig();
  const variantRuns = [];
  const uploadRuns = [];
  let variantBytes = 0;
  // Run 0 warms up (and its figures are dropped): WebAssembly memory left by
  // encoding the input is released lazily; runs 1-3 are reported.
  for (let run = 0; run < 4; run++) {
    if (run === 1) {
      variantRuns.length = 0;
      uploadRuns.length = 0;
    }
    variantRuns.push(
      await measured(async (onStage) => {
        const variant = await renderVariant(main, { size: 64, fit: 'cover', quality: 80, onStage }, codecs);
        variantBytes = variant.bytes.byteLength;
      }),
    );
    uploadRuns.push(await measured((onStage) => processImage(main, { ...config.process, onStage }, codecs)));
  }
  const variantMs = median(variantRuns.map((r) => r.ms));
  const uploadMs = median(uploadRuns.map((r) => r.ms));
  const variantPeak = median(variantRuns.map((r) => r.peakMib));
  const uploadPeak = median(uploadRuns.map((r) => r.peakMib));
  console.log(
    '\n64 px cover variant from a 2048×1536 main WebP (Node, median of 3 runs after a warm-up; peak accounted memory, JS heap included):',
  );
  console.log(`  variant  ${fmt(variantMs, 0)} ms  peak ${fmt(variantPeak)} MiB  → ${variantBytes} bytes`);
  console.log(
    `  upload   ${fmt(uploadMs, 0)} ms  peak ${fmt(uploadPeak)} MiB  (processImage on the same file: the peer)`,
  );
  console.log(
    `  variant_ms=${fmt(variantMs, 0)} variant_peak_mib=${fmt(variantPeak)} ` +
      `time_ratio=${fmt(variantMs / uploadMs, 2)} memory_ratio=${fmt(variantPeak / uploadPeak, 2)}`,
  );
}

async function cropEvaluation() {
  const { chooseCoverCrop } = await import('../src/pipeline/crop-focus');
  const next = seededRandom(42);
  const smart: number[] = [];
  const centre: number[] = [];
  for (let i = 0; i < 200; i++) {
    // The working image a 64 px cover variant is cut from: 128 px on the short side, 2:1 to 3:1.
    const wide = i % 2 === 0;
    const long = 256 + Math.floor(next() * 129);
    const [width, height] = wide ? [long, 128] : [128, long];
    const size = 32 + Math.floor(next() * 48);
    const box = { x: Math.floor(next() * (width - size)), y: Math.floor(next() * (height - size)), size };
    const crop = chooseCoverCrop(subjectOnBackdrop(width, height, box, i + 1, 4));
    const side = 128;
    const middle = wide
      ? { x: Math.floor((width - side) / 2), y: 0, side }
      : { x: 0, y: Math.floor((height - side) / 2), side };
    smart.push(subjectInCrop(box, crop));
    centre.push(subjectInCrop(box, middle));
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const whole = (v: number[]) => v.filter((x) => x === 1).length / v.length;
  console.log('\nCover crop on 200 generated pictures (detailed subject at a random place on a smooth backdrop):');
  console.log(
    `  detail-focused  subject kept ${fmt(100 * mean(smart))} % on average, whole in ${fmt(100 * whole(smart))} %`,
  );
  console.log(
    `  geometric centre subject kept ${fmt(100 * mean(centre))} % on average, whole in ${fmt(100 * whole(centre))} %`,
  );
  console.log(`  subject_kept_ratio=${fmt(mean(smart) / mean(centre), 2)}`);
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let nextIndex = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextIndex < items.length) await work(items[nextIndex++]!);
    }),
  );
}

async function overHttp(main: Uint8Array) {
  const { nodeCodecs } = await import('../src/codecs/node');
  const codecs = await nodeCodecs();
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  const persistDir = join(ROOT, 'bench', 'out', 'delivery-state', runId);
  mkdirSync(persistDir, { recursive: true });
  const logPath = join(ROOT, 'bench', 'out', `delivery-wrangler-${runId}.log`);
  const logFd = openSync(logPath, 'a');
  console.log(
    `\nwrangler dev on 127.0.0.1:${PORT}; state ${relative(ROOT, persistDir)}, log ${relative(ROOT, logPath)}`,
  );
  let server: DevServer | undefined;
  const watchdog = setTimeout(() => {
    console.error('bench:delivery: time limit exceeded; stopping wrangler');
    void server?.stop().then(() => process.exit(3));
  }, WATCHDOG_MS);
  try {
    const secret = await devSecret(); // before wrangler starts: it reads .dev.vars once
    server = await startDevServer({ persistDir, logFd, port: PORT, inspectorPort: INSPECTOR_PORT });
    const { base } = server;
    const token = signToken(secret, 'bench-delivery', 3600);
    const auth = { Authorization: `Bearer ${token}` };
    const request = (path: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

    const paths: string[] = [];
    for (let i = 0; i < SMALL_IMAGES; i++) {
      const picture = subjectOnBackdrop(320, 240, { x: 10 + i, y: 20, size: 120 }, i + 1, 4);
      const { bytes: body } = await encodeWebp(picture, 85, codecs);
      const res = await request('/images', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'image/webp' },
        body: Buffer.from(body),
      });
      if (res.status !== 201) throw new Error(`upload → ${res.status} ${await res.text()}`);
      const image = (await res.json()) as { url: string; thumb_url: string };
      paths.push(new URL(image.url).pathname, new URL(image.thumb_url).pathname);
    }

    const phase = async (label: string, list: string[]) => {
      const ms: number[] = [];
      const states = new Map<string, number>();
      const t0 = performance.now();
      await pool(list, CONCURRENCY, async (path) => {
        const t = performance.now();
        const res = await request(path);
        await res.arrayBuffer();
        ms.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${path} → ${res.status}`);
        const state = res.headers.get('CF-Cache-Status') ?? 'none';
        states.set(state, (states.get(state) ?? 0) + 1);
      });
      const seconds = (performance.now() - t0) / 1000;
      const rps = list.length / seconds;
      const p50 = median(ms);
      const cache = [...states].map(([k, v]) => `${k}:${v}`).join(' ');
      console.log(
        `  ${label.padEnd(5)} ${String(list.length).padStart(5)} requests  ${fmt(rps, 0).padStart(5)} req/s  p50 ${fmt(p50)} ms  CF-Cache-Status ${cache}`,
      );
      return { rps, p50 };
    };
    console.log(`/media, ${CONCURRENCY} concurrent clients, ${paths.length} distinct objects:`);
    const miss = await phase('miss', paths);
    // Misses fill the cache in waitUntil, after their responses: let those land.
    await new Promise((r) => setTimeout(r, 1000));
    const hit = await phase('hit', Array.from({ length: HIT_PASSES }, () => paths).flat());
    console.log(
      `  hit_rps=${fmt(hit.rps, 0)} miss_rps=${fmt(miss.rps, 0)} rps_ratio=${fmt(hit.rps / miss.rps, 2)} hit_p50_ms=${fmt(hit.p50)} miss_p50_ms=${fmt(miss.p50)}`,
    );

    const upload = await request('/users/me/avatar', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'image/webp' },
      body: Buffer.from(main),
    });
    if (upload.status !== 201) throw new Error(`avatar upload → ${upload.status} ${await upload.text()}`);
    const before = workerdMemory(server.child.pid!);
    const timed = async () => {
      const t = performance.now();
      const res = await request('/users/bench-delivery/avatar?size=64&fit=cover', { redirect: 'manual' });
      const ms = performance.now() - t;
      if (res.status !== 302) throw new Error(`variant → ${res.status} ${await res.text()}`);
      return { ms, location: res.headers.get('Location')! };
    };
    const first = await timed();
    const after = workerdMemory(server.child.pid!);
    const later = [];
    for (let i = 0; i < 20; i++) later.push((await timed()).ms);
    const object = await request(new URL(first.location).pathname);
    const bytes = new Uint8Array(await object.arrayBuffer());
    console.log('\n64 px cover avatar variant of a 2048×1536 avatar over HTTP (wrangler dev):');
    console.log(`  first request (renders + stores)  ${fmt(first.ms, 0)} ms → ${bytes.byteLength} bytes WebP`);
    console.log(`  later requests (stored, redirect) p50 ${fmt(median(later))} ms`);
    console.log(
      `  workerd RSS ${fmt(before.rssMib, 0)} → ${fmt(after.rssMib, 0)} MiB; peak RSS ${fmt(before.peakMib, 0)} → ${fmt(after.peakMib, 0)} MiB (peak before = after the 2048 px upload)`,
    );
  } finally {
    clearTimeout(watchdog);
    await server?.stop();
    closeSync(logFd);
  }
}

async function main() {
  const noHttp = process.argv.includes('--no-http');
  await calibrate(); // with no WebAssembly memory alive yet
  const { nodeCodecs } = await import('../src/codecs/node');
  const codecs = await nodeCodecs();
  // The stored main image of a 2048 px photo: a smooth scene with a detailed subject off centre.
  const picture = subjectOnBackdrop(2048, 1536, { x: 160, y: 480, size: 640 }, 7, 12);
  const { bytes: main } = await encodeWebp(picture, 85, codecs);
  console.log(`bench:delivery — main image 2048×1536 WebP, ${main.byteLength} bytes`);
  await inProcess(main);
  await cropEvaluation();
  if (!noHttp) await overHttp(main);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// Load benchmark: `npm run bench:load [-- --clients N --seconds S --seed N --keep-state]`.
//
// Starts `wrangler dev` on a free 127.0.0.1 port with a fresh persistence dir
// under bench/out/, sends a bounded, seeded mix of uploads (valid and invalid),
// lists, deletes and media reads from N clients (one user each), then audits
// consistency through the API and, after stopping wrangler, by reading the
// persisted R2 bucket and D1 database with Miniflare. See bench/LOAD.md.
// The last line is always `lost=<n> orphans=<n> errors_5xx=<n>`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindingsFromWranglerToml, readPersistedState, type PersistedState } from './load-audit';
import { loadInputs, type InputFile, type LoadInputs } from './load-inputs';
import { mulberry32, pickOne, pickWeighted } from './load-rng';
import { countOutcomes, formatCounts, latencyTable, type Outcome, type Sample } from './load-stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

const REQUEST_TIMEOUT_MS = 60_000;
const HARD_STOP_GRACE_MS = 60_000;
const STARTUP_TIMEOUT_MS = 180_000;
const AUDIT_TIMEOUT_MS = 300_000;

/** Relative frequency of each operation a client picks. */
const WEIGHTS = {
  upload_image: 30,
  upload_avatar: 8,
  upload_invalid: 10,
  upload_oversize: 2,
  list: 15,
  delete: 10,
  media: 25,
} as const;
type OpKind = keyof typeof WEIGHTS;
const KINDS = Object.keys(WEIGHTS) as OpKind[];

// ---------------------------------------------------------------- arguments

interface Options {
  clients: number;
  seconds: number;
  seed: number;
  keepState: boolean;
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error('Usage: npm run bench:load -- [--clients N (1-256, default 16)] [--seconds S (1-3600, default 60)]');
  console.error('                              [--seed N (default 1)] [--keep-state]');
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const options: Options = { clients: 16, seconds: 60, seed: 1, keepState: false };
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
    else if (flag === '--help' || flag === '-h') usage();
    else usage(`Unknown argument ${argv[i]}`);
  }
  return options;
}

// ---------------------------------------------------------------- wrangler

let wrangler: ChildProcess | undefined;

function freePort(): Promise<number> {
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

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** SIGTERM to wrangler's process group (wrangler + workerd), SIGKILL after 10 s. */
async function stopWrangler(): Promise<void> {
  const child = wrangler;
  if (!child) return;
  wrangler = undefined;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    killGroup(child, 'SIGTERM');
    const timer = new Promise<void>((done) => setTimeout(done, 10_000).unref());
    await Promise.race([exited, timer]);
  }
  // Whatever is left in the group (a workerd that outlived wrangler) goes too.
  killGroup(child, 'SIGKILL');
}

function wranglerCommand(args: string[], logFd: number, timeoutMs: number): void {
  // stdin is /dev/null so nothing can prompt.
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

async function startWrangler(persistDir: string, logFd: number, port: number, inspectorPort: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persistDir,
      '--show-interactive-dev-session=false',
      '--live-reload=false',
    ],
    {
      cwd: ROOT,
      detached: true, // own process group, so the whole tree can be stopped
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  );
  wrangler = child;
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

// ---------------------------------------------------------------- tokens

async function devSecret(): Promise<string> {
  // scripts/dev-secret.mjs is plain JS without types; import it by URL.
  const specifier: string = new URL('../scripts/dev-secret.mjs', import.meta.url).href;
  const mod = (await import(specifier)) as { ensureDevSecret(): string };
  return mod.ensureDevSecret();
}

function signToken(secret: string, userId: string, ttlSeconds: number): string {
  const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: userId, iat: now, exp: now + ttlSeconds })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

// ---------------------------------------------------------------- requests

interface Ctx {
  base: string;
  samples: Sample[];
  /** Aborts everything in flight at the hard stop. */
  hardStop: AbortSignal;
  errors: string[];
}

interface Reply {
  outcome: Outcome;
  body: string;
}

/** One request with a timeout; the body is read fully, and the time includes it. */
async function send(ctx: Ctx, kind: string, path: string, init: RequestInit = {}): Promise<Reply> {
  const started = performance.now();
  const signal = AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), ctx.hardStop]);
  let outcome: Outcome;
  let body = '';
  try {
    const res = await fetch(`${ctx.base}${path}`, { ...init, signal });
    body = await res.text();
    outcome = res.status;
  } catch (error) {
    const name = (error as Error).name;
    if (ctx.hardStop.aborted) outcome = 'aborted';
    else if (name === 'TimeoutError') outcome = 'timeout';
    else {
      outcome = 'network_error';
      const cause = (error as Error & { cause?: Error }).cause;
      if (ctx.errors.length < 20)
        ctx.errors.push(`${kind} ${path}: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`);
    }
  }
  ctx.samples.push({ kind, outcome, ms: performance.now() - started });
  return { outcome, body };
}

interface TrackedImage {
  id: string;
  owner: string;
  kind: 'image' | 'avatar';
  mainPath: string;
  thumbPath: string;
}

/** What one client knows: its user and its images, for the audit afterwards. */
interface ClientState {
  userId: string;
  token: string;
  rand: () => number;
  /** Images this client believes exist now (201, not deleted, not a replaced avatar). */
  live: Map<string, TrackedImage>;
  /** Every image a 201 returned. */
  created: TrackedImage[];
  /** Ids the client deleted (or tried to, without a clear answer) or that a newer avatar replaced. */
  gone: Set<string>;
  unexpected: Map<string, number>;
}

const mediaPath = (url: string) => new URL(url).pathname;

function uploadInit(client: ClientState, file: InputFile): RequestInit {
  const auth = { Authorization: `Bearer ${client.token}` };
  if (client.rand() < 0.5) {
    return { method: 'POST', headers: { ...auth, 'Content-Type': file.contentType }, body: file.bytes };
  }
  const form = new FormData();
  form.append('file', new Blob([file.bytes], { type: file.contentType }), file.name);
  return { method: 'POST', headers: auth, body: form };
}

function noteUnexpected(client: ClientState, kind: string, outcome: Outcome | string): void {
  const key = `${kind} → ${outcome}`;
  client.unexpected.set(key, (client.unexpected.get(key) ?? 0) + 1);
}

function parseImage(client: ClientState, kind: 'image' | 'avatar', body: string): TrackedImage | undefined {
  try {
    const json = JSON.parse(body) as {
      image?: { id: string; url: string; thumb_url: string };
      id?: string;
      url?: string;
      thumb_url?: string;
    };
    const img = kind === 'avatar' ? json.image : (json as { id: string; url: string; thumb_url: string });
    if (!img?.id || !img.url || !img.thumb_url) return undefined;
    return {
      id: img.id,
      owner: client.userId,
      kind,
      mainPath: mediaPath(img.url),
      thumbPath: mediaPath(img.thumb_url),
    };
  } catch {
    return undefined;
  }
}

async function runOp(ctx: Ctx, client: ClientState, inputs: LoadInputs, op: OpKind): Promise<void> {
  const auth = { Authorization: `Bearer ${client.token}` };
  switch (op) {
    case 'upload_image':
    case 'upload_avatar': {
      const kind = op === 'upload_avatar' ? 'avatar' : 'image';
      const path = kind === 'avatar' ? '/users/me/avatar' : '/images';
      const file = pickOne(client.rand, inputs.valid);
      const { outcome, body } = await send(ctx, op, path, uploadInit(client, file));
      const previousAvatars = [...client.live.values()].filter((i) => i.kind === 'avatar');
      if (outcome === 201) {
        const image = parseImage(client, kind, body);
        if (!image) {
          noteUnexpected(client, op, 'unparseable 201');
          return;
        }
        client.created.push(image);
        client.live.set(image.id, image);
        // A new avatar replaces (and the server removes) every earlier one.
        if (kind === 'avatar') for (const old of previousAvatars) retire(client, old.id);
      } else {
        noteUnexpected(client, op, outcome);
        // Unknown whether a new avatar landed and replaced the current one.
        if (kind === 'avatar' && typeof outcome !== 'number') for (const old of previousAvatars) retire(client, old.id);
      }
      return;
    }
    case 'upload_invalid': {
      const file = pickOne(client.rand, inputs.invalid);
      const path = client.rand() < 0.25 ? '/users/me/avatar' : '/images';
      const { outcome } = await send(ctx, op, path, uploadInit(client, file));
      const expected = file.name.includes('truncated') ? 422 : 415;
      if (outcome !== expected) noteUnexpected(client, `${op}(${file.name})`, outcome);
      return;
    }
    case 'upload_oversize': {
      const file = inputs.oversize;
      const { outcome } = await send(ctx, op, '/images', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': file.contentType },
        body: file.bytes,
      });
      if (outcome !== 413) noteUnexpected(client, op, outcome);
      return;
    }
    case 'list': {
      const limit = pickOne(client.rand, [5, 20, 100]);
      const { outcome } = await send(ctx, op, `/images?limit=${limit}`, { headers: auth });
      if (outcome !== 200) noteUnexpected(client, op, outcome);
      return;
    }
    case 'delete': {
      const candidates = [...client.live.values()];
      if (candidates.length === 0) return runOp(ctx, client, inputs, 'upload_image');
      const image = pickOne(client.rand, candidates);
      const { outcome } = await send(ctx, op, `/images/${image.id}`, { method: 'DELETE', headers: auth });
      // Anything but a clear "not deleted" answer counts as gone: a timed-out
      // or failed delete may have removed the row.
      if (outcome !== 204) noteUnexpected(client, op, outcome);
      retire(client, image.id);
      return;
    }
    case 'media': {
      const candidates = [...client.live.values()];
      if (candidates.length === 0) return runOp(ctx, client, inputs, 'upload_image');
      const image = pickOne(client.rand, candidates);
      const path = client.rand() < 0.5 ? image.mainPath : image.thumbPath;
      const { outcome } = await send(ctx, op, path);
      if (outcome !== 200) noteUnexpected(client, op, outcome);
      return;
    }
  }
}

function retire(client: ClientState, id: string): void {
  client.live.delete(id);
  client.gone.add(id);
}

async function runClient(ctx: Ctx, client: ClientState, inputs: LoadInputs, endAt: number): Promise<void> {
  while (Date.now() < endAt && !ctx.hardStop.aborted) {
    await runOp(ctx, client, inputs, pickWeighted(client.rand, WEIGHTS));
  }
}

// ---------------------------------------------------------------- audit

interface ApiAudit {
  listed: Map<string, { owner: string; mainPath: string; thumbPath: string }>;
  mediaChecked: number;
  mediaBad: string[];
  listFailures: number;
}

/** Lists every client's images through `GET /images` and HEADs both objects of each. */
async function auditViaApi(ctx: Ctx, clients: ClientState[]): Promise<ApiAudit> {
  const listed: ApiAudit['listed'] = new Map();
  let listFailures = 0;
  await Promise.all(
    clients.map(async (client) => {
      let cursor: string | null = null;
      for (let page = 0; page < 10_000; page++) {
        const q: string = `/images?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const { outcome, body } = await send(ctx, 'audit_list', q, {
          headers: { Authorization: `Bearer ${client.token}` },
        });
        if (outcome !== 200) {
          listFailures++;
          return;
        }
        const json = JSON.parse(body) as {
          images: { id: string; url: string; thumb_url: string }[];
          next_cursor: string | null;
        };
        for (const img of json.images) {
          listed.set(img.id, {
            owner: client.userId,
            mainPath: mediaPath(img.url),
            thumbPath: mediaPath(img.thumb_url),
          });
        }
        cursor = json.next_cursor;
        if (!cursor) return;
      }
    }),
  );
  const paths = [...listed.values()].flatMap((i) => [i.mainPath, i.thumbPath]);
  const mediaBad: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < paths.length) {
        const path = paths[next++]!;
        const { outcome } = await send(ctx, 'audit_media', path, { method: 'HEAD' });
        if (outcome !== 200) mediaBad.push(`${path} → ${outcome}`);
      }
    }),
  );
  return { listed, mediaChecked: paths.length, mediaBad, listFailures };
}

interface StateAudit {
  objects: number;
  rows: number;
  lost: string[];
  orphans: string[];
  rowsMissingObjects: string[];
  untrackedRows: number;
  danglingAvatarPointers: number;
}

function auditState(state: PersistedState, clients: ClientState[]): StateAudit {
  const expected = clients.flatMap((c) => c.created.filter((i) => !c.gone.has(i.id)));
  const lost: string[] = [];
  for (const image of expected) {
    const row = state.rows.get(image.id);
    const mainKey = image.mainPath.replace(/^\/media\//, '');
    const thumbKey = image.thumbPath.replace(/^\/media\//, '');
    const missing = [
      !row && 'row',
      !state.objects.has(mainKey) && 'main object',
      !state.objects.has(thumbKey) && 'thumb object',
    ].filter(Boolean);
    if (missing.length > 0) lost.push(`${image.kind} ${image.id} (${image.owner}): missing ${missing.join(', ')}`);
  }
  const referenced = new Set([...state.rows.values()].flatMap((r) => [r.main_key, r.thumb_key]));
  const orphans = [...state.objects].filter((key) => !referenced.has(key)).sort();
  const rowsMissingObjects = [...state.rows.values()]
    .filter((r) => !state.objects.has(r.main_key) || !state.objects.has(r.thumb_key))
    .map((r) => r.id);
  const createdIds = new Set(clients.flatMap((c) => c.created.map((i) => i.id)));
  const untrackedRows = [...state.rows.keys()].filter((id) => !createdIds.has(id)).length;
  const danglingAvatarPointers = [...state.avatarPointers.values()].filter(
    (id) => id !== null && !state.rows.has(id),
  ).length;
  return {
    objects: state.objects.size,
    rows: state.rows.size,
    lost,
    orphans,
    rowsMissingObjects,
    untrackedRows,
    danglingAvatarPointers,
  };
}

// ---------------------------------------------------------------- main

function maxUploadBytes(toml: string): number {
  const match = /^\s*MAX_UPLOAD_BYTES\s*=\s*"?(\d+)"?/m.exec(toml);
  return match ? Number(match[1]) : 10 * 1024 * 1024;
}

function list(title: string, items: readonly string[], max = 10): string[] {
  if (items.length === 0) return [];
  return [
    `  ${title}:`,
    ...items.slice(0, max).map((i) => `    ${i}`),
    ...(items.length > max ? [`    … ${items.length - max} more`] : []),
  ];
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
    STARTUP_TIMEOUT_MS * 2 + options.seconds * 1000 + HARD_STOP_GRACE_MS + AUDIT_TIMEOUT_MS,
  );

  try {
    const secret = await devSecret();
    console.log(`bench:load: ${options.clients} clients × ${options.seconds} s, seed ${options.seed}`);
    const inputs = await loadInputs(join(OUT, 'load-inputs'), maxUploadBytes(toml));
    console.log(
      `inputs: ${[...inputs.valid, ...inputs.invalid].map((f) => `${f.name} ${(f.bytes.length / 1024).toFixed(0)} KiB`).join(', ')}, oversize ${inputs.oversize.bytes.length} B`,
    );

    console.log(`state: ${rel(persistDir)}  wrangler log: ${rel(logPath)}`);
    wranglerCommand(
      ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir],
      logFd,
      STARTUP_TIMEOUT_MS,
    );
    const [port, inspectorPort] = [await freePort(), await freePort()];
    const t0 = Date.now();
    const base = await startWrangler(persistDir, logFd, port, inspectorPort);
    console.log(`wrangler dev ready at ${base} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const hardStop = new AbortController();
    const ctx: Ctx = { base, samples: [], hardStop: hardStop.signal, errors: [] };
    const clients: ClientState[] = Array.from({ length: options.clients }, (_, i) => {
      const userId = `load-c${String(i).padStart(3, '0')}`;
      return {
        userId,
        token: signToken(secret, userId, options.seconds + 3600),
        rand: mulberry32(options.seed * 7919 + i),
        live: new Map(),
        created: [],
        gone: new Set(),
        unexpected: new Map(),
      };
    });

    const loadStart = performance.now();
    const endAt = Date.now() + options.seconds * 1000;
    const hardTimer = setTimeout(() => hardStop.abort(), options.seconds * 1000 + HARD_STOP_GRACE_MS);
    await Promise.all(clients.map((c) => runClient(ctx, c, inputs, endAt)));
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

// The load benchmark's clients: one user each, picking operations at random
// by weight, remembering what they were acknowledged, and the audits that
// compare what they remember with the API and with the persisted state.
// Shared by bench:load (./load.ts) and its chaos mode (./load-chaos.ts).
import type { PersistedState } from './load-audit';
import type { InputFile, LoadInputs } from './load-inputs';
import { mulberry32, pickOne, pickWeighted } from './load-rng';
import type { Outcome, Sample } from './load-stats';
import { signToken } from '../scripts/wrangler-dev';

const REQUEST_TIMEOUT_MS = 60_000;

/** Relative frequency of each operation a client picks. */
export const WEIGHTS = {
  upload_image: 30,
  upload_avatar: 8,
  upload_invalid: 10,
  upload_oversize: 2,
  list: 15,
  delete: 10,
  media: 25,
} as const;
export type OpKind = keyof typeof WEIGHTS;
export const KINDS = Object.keys(WEIGHTS) as OpKind[];

// ---------------------------------------------------------------- requests

export interface Ctx {
  base: string;
  samples: Sample[];
  /** Aborts everything in flight at the hard stop. */
  hardStop: AbortSignal;
  errors: string[];
}

export interface Reply {
  outcome: Outcome;
  body: string;
}

/** One request with a timeout; the body is read fully, and the time includes it. */
export async function send(ctx: Ctx, kind: string, path: string, init: RequestInit = {}): Promise<Reply> {
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

export interface TrackedImage {
  id: string;
  owner: string;
  kind: 'image' | 'avatar';
  mainPath: string;
  thumbPath: string;
}

/** What one client knows: its user and its images, for the audit afterwards. */
export interface ClientState {
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

/** `count` clients, users `load-c000`, `load-c001`, …, client i's PRNG seeded with `seed·7919 + i`. */
export function newClients(count: number, seed: number, secret: string, ttlSeconds: number): ClientState[] {
  return Array.from({ length: count }, (_, i) => {
    const userId = `load-c${String(i).padStart(3, '0')}`;
    return {
      userId,
      token: signToken(secret, userId, ttlSeconds),
      rand: mulberry32(seed * 7919 + i),
      live: new Map(),
      created: [],
      gone: new Set(),
      unexpected: new Map(),
    };
  });
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

export async function runOp(ctx: Ctx, client: ClientState, inputs: LoadInputs, op: OpKind): Promise<void> {
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

export function retire(client: ClientState, id: string): void {
  client.live.delete(id);
  client.gone.add(id);
}

/** Runs one client's random operations, one at a time, until `stop()` says so or the hard stop aborts. */
export async function runClient(ctx: Ctx, client: ClientState, inputs: LoadInputs, stop: () => boolean): Promise<void> {
  while (!stop() && !ctx.hardStop.aborted) {
    await runOp(ctx, client, inputs, pickWeighted(client.rand, WEIGHTS));
  }
}

// ---------------------------------------------------------------- audit

export interface ApiAudit {
  listed: Map<string, { owner: string; mainPath: string; thumbPath: string }>;
  mediaChecked: number;
  mediaBad: string[];
  listFailures: number;
}

/** Lists every client's images through `GET /images` and HEADs both objects of each. */
export async function auditViaApi(ctx: Ctx, clients: ClientState[]): Promise<ApiAudit> {
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

export interface StateAudit {
  objects: number;
  rows: number;
  lost: string[];
  orphans: string[];
  rowsMissingObjects: string[];
  untrackedRows: number;
  danglingAvatarPointers: number;
}

export function auditState(state: PersistedState, clients: ClientState[]): StateAudit {
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

export function maxUploadBytes(toml: string): number {
  const match = /^\s*MAX_UPLOAD_BYTES\s*=\s*"?(\d+)"?/m.exec(toml);
  return match ? Number(match[1]) : 10 * 1024 * 1024;
}

export function list(title: string, items: readonly string[], max = 10): string[] {
  if (items.length === 0) return [];
  return [
    `  ${title}:`,
    ...items.slice(0, max).map((i) => `    ${i}`),
    ...(items.length > max ? [`    … ${items.length - max} more`] : []),
  ];
}

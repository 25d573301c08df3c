import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

/*
 * The floors (README, Layout): routes/ → ingest.ts, cleanup.ts, variants.ts →
 * pipeline/ · storage/ · db/ · cache/ → domain/ · lib/. The import graph of
 * src/ is read in vitest.config.ts (workerd cannot read the repository).
 */

type Graph = Record<string, string[]>;

/** The src/ file a relative specifier names, or the specifier itself (a package). */
function resolve(graph: Graph, from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  const path = parts.join('/');
  const candidates = [path, `${path}.ts`, `${path}/index.ts`];
  return candidates.find((candidate) => candidate in graph) ?? `${path} (missing)`;
}

/** The top folder of a src/ file (`pipeline`, `lib`, …), or `top` for src/*.ts, or `package`. */
function floorOf(target: string): string {
  const match = /^src\/([^/]+)\//.exec(target);
  if (match) return match[1]!;
  return target.startsWith('src/') ? 'top' : 'package';
}

/** What each floor may import (floors, or `package` for npm / runtime modules). */
const ALLOWED: Record<string, readonly string[]> = {
  pipeline: ['pipeline', 'package'],
  domain: ['domain'],
  lib: ['lib', 'domain', 'package'],
  storage: ['storage', 'db', 'domain', 'lib', 'package'],
  db: ['db', 'storage', 'domain', 'lib', 'package'],
};

/** What the pure pipeline must not import: the web framework, the runtime's modules, Node's. */
const IMPURE = /^(?:hono(?:\/|$)|cloudflare:|node:)/;

/** Every import that breaks a floor, as `file -> target`. */
function violations(graph: Graph): string[] {
  const found: string[] = [];
  for (const [file, specifiers] of Object.entries(graph)) {
    const allowed = ALLOWED[floorOf(file)];
    if (!allowed) continue;
    for (const specifier of specifiers) {
      const target = resolve(graph, file, specifier);
      const impure = floorOf(file) === 'pipeline' && IMPURE.test(target);
      if (!allowed.includes(floorOf(target)) || impure) found.push(`${file} -> ${target}`);
    }
  }
  return found;
}

describe('floors', () => {
  const graph = env.TEST_SOURCE_IMPORTS;

  it('reads the real import graph of src/', () => {
    expect(Object.keys(graph)).toContain('src/pipeline/index.ts');
    expect(graph['src/ingest.ts']).toContain('./storage/objects');
    expect(resolve(graph, 'src/ingest.ts', './pipeline')).toBe('src/pipeline/index.ts');
    // Multi-line imports are read too.
    expect(Object.values(graph).flat().length).toBeGreaterThan(300);
  });

  it('pipeline/ imports nothing outside itself (but pure packages); domain/ and lib/ nothing above them; storage/ and db/ neither routes/, cache/ nor pipeline/', () => {
    expect(violations(graph)).toEqual([]);
  });

  it('reports an import that breaks a floor', () => {
    const broken: Graph = {
      'src/storage/objects.ts': ['../cache/edge-cache', '../lib/guard-storage'],
      'src/storage/keys.ts': ['../pipeline/variant'],
      'src/pipeline/variant.ts': ['./encode', 'hono', '../domain/variants', 'thumbhash', 'node:fs'],
      'src/pipeline/encode.ts': [],
      'src/lib/errors.ts': ['../routes/context'],
      'src/domain/variants.ts': [],
      'src/cache/edge-cache.ts': [],
      'src/routes/context.ts': [],
      'src/lib/guard-storage.ts': [],
    };
    expect(violations(broken)).toEqual([
      'src/storage/objects.ts -> src/cache/edge-cache.ts',
      'src/storage/keys.ts -> src/pipeline/variant.ts',
      'src/pipeline/variant.ts -> hono',
      'src/pipeline/variant.ts -> src/domain/variants.ts',
      'src/pipeline/variant.ts -> node:fs',
      'src/lib/errors.ts -> src/routes/context.ts',
    ]);
  });
});

import { readFile } from 'node:fs/promises';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { globSync, readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * What each src/ file imports (its `import … from` / `export … from` / bare
 * `import '…'` specifiers), read here because tests in workerd cannot read
 * the repository; test/architecture.test.ts checks the layering on it.
 */
function sourceImports(): Record<string, string[]> {
  const specifier = /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  const graph: Record<string, string[]> = {};
  for (const file of globSync('src/**/*.ts').sort()) {
    const text = readFileSync(file, 'utf8');
    graph[file.replaceAll('\\', '/')] = [...text.matchAll(specifier)].map((m) => m[1] ?? m[2]!);
  }
  return graph;
}

/**
 * In Node, a `.wasm` import becomes a compiled `WebAssembly.Module`, as
 * workerd makes it, so the fixture generator's encoders (test/helpers/encoders.ts)
 * run unchanged in the e2e project.
 */
function wasmModules(): Plugin {
  return {
    name: 'wasm-modules-in-node',
    enforce: 'pre',
    async load(id) {
      const file = id.split('?')[0]!;
      if (!file.endsWith('.wasm')) return null;
      const base64 = JSON.stringify((await readFile(file)).toString('base64'));
      return `export default new WebAssembly.Module(Uint8Array.from(atob(${base64}), (c) => c.charCodeAt(0)));`;
    },
  };
}

// Two projects: `workers` runs inside workerd (Miniflare) against real local
// R2 and D1; `node` runs in Node: the browser test (test/e2e/: the demo page in
// headless Chromium against `wrangler dev`), checks of the docs (test/docs/)
// and of the demo page's modules (test/public/).
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  // Test-only secret; production reads JWT_SECRET from `wrangler secret put`.
                  JWT_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
                  // Test-only; production reads UPLOAD_URL_SECRET from `wrangler secret put`.
                  UPLOAD_URL_SECRET: 'test-upload-url-secret-0123456789abcdef0123',
                  TEST_MIGRATIONS: migrations,
                  TEST_SOURCE_IMPORTS: sourceImports(),
                  // Slow-client limits small enough for test/routes/slow-clients.test.ts to stay quick; every
                  // other test's body is in memory and arrives at once.
                  UPLOAD_READ_TIMEOUT_SECONDS: '3',
                  UPLOAD_RATE_GRACE_SECONDS: '1',
                  UPLOAD_MIN_BYTES_PER_SECOND: '1024',
                },
                ratelimits: {
                  // Generous for the suite (one user makes dozens of uploads); the
                  // rate-limit test swaps in the tight one.
                  UPLOAD_RATE_LIMITER: { namespace_id: '1001', simple: { limit: 10000, period: 60 } },
                  TEST_TIGHT_RATE_LIMITER: { namespace_id: '1002', simple: { limit: 3, period: 60 } },
                },
              },
            }),
          ],
          test: {
            name: 'workers',
            setupFiles: ['./test/setup.ts'],
            include: ['test/**/*.test.ts'],
            exclude: ['test/e2e/**', 'test/docs/**', 'test/public/**'],
            testTimeout: 30_000,
          },
        },
        {
          plugins: [wasmModules()],
          test: {
            name: 'node',
            environment: 'node',
            // node_modules' .wasm files go through wasmModules() rather than Node's own loader.
            server: { deps: { inline: [/\.wasm$/] } },
            include: ['test/e2e/**/*.test.ts', 'test/docs/**/*.test.ts', 'test/public/**/*.test.ts'],
            // One file at a time: each e2e file starts its own `wrangler dev` on the same port (8792).
            fileParallelism: false,
            // Generous for a loaded CI machine; on an idle 2-core machine the browser test takes about 20 s.
            testTimeout: 90_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});

import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Every test runs inside workerd (Miniflare) against real local R2 and D1.
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            // Test-only secret; production reads JWT_SECRET from `wrangler secret put`.
            JWT_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
            TEST_MIGRATIONS: migrations,
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
      setupFiles: ['./test/setup.ts'],
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
    },
  };
});

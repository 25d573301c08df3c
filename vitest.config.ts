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
            // Test-only; production reads UPLOAD_URL_SECRET from `wrangler secret put`.
            UPLOAD_URL_SECRET: 'test-upload-url-secret-0123456789abcdef0123',
            TEST_MIGRATIONS: migrations,
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

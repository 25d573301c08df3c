import type { D1Migration } from 'cloudflare:test';
import type { Env as GatewayEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends GatewayEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** src/ file path → the specifiers it imports (built in vitest.config.ts). */
      TEST_SOURCE_IMPORTS: Record<string, string[]>;
      TEST_TIGHT_RATE_LIMITER: RateLimit;
    }
  }
}

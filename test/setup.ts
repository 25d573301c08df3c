import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// Apply the real migrations to the local D1 before each test file.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

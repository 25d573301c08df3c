import { env as startupEnv } from 'cloudflare:workers';
import { createApp } from './app';
import { runCleanup } from './cleanup';
import { workerdCodecs } from './codecs/workerd';
import { getConfig, type Env } from './env';

// The configuration is checked when the Worker starts, so a bad var (or
// JWKS_URL without JWT_ISSUER and JWT_AUDIENCE) stops `wrangler dev` and
// `wrangler deploy` with the ConfigError's message instead of serving.
getConfig(startupEnv as Env);

const app = createApp({ codecs: workerdCodecs });

export default {
  fetch: app.fetch,
  /** The cron in wrangler.toml: expired idempotency keys, stale avatars, orphaned objects, rows without objects. */
  async scheduled(controller, env) {
    const graceMs = getConfig(env).cleanupGraceSeconds * 1000;
    const report = await runCleanup(env.IMAGES, env.DB, { now: controller.scheduledTime, graceMs });
    const level = report.rowsMissingObjects === null || report.rowsMissingObjects.length > 0 ? 'warn' : 'log';
    console[level](JSON.stringify({ message: 'cleanup', cron: controller.cron, ...report }));
  },
} satisfies ExportedHandler<Env>;

// Kept so that bench files written before the starter moved still import it;
// new code imports scripts/wrangler-dev.ts.
export * from '../scripts/wrangler-dev';

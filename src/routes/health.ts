import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';
import type { HealthJson } from './api-schemas';

/** `GET /health`: liveness, and the codec versions the modules themselves report. */
export const healthRoutes = (deps: AppDeps) =>
  new Hono<AppEnv>().get('/', (c) => c.json({ status: 'ok', codecs: deps.codecs().versions() } satisfies HealthJson));

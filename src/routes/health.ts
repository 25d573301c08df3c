import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';

/** `GET /health`: liveness, and the codec versions the modules themselves report. */
export const healthRoutes = (deps: AppDeps) =>
  new Hono<AppEnv>().get('/', (c) => c.json({ status: 'ok', codecs: deps.codecs().versions() }));

import { Hono, type Context } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppDeps, AppEnv } from './app-types';
import { configOf } from './routes/context';
import { ApiError, ERROR_STATUS, type ErrorCode } from './lib/errors';
import { gatewayCors } from './middleware/cors';
import { PipelineError } from './pipeline/errors';
import { safePath } from './middleware/safe-path';
import { directUploadRoutes } from './routes/direct-uploads';
import { healthRoutes } from './routes/health';
import { imagesRoutes } from './routes/images';
import { mediaRoutes } from './routes/media';
import { openApiRoutes } from './routes/openapi';
import { usersRoutes } from './routes/users';

function errorResponse(
  c: Context<AppEnv>,
  code: ErrorCode,
  message: string,
  extra?: { details?: object; headers?: Record<string, string> },
) {
  for (const [name, value] of Object.entries(extra?.headers ?? {})) c.header(name, value);
  const error = { code, message, requestId: c.get('requestId'), ...(extra?.details ? { details: extra.details } : {}) };
  return c.json({ error }, ERROR_STATUS[code]);
}

/**
 * The gateway's HTTP app. Middleware order: request id (for error bodies and
 * logs), CORS (browsers upload directly), path safety; then the routes.
 */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(gatewayCors<AppEnv>((c) => ({ origins: configOf(c).corsOrigins })));
  app.use(safePath());

  app.route('/health', healthRoutes(deps));
  app.route('/users', usersRoutes(deps));
  app.route('/images', imagesRoutes(deps));
  app.route('/media', mediaRoutes);
  app.route('/uploads', directUploadRoutes(deps));
  app.route('/openapi.json', openApiRoutes);

  app.notFound((c) => errorResponse(c, 'not_found', 'No such route'));
  app.onError((error, c) => {
    if (error instanceof ApiError || error instanceof PipelineError) {
      if (error instanceof ApiError && ERROR_STATUS[error.code] >= 500) logError(c, error);
      return errorResponse(c, error.code, error.message, {
        details: error.details,
        headers: error instanceof ApiError ? error.headers : undefined,
      });
    }
    logError(c, error);
    return errorResponse(c, 'internal_error', 'Internal error');
  });
  return app;
}

/**
 * Internal detail goes to the log, with the request id; never to the client.
 * An expected failure (a storage outage) logs its chain of causes on one
 * line; anything else is a bug and logs its stacks.
 */
function logError(c: Context<AppEnv>, error: unknown) {
  const causes = (e: unknown): string[] => (e instanceof Error ? [`${e.name}: ${e.message}`, ...causes(e.cause)] : []);
  const describe = (e: unknown): unknown =>
    e instanceof Error ? { name: e.name, message: e.message, stack: e.stack, cause: describe(e.cause) } : e;
  const detail = error instanceof ApiError ? { code: error.code, causes: causes(error) } : { error: describe(error) };
  // A direct-upload URL is a credential until it is used: never log it.
  const path = c.req.path.replace(/^\/uploads\/[^/]+/, '/uploads/<token>');
  console.error(JSON.stringify({ requestId: c.get('requestId'), path, ...detail }));
}

import type { Codecs } from './pipeline/codecs';
import type { Env } from './env';
import type { AuthUser } from './middleware/auth';

/** Hono's environment for this app: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Set by bearerAuth on authenticated routes. */
    user: AuthUser;
    /** Set by hono/request-id; echoed in error bodies. */
    requestId: string;
  };
}

/** What the app needs from the runtime, injected so tests and Node can provide their own. */
export interface AppDeps {
  codecs: () => Codecs;
}

import type { ProcessOptions } from '../src/pipeline';

/** The part of src/env.ts's `Config` the benchmark uses. */
export interface BenchConfig {
  maxUploadBytes: number;
  process: ProcessOptions;
}

/**
 * The gateway's default configuration: `parseConfig` from src/env.ts with no
 * vars set (10 MiB uploads, 4096×4096, WebP quality 85/80, 400 px thumbnails
 * at the time of writing), so the benchmark follows the defaults if they change.
 *
 * The specifier is not a literal so that TypeScript does not pull src/env.ts
 * (which names Workers-only binding types) into the Node type-check.
 */
export async function loadDefaultConfig(): Promise<BenchConfig> {
  const specifier = '../src/env.ts';
  const env = (await import(specifier)) as { parseConfig(env: object): BenchConfig };
  return env.parseConfig({});
}

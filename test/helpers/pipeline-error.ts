import { PipelineError } from '../../src/pipeline/errors';

/**
 * The `code` of the PipelineError `fn` throws, 'none' when it returns, or a
 * description of any other thrown value (so a RangeError fails an equality assertion visibly).
 */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (error) {
    if (error instanceof PipelineError) return error.code;
    return `not a PipelineError: ${String(error)}`;
  }
}

/** Runs `fn` and reports anything thrown that is not a PipelineError, else undefined. */
export function nonPipelineError(fn: () => unknown): string | undefined {
  const code = thrownCode(fn);
  return code.startsWith('not a PipelineError') ? code : undefined;
}

/** Every strict prefix of `data` (lengths 0 … n-1). */
export function* prefixes(data: Uint8Array): Generator<Uint8Array> {
  for (let n = 0; n < data.length; n++) yield data.subarray(0, n);
}

export { seededRandom } from './seeded-random';

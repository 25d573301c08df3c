import { ApiError } from './errors';

/**
 * Runs an R2 or D1 operation, turning a storage failure into 503
 * `storage_unavailable` with `Retry-After` rather than a 500. The cause keeps
 * what failed, for the logs; the public message does not.
 * @throws ApiError `storage_unavailable`
 */
export async function guardStorage<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw storageUnavailable(new Error(`${what} failed`, { cause: error }));
  }
}

/** The 503 a storage failure becomes; `cause` is logged, never shown. */
export function storageUnavailable(cause: unknown): ApiError {
  return new ApiError('storage_unavailable', 'Image storage is unavailable; try again shortly', {
    cause,
    headers: { 'Retry-After': '5' },
  });
}

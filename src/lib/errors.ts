/**
 * The one table of public error codes. Codes are stable: never rename one
 * once shipped (clients branch on them). The README lists this table.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  upload_url_invalid: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  idempotency_conflict: 409,
  upload_url_expired: 410,
  upload_url_used: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  dimensions_exceeded: 422,
  invalid_image: 422,
  rate_limited: 429,
  storage_unavailable: 503,
  upstream_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error with a public code, raised by the HTTP layer (routes, auth, storage). */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers?: Record<string, string>;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown>; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.details = options?.details;
    this.headers = options?.headers;
  }
}

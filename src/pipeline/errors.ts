/**
 * The codes the pure image pipeline throws: a subset of the public error
 * table (src/lib/errors.ts), which gives each its HTTP status; `app.onError`
 * maps them, so a code missing from that table fails to typecheck there.
 */
export type PipelineErrorCode = 'unsupported_media_type' | 'dimensions_exceeded' | 'invalid_image';

/**
 * Thrown by the pure pipeline (no HTTP knowledge). Routes and `app.onError`
 * turn it into a response with the status from the error table.
 * `message` is public: it must not echo internals; put those in `cause`.
 */
export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(
    code: PipelineErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PipelineError';
    this.code = code;
    this.details = options?.details;
  }
}

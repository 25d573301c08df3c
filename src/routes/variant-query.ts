import type { Context } from 'hono';
import type { AppEnv } from '../app-types';
import { configOf } from './context';
import { ApiError } from '../lib/errors';
import type { VariantFit } from '../pipeline/variant';

/** A validated `?size=N&fit=…`. */
export interface VariantQuery {
  size: number;
  fit: VariantFit;
}

const FITS: readonly VariantFit[] = ['cover', 'contain'];

/**
 * Reads `size` (one of VARIANT_SIZES, so nobody can make the gateway render a
 * million sizes) and `fit` (`cover` or `contain`, else `defaultFit`).
 * @returns undefined when neither is given (the caller serves the main image).
 * @throws ApiError `invalid_request` listing the allowed sizes or fits.
 */
export function variantQuery(c: Context<AppEnv>, defaultFit: VariantFit): VariantQuery | undefined {
  const rawSize = c.req.query('size');
  const rawFit = c.req.query('fit');
  if (rawSize === undefined && rawFit === undefined) return undefined;
  const allowed = configOf(c).variantSizes;
  const size = rawSize !== undefined && /^[1-9]\d{0,3}$/.test(rawSize) ? Number(rawSize) : NaN;
  if (!allowed.includes(size)) {
    throw new ApiError(
      'invalid_request',
      `Expected one of ${allowed.join(', ')} for size but received ${rawSize ?? 'nothing'}`,
      { details: { allowed_sizes: allowed } },
    );
  }
  const fit = rawFit ?? defaultFit;
  if (!FITS.includes(fit as VariantFit)) {
    throw new ApiError('invalid_request', `Expected cover or contain for fit but received ${rawFit}`, {
      details: { allowed_fits: FITS },
    });
  }
  return { size, fit: fit as VariantFit };
}

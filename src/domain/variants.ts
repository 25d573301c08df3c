/**
 * How a size variant fills its N×N box: `cover` crops to fill it, `contain`
 * fits inside it. Routes parse it, storage keys embed it, the cache keys
 * avatar redirects by it, and the pipeline renders it (pipeline/variant.ts
 * spells the same union itself, being pure; passing this one to it
 * type-checks only while the two agree).
 */
export type VariantFit = 'cover' | 'contain';

/** Every fit, in the order error messages and cache purges list them. */
export const VARIANT_FITS: readonly VariantFit[] = ['cover', 'contain'];

/** Whether `value` names a fit. */
export function isVariantFit(value: string): value is VariantFit {
  return (VARIANT_FITS as readonly string[]).includes(value);
}

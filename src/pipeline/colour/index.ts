import type { ImageFormat } from '../formats';
import { readColourTags } from './extract';
import { parseIccProfile } from './icc';
import { planFromChromaticities, planFromProfile, srgbPlan, unconvertedPlan, type ColourPlan } from './transform';

export type { ColourConversion, ColourPlan, ColourReport } from './transform';

/** White, red, green, blue x/y of sRGB, as a PNG cHRM chunk lists them. */
const SRGB_CHROMATICITIES = [0.3127, 0.329, 0.64, 0.33, 0.3, 0.6, 0.15, 0.06];

/** A colour plan plus whether the original carried an ICC profile (which the stored WebP never does). */
export interface ColourDecision extends ColourPlan {
  hadIccProfile: boolean;
}

/**
 * Decides how the upload's pixels become sRGB, in the order PNG's
 * specification ranks the descriptions: an embedded ICC profile, else PNG
 * `sRGB`, else `cHRM` + `gAMA` (`gAMA` alone with sRGB's primaries), else
 * sRGB assumed (CMYK without a profile is reported unconverted). A profile that cannot be read is ignored (pixels kept as
 * decoded) and reported with `converted: false`, never an error.
 */
export async function decideColour(bytes: Uint8Array, format: ImageFormat): Promise<ColourDecision> {
  const tags = await readColourTags(bytes, format);
  if (tags.icc !== undefined) {
    if (typeof tags.icc === 'string') return { ...unconvertedPlan('Invalid ICC profile'), hadIccProfile: true };
    const parsed = parseIccProfile(tags.icc);
    if (!parsed.ok) return { ...unconvertedPlan('Invalid ICC profile'), hadIccProfile: true };
    return { ...planFromProfile(parsed.profile, tags.channels), hadIccProfile: true };
  }
  if (tags.srgb) return { ...srgbPlan(), hadIccProfile: false };
  if (tags.gamma !== undefined && tags.channels === 'RGB') {
    const c = tags.chromaticities ?? SRGB_CHROMATICITIES;
    // libpng's rule: sRGB's primaries with a 1/2.2 gAMA is sRGB (its curve, not a pure power).
    const srgbLike = c.every((v, i) => Math.abs(v - SRGB_CHROMATICITIES[i]!) < 0.001);
    if (srgbLike && Math.abs(tags.gamma - 1 / 2.2) < 0.001) return { ...srgbPlan(), hadIccProfile: false };
    const plan = planFromChromaticities(
      [c[0]!, c[1]!],
      [
        [c[2]!, c[3]!],
        [c[4]!, c[5]!],
        [c[6]!, c[7]!],
      ],
      1 / tags.gamma,
    );
    return { ...plan, hadIccProfile: false };
  }
  // CMYK without a profile has no colorimetry: the decoder's plain inversion is a guess, not a conversion.
  if (tags.channels === 'CMYK') return { ...unconvertedPlan('CMYK (no profile)'), hadIccProfile: false };
  return { ...srgbPlan(), hadIccProfile: false };
}

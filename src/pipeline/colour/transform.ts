import type { IccProfile, Trc } from './icc';
import { D50_TO_SRGB, fromColorants, multiply, rgbToD50, type Matrix3 } from './matrix';
import { srgbToLinearTable, trcTable } from './trc';

/**
 * How decoded 8-bit rows become linear sRGB, lcms's matrix-shaper fast path
 * (`cmsopt.c` OptimizeMatrixShaper): a per-channel table to linear light, one
 * 3×3 into linear sRGB (relative colorimetric, values outside [0, 1] clipped),
 * and the sRGB encode table at the end. The resampler averages between the
 * tables and the matrix (both linear), so the matrix runs per output pixel.
 */
export interface ColourConversion {
  /** 8-bit device value → linear light, per channel (R, G, B); the same table thrice for sRGB or gray. */
  toLinear: readonly [Float32Array, Float32Array, Float32Array];
  /** Linear source RGB → linear sRGB, row-major; undefined when the primaries already are sRGB's. */
  matrix?: Float32Array;
}

/** What the upload's pixels meant and whether the gateway converted them to sRGB. */
export interface ColourReport {
  /** "sRGB", "Display P3", "Adobe RGB (1998)", "ProPhoto RGB", a profile's own description, … */
  source: string;
  /** True when the pixels were converted from `source` to sRGB; false when kept as they were (sRGB, or a profile that could not be used). */
  converted: boolean;
}

/** A conversion together with what to report about it. */
export interface ColourPlan {
  conversion: ColourConversion;
  report: ColourReport;
}

/** The conversion for untagged and sRGB images: sRGB's curve, no matrix. */
export function srgbConversion(): ColourConversion {
  const table = srgbToLinearTable();
  return { toLinear: [table, table, table] };
}

/** Whether `conversion` leaves 8-bit sRGB values as they are (sRGB's own tables, no matrix). */
export function isSrgbConversion(conversion: ColourConversion): boolean {
  const srgb = srgbToLinearTable();
  return conversion.matrix === undefined && conversion.toLinear.every((table) => table === srgb);
}

/** Untagged or explicitly sRGB. */
export function srgbPlan(source = 'sRGB'): ColourPlan {
  return { conversion: srgbConversion(), report: { source, converted: false } };
}

/** Pixels left as decoded (treated as sRGB) because their colour description could not be used. */
export function unconvertedPlan(source: string): ColourPlan {
  return { conversion: srgbConversion(), report: { source, converted: false } };
}

const KNOWN_SPACES: readonly { name: string; white: [number, number]; primaries: [number, number][] }[] = [
  {
    name: 'sRGB',
    white: [0.3127, 0.329],
    primaries: [
      [0.64, 0.33],
      [0.3, 0.6],
      [0.15, 0.06],
    ],
  },
  {
    name: 'Display P3',
    white: [0.3127, 0.329],
    primaries: [
      [0.68, 0.32],
      [0.265, 0.69],
      [0.15, 0.06],
    ],
  },
  {
    name: 'Adobe RGB (1998)',
    white: [0.3127, 0.329],
    primaries: [
      [0.64, 0.33],
      [0.21, 0.71],
      [0.15, 0.06],
    ],
  },
  {
    name: 'ProPhoto RGB',
    white: [0.3457, 0.3585],
    primaries: [
      [0.7347, 0.2653],
      [0.1596, 0.8404],
      [0.0366, 0.0001],
    ],
  },
  {
    name: 'Rec. 2020',
    white: [0.3127, 0.329],
    primaries: [
      [0.708, 0.292],
      [0.17, 0.797],
      [0.131, 0.046],
    ],
  },
];

const KNOWN_MATRICES = KNOWN_SPACES.map((space) => ({
  name: space.name,
  matrix: rgbToD50(space.white, space.primaries)!,
}));

/** The well-known space whose D50 colorants these are (within s15Fixed16 rounding of real profiles), if any. */
export function nameColorants(toD50: Matrix3): string | undefined {
  return KNOWN_MATRICES.find(({ matrix }) => matrix.every((v, i) => Math.abs(v - toD50[i]!) < 0.003))?.name;
}

/**
 * Plans the conversion for a parsed ICC profile. RGB matrix/TRC and gray TRC
 * profiles convert exactly (lcms's relative colorimetric: the colorants are
 * already PCS-relative, so `wtpt` and `chad` only matter for absolute
 * colorimetry). LUT-only and CMYK profiles are reported as not converted.
 * `channels` is the colour model of the decoded image (`GRAY` or `RGB`;
 * `CMYK` for four-component JPEG).
 */
export function planFromProfile(profile: IccProfile, channels: 'GRAY' | 'RGB' | 'CMYK'): ColourPlan {
  const label = (fallback: string) => profile.description || fallback;
  if (profile.colourSpace === 'GRAY' && profile.trcs?.length === 1 && channels === 'GRAY') {
    const table = trcTable(profile.trcs[0]!);
    return { conversion: { toLinear: [table, table, table] }, report: { source: label('Gray'), converted: true } };
  }
  if (profile.colourSpace === 'RGB' && channels === 'RGB' && profile.colorants && profile.trcs?.length === 3) {
    const toD50 = fromColorants(profile.colorants);
    const name = nameColorants(toD50);
    if (name === 'sRGB' && profile.trcs.every(isSrgbCurve)) return srgbPlan();
    return {
      conversion: matrixConversion(profile.trcs as [Trc, Trc, Trc], multiply(D50_TO_SRGB, toD50)),
      report: { source: name ?? label('ICC RGB'), converted: true },
    };
  }
  return unconvertedPlan(label(profile.colourSpace === 'CMYK' ? 'CMYK' : `ICC ${profile.colourSpace}`));
}

/** PNG `cHRM` + `gAMA`: the space they describe, built as lcms builds a profile from them. */
export function planFromChromaticities(
  white: [number, number],
  primaries: [number, number][],
  gamma: number,
): ColourPlan {
  const toD50 = rgbToD50(white, primaries);
  if (toD50 === undefined || !(gamma > 0 && gamma < 10)) return unconvertedPlan('Invalid cHRM/gAMA');
  const trc: Trc = { kind: 'gamma', gamma };
  const name = nameColorants(toD50) ?? 'cHRM';
  return {
    conversion: matrixConversion([trc, trc, trc], multiply(D50_TO_SRGB, toD50)),
    report: { source: `${name}, gamma ${gamma.toFixed(2)}`, converted: true },
  };
}

function matrixConversion(trcs: readonly [Trc, Trc, Trc], toSrgb: Matrix3): ColourConversion {
  const tables = trcs.map(trcTable);
  const identity = toSrgb.every((v, i) => Math.abs(v - (i % 4 === 0 ? 1 : 0)) < 1e-4);
  return {
    toLinear: [tables[0]!, tables[1]!, tables[2]!],
    matrix: identity ? undefined : Float32Array.from(toSrgb),
  };
}

function isSrgbCurve(trc: Trc): boolean {
  const table = trcTable(trc);
  const srgb = srgbToLinearTable();
  return table.every((v, i) => Math.abs(v - srgb[i]!) < 1e-3);
}

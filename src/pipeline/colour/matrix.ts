import type { Xyz } from './icc';

/** A row-major 3×3 matrix. */
export type Matrix3 = readonly [number, number, number, number, number, number, number, number, number];

/** The ICC profile connection space white, as lcms spells it (cmsD50_XYZ). */
export const D50: Xyz = [0.9642, 1.0, 0.8249];

const BRADFORD: Matrix3 = [0.8951, 0.2664, -0.1614, -0.7502, 1.7135, 0.0367, 0.0389, -0.0685, 1.0296];

/** `a · b`. */
export function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
  }
  return out as unknown as Matrix3;
}

/** The inverse, or undefined for a singular matrix (a hostile profile's colorants can be anything). */
export function invert(m: Matrix3): Matrix3 | undefined {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = f * g - d * i;
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-9) return undefined;
  return [
    A / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    C / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ];
}

function apply(m: Matrix3, v: Xyz): Xyz {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/** The Bradford adaptation from white `from` to white `to` (lcms's `_cmsAdaptationMatrix` with its default cone matrix). */
export function bradford(from: Xyz, to: Xyz): Matrix3 {
  const src = apply(BRADFORD, from);
  const dst = apply(BRADFORD, to);
  const scale: Matrix3 = [dst[0] / src[0], 0, 0, 0, dst[1] / src[1], 0, 0, 0, dst[2] / src[2]];
  return multiply(invert(BRADFORD)!, multiply(scale, BRADFORD));
}

/** XYZ (Y = 1) of a chromaticity. */
export function xyToXyz(x: number, y: number): Xyz {
  return [x / y, 1, (1 - x - y) / y];
}

/**
 * The RGB → XYZ (D50) matrix of an RGB space given by the chromaticities of
 * its primaries and white, adapted to D50 by Bradford: what lcms's
 * `cmsCreateRGBProfile` stores as rXYZ/gXYZ/bXYZ. Columns are the colorants.
 * Undefined when the chromaticities do not define a space (y = 0, collinear primaries).
 */
export function rgbToD50(
  white: readonly [number, number],
  primaries: readonly (readonly [number, number])[],
): Matrix3 | undefined {
  const [r, g, b] = primaries.map(([x, y]) => xyToXyz(x, y)) as unknown as [Xyz, Xyz, Xyz];
  const p: Matrix3 = [r[0], g[0], b[0], r[1], g[1], b[1], r[2], g[2], b[2]];
  const w = xyToXyz(white[0], white[1]);
  const inverse = invert(p);
  if (inverse === undefined || !w.every(Number.isFinite)) return undefined;
  const s = apply(inverse, w);
  const scaled: Matrix3 = [
    p[0] * s[0],
    p[1] * s[1],
    p[2] * s[2],
    p[3] * s[0],
    p[4] * s[1],
    p[5] * s[2],
    p[6] * s[0],
    p[7] * s[1],
    p[8] * s[2],
  ];
  return multiply(bradford(w, D50), scaled);
}

/** A matrix whose columns are the three colorants. */
export function fromColorants(colorants: readonly [Xyz, Xyz, Xyz]): Matrix3 {
  const [r, g, b] = colorants;
  return [r[0], g[0], b[0], r[1], g[1], b[1], r[2], g[2], b[2]];
}

/** sRGB's RGB → XYZ D50 matrix (IEC 61966-2-1 primaries, D65 white), as lcms's built-in sRGB profile has it. */
export const SRGB_TO_D50 = rgbToD50(
  [0.3127, 0.329],
  [
    [0.64, 0.33],
    [0.3, 0.6],
    [0.15, 0.06],
  ],
)!;

/** XYZ D50 → linear sRGB. */
export const D50_TO_SRGB = invert(SRGB_TO_D50)!;

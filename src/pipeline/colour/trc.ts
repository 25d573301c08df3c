import type { Trc } from './icc';

/** sRGB's curve as ICC `para` type 3 (IEC 61966-2-1), the one lcms's built-in sRGB profile uses. */
export const SRGB_TRC: Trc = {
  kind: 'para',
  type: 3,
  params: [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045],
};

/**
 * Evaluates a tone curve at `x` in [0, 1] (device value → linear), as
 * ICC.1 §10.6 and §10.18 define `curv` and `para`. The result is clamped to [0, 1].
 */
export function evaluateTrc(trc: Trc, x: number): number {
  return clamp01(evaluate(trc, x));
}

function evaluate(trc: Trc, x: number): number {
  switch (trc.kind) {
    case 'gamma':
      return Math.pow(x, trc.gamma);
    case 'table': {
      const last = trc.table.length - 1;
      const pos = x * last;
      const i = Math.min(last - 1, Math.floor(pos));
      const f = pos - i;
      return (trc.table[i]! * (1 - f) + trc.table[i + 1]! * f) / 65535;
    }
    case 'para':
      return parametric(trc.type, trc.params, x);
  }
}

function parametric(type: number, p: readonly number[], x: number): number {
  const g = p[0]!;
  const a = p[1] ?? 1;
  const b = p[2] ?? 0;
  const c = p[3] ?? 0;
  const power = (v: number) => (v > 0 ? Math.pow(v, g) : 0);
  switch (type) {
    case 0:
      return power(x);
    case 1:
      return x >= -b / a ? power(a * x + b) : 0;
    case 2:
      return x >= -b / a ? power(a * x + b) + c : c;
    case 3:
      return x >= p[4]! ? power(a * x + b) : c * x;
    default:
      return x >= p[4]! ? power(a * x + b) + p[5]! : c * x + p[6]!;
  }
}

function clamp01(v: number): number {
  return v > 1 ? 1 : v > 0 ? v : 0;
}

/** A 256-entry table from an 8-bit device value to linear light in [0, 1]. */
export function trcTable(trc: Trc): Float32Array {
  const table = new Float32Array(256);
  for (let i = 0; i < 256; i++) table[i] = evaluateTrc(trc, i / 255);
  return table;
}

let srgbDecode: Float32Array | undefined;
let srgbEncode: Uint8Array | undefined;

/** 8-bit sRGB → linear light, built once per isolate. */
export function srgbToLinearTable(): Float32Array {
  return (srgbDecode ??= trcTable(SRGB_TRC));
}

/** Entries of {@link srgbEncodeTable}: fine enough that near black (slope 12.92) a step is under 0.06 of a level. */
export const ENCODE_STEPS = 65535;

/**
 * Linear light → 8-bit sRGB, indexed by `Math.round(linear * ENCODE_STEPS)`
 * (64 KiB, built once per isolate): the per-pixel encode is a lookup, never `Math.pow`.
 */
export function srgbEncodeTable(): Uint8Array {
  if (srgbEncode) return srgbEncode;
  const table = new Uint8Array(ENCODE_STEPS + 1);
  for (let i = 0; i <= ENCODE_STEPS; i++) {
    const v = i / ENCODE_STEPS;
    const encoded = v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
    table[i] = Math.round(encoded * 255);
  }
  return (srgbEncode = table);
}

import { describe, expect, it } from 'vitest';
import { writeSrgb } from '../../../src/pipeline/colour/encode';
import { parseIccProfile } from '../../../src/pipeline/colour/icc';
import { planFromProfile, srgbConversion, type ColourConversion } from '../../../src/pipeline/colour/transform';
import { ADOBE_RGB, buildIccProfile, DISPLAY_P3, GRAY_22, type IccSpec } from '../../fixtures/icc';

// Reference values from lcms 2.14 (Debian bookworm liblcms2-dev), computed once:
// the profiles below were written with buildIccProfile() to .icc files, then a
// 20-line C program ran cmsCreateTransform(profile, TYPE_RGB_8 (TYPE_GRAY_8 for
// gray), cmsCreate_sRGBProfile(), TYPE_RGB_8, INTENT_RELATIVE_COLORIMETRIC, 0)
// and cmsDoTransform on each input. Rows are [input, lcms 8-bit output].
const LCMS_P3: [number[], number[]][] = [
  [
    [0, 0, 0],
    [0, 0, 0],
  ],
  [
    [255, 255, 255],
    [255, 255, 255],
  ],
  [
    [128, 128, 128],
    [128, 128, 128],
  ],
  [
    [255, 0, 0],
    [255, 0, 0],
  ],
  [
    [0, 255, 0],
    [0, 255, 0],
  ],
  [
    [0, 0, 255],
    [0, 0, 255],
  ],
  [
    [192, 0, 0],
    [210, 0, 0],
  ],
  [
    [255, 255, 0],
    [255, 255, 0],
  ],
  [
    [0, 255, 255],
    [0, 255, 255],
  ],
  [
    [255, 0, 255],
    [255, 0, 255],
  ],
  [
    [10, 20, 30],
    [7, 20, 31],
  ],
  [
    [200, 150, 100],
    [209, 147, 91],
  ],
  [
    [50, 100, 200],
    [26, 101, 207],
  ],
  [
    [230, 40, 90],
    [251, 0, 87],
  ],
  [
    [90, 200, 60],
    [0, 203, 7],
  ],
  [
    [1, 2, 3],
    [1, 2, 3],
  ],
  [
    [250, 245, 240],
    [251, 245, 239],
  ],
  [
    [64, 32, 16],
    [69, 30, 12],
  ],
  [
    [120, 180, 240],
    [100, 182, 246],
  ],
  [
    [17, 170, 85],
    [0, 173, 74],
  ],
];

const LCMS_ADOBE: [number[], number[]][] = [
  [
    [0, 0, 0],
    [0, 0, 0],
  ],
  [
    [255, 255, 255],
    [255, 255, 255],
  ],
  [
    [128, 128, 128],
    [129, 129, 129],
  ],
  [
    [255, 0, 0],
    [255, 0, 0],
  ],
  [
    [0, 255, 0],
    [0, 255, 0],
  ],
  [
    [0, 0, 255],
    [0, 0, 255],
  ],
  [
    [192, 0, 0],
    [225, 0, 0],
  ],
  [
    [255, 255, 0],
    [255, 255, 0],
  ],
  [
    [0, 255, 255],
    [0, 255, 255],
  ],
  [
    [255, 0, 255],
    [255, 0, 255],
  ],
  [
    [10, 20, 30],
    [0, 12, 24],
  ],
  [
    [200, 150, 100],
    [217, 151, 97],
  ],
  [
    [50, 100, 200],
    [0, 100, 204],
  ],
  [
    [230, 40, 90],
    [255, 35, 91],
  ],
  [
    [90, 200, 60],
    [0, 201, 37],
  ],
  [
    [1, 2, 3],
    [0, 0, 0],
  ],
  [
    [250, 245, 240],
    [252, 245, 240],
  ],
  [
    [64, 32, 16],
    [71, 26, 6],
  ],
  [
    [120, 180, 240],
    [81, 181, 243],
  ],
  [
    [17, 170, 85],
    [0, 172, 78],
  ],
];

/** [gray in, sRGB out (R = G = B)]. */
const LCMS_GRAY: [number, number][] = [
  [0, 0],
  [1, 0],
  [5, 1],
  [10, 3],
  [32, 26],
  [64, 62],
  [100, 100],
  [128, 129],
  [180, 181],
  [220, 221],
  [254, 254],
  [255, 255],
];

function convert(conversion: ColourConversion, rgb: number[]): number[] {
  const out = new Uint8Array(3);
  const [tr, tg, tb] = conversion.toLinear;
  writeSrgb(conversion.matrix, tr[rgb[0]!]!, tg[rgb[1]!]!, tb[rgb[2]!]!, out, 0);
  return Array.from(out);
}

function plan(spec: IccSpec, channels: 'RGB' | 'GRAY') {
  const parsed = parseIccProfile(buildIccProfile(spec));
  if (!parsed.ok) throw new Error(parsed.reason);
  return planFromProfile(parsed.profile, channels);
}

describe('matrix/TRC conversion to sRGB agrees with lcms', () => {
  it.each([
    ['Display P3', DISPLAY_P3, LCMS_P3],
    ['Adobe RGB (1998)', ADOBE_RGB, LCMS_ADOBE],
  ] as const)('%s', (name, spec, table) => {
    const { conversion, report } = plan(spec, 'RGB');
    expect(report).toEqual({ source: name, converted: true });
    for (const [input, expected] of table) {
      const got = convert(conversion, input);
      // lcms's 8-bit path rounds through 1.14 fixed point; ours through floats: at most one level apart.
      got.forEach((v, i) =>
        expect(Math.abs(v - expected[i]!), `${input} → ${got} vs ${expected}`).toBeLessThanOrEqual(1),
      );
    }
  });

  it('a gray TRC profile', () => {
    const { conversion, report } = plan(GRAY_22, 'GRAY');
    expect(report).toEqual({ source: 'Gray Gamma 2.2', converted: true });
    for (const [gray, expected] of LCMS_GRAY) {
      expect(convert(conversion, [gray, gray, gray])).toEqual([expected, expected, expected]);
    }
  });

  it('sRGB through the tables is the identity for every 8-bit value', () => {
    const conversion = srgbConversion();
    for (let v = 0; v < 256; v++) expect(convert(conversion, [v, v, v])).toEqual([v, v, v]);
  });
});

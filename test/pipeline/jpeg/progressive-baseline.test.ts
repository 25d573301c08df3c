import { describe, expect, it } from 'vitest';
import type { JpegScale } from '../../../src/pipeline/jpeg/decoder';
import type { RgbaImage } from '../../../src/pipeline/types';
import baseline420 from '../../fixtures/twins/zone-420-baseline.jpg?inline';
import progressive420 from '../../fixtures/twins/zone-420-progressive.jpg?inline';
import progressive420Restart from '../../fixtures/twins/zone-420-progressive-restart.jpg?inline';
import baseline444 from '../../fixtures/twins/zone-444-baseline.jpg?inline';
import progressive444 from '../../fixtures/twins/zone-444-progressive.jpg?inline';
import { decodeToImage } from '../../helpers/jpeg-oracle';

// A baseline JPEG and its `jpegtran -progressive` transcode hold the same DCT
// coefficients, so they must decode to the same pixels at every scale. The
// buffered (progressive) decode keeps only the coefficients a scaled IDCT
// uses; the streamed (baseline) one must not see more. The pictures (zone
// plate, 1-px checkerboard, colour stripes; see test/fixtures/README.md) put
// energy in every frequency, where keeping different coefficients showed as up
// to 74 levels at 1/2, 30 at 1/4 and 11 at 1/8.

function bytesOf(dataUrl: string): Uint8Array {
  return Uint8Array.from(atob(dataUrl.slice(dataUrl.indexOf(',') + 1)), (c) => c.charCodeAt(0));
}

function maxDifference(a: RgbaImage, b: RgbaImage): number {
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

const TWINS: [string, string, string][] = [
  ['4:2:0, 133×91', baseline420, progressive420],
  ['4:2:0 with restart markers, 133×91', baseline420, progressive420Restart],
  ['4:4:4, 85×59', baseline444, progressive444],
];
const SCALES: JpegScale[] = [1, 2, 4, 8];

describe('a progressive JPEG and its baseline twin decode alike', () => {
  for (const [name, baselineUrl, progressiveUrl] of TWINS) {
    const baseline = bytesOf(baselineUrl);
    const progressive = bytesOf(progressiveUrl);

    it(`${name}: the fixtures are a baseline (SOF0) and a progressive (SOF2) file`, () => {
      const sof = (bytes: Uint8Array) =>
        [0xc0, 0xc2].find((marker) => bytes.some((v, i) => v === 0xff && bytes[i + 1] === marker));
      expect(sof(baseline)).toBe(0xc0);
      expect(sof(progressive)).toBe(0xc2);
    });

    for (const scale of SCALES) {
      it(`${name}: within 2 levels at 1/${scale}`, () => {
        expect(maxDifference(decodeToImage(baseline, scale), decodeToImage(progressive, scale))).toBeLessThanOrEqual(2);
      });
    }
  }
});

describe('restart markers in a progressive JPEG change nothing', () => {
  // The same coefficients, with an RSTn after every MCU row of each scan (a
  // block row in the one-component AC scans): DC predictions and EOB runs
  // reset there, in the full-scale in-place scan decoders and the band ones.
  const plain = bytesOf(progressive420);
  const restarted = bytesOf(progressive420Restart);

  it('the fixture has a DRI segment and RSTn markers', () => {
    const has = (marker: (m: number) => boolean) => restarted.some((v, i) => v === 0xff && marker(restarted[i + 1]!));
    expect(has((m) => m === 0xdd)).toBe(true);
    expect(has((m) => m >= 0xd0 && m <= 0xd7)).toBe(true);
  });

  for (const scale of SCALES) {
    it(`same pixels at 1/${scale}`, () => {
      expect(maxDifference(decodeToImage(plain, scale), decodeToImage(restarted, scale))).toBe(0);
    });
  }
});

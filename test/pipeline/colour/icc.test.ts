import { describe, expect, it } from 'vitest';
import { decideColour } from '../../../src/pipeline/colour';
import { MAX_ICC_BYTES, parseIccProfile } from '../../../src/pipeline/colour/icc';
import { planFromProfile } from '../../../src/pipeline/colour/transform';
import { ascii, concat, zlibCompress } from '../../fixtures/bytes';
import { ADOBE_RGB, buildIccProfile, DISPLAY_P3, GRAY_22 } from '../../fixtures/icc';
import { jpegSegment, MARKER } from '../../fixtures/jpeg';
import { pngChunk } from '../../fixtures/png';
import { riffChunk } from '../../fixtures/webp';
import { seededRandom } from '../../helpers/seeded-random';

function patchU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value);
  return copy;
}

/** Offset of tag `sig`'s table entry. */
function tagEntry(profile: Uint8Array, sig: string): number {
  const count = new DataView(profile.buffer, profile.byteOffset).getUint32(128);
  for (let i = 0; i < count; i++) {
    const at = 132 + i * 12;
    if (String.fromCharCode(...profile.subarray(at, at + 4)) === sig) return at;
  }
  throw new Error(`no ${sig}`);
}

describe('parseIccProfile', () => {
  it('reads a v4 matrix/TRC profile (Display P3: mluc, para, chad)', () => {
    const parsed = parseIccProfile(buildIccProfile(DISPLAY_P3));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const p = parsed.profile;
    expect(p).toMatchObject({ colourSpace: 'RGB', version: 4, description: 'Display P3', hasLut: false });
    expect(p.colorants![0][0]).toBeCloseTo(0.515102, 4);
    expect(p.trcs).toHaveLength(3);
    expect(p.trcs![0]).toMatchObject({ kind: 'para', type: 3 });
    expect(p.chad![0]).toBeCloseTo(1.047882, 4);
    expect(p.whitePoint![2]).toBeCloseTo(1.089, 4);
  });

  it('reads a v2 profile (Adobe RGB: desc, one-entry curv) and a gray TRC table', () => {
    const adobe = parseIccProfile(buildIccProfile(ADOBE_RGB));
    expect(adobe.ok && adobe.profile.trcs![0]).toEqual({ kind: 'gamma', gamma: 563 / 256 });
    expect(adobe.ok && adobe.profile.description).toBe('Adobe RGB (1998)');
    const gray = parseIccProfile(buildIccProfile(GRAY_22));
    expect(gray.ok && gray.profile.colourSpace).toBe('GRAY');
    expect(gray.ok && gray.profile.trcs![0]!.kind).toBe('table');
  });

  const valid = buildIccProfile(DISPLAY_P3);
  it.each([
    ['truncated below the header', valid.subarray(0, 100)],
    ['cut short of its declared size', valid.subarray(0, valid.length - 10)],
    ['declaring a size past the data', patchU32(valid, 0, valid.length + 1000)],
    ['without the acsp signature', patchU32(valid, 36, 0x41424344)],
    ['with an absurd tag count', patchU32(valid, 128, 0xffffffff)],
    ['with a tag table larger than the profile', patchU32(valid, 128, 200)],
    ['with a tag pointing past the end', patchU32(valid, tagEntry(valid, 'rXYZ') + 4, 0xfffffff0)],
    ['with a tag size wrapping around', patchU32(valid, tagEntry(valid, 'gXYZ') + 8, 0xffffffff)],
    ['with a tag inside the header', patchU32(valid, tagEntry(valid, 'bXYZ') + 4, 16)],
    ['oversized', concat(patchU32(valid, 0, MAX_ICC_BYTES + 4), new Uint8Array(MAX_ICC_BYTES + 4 - valid.length))],
  ])('refuses a profile %s, without throwing', (_name, bytes) => {
    expect(parseIccProfile(bytes).ok).toBe(false);
  });

  it('refuses a curve with an absurd entry count and an unknown parametric type', () => {
    const adobe = buildIccProfile(ADOBE_RGB);
    const curv = new DataView(adobe.buffer).getUint32(tagEntry(adobe, 'rTRC') + 4);
    expect(parseIccProfile(patchU32(adobe, curv + 8, 0x7fffffff)).ok).toBe(false);
    const p3 = buildIccProfile(DISPLAY_P3);
    const para = new DataView(p3.buffer).getUint32(tagEntry(p3, 'rTRC') + 4);
    expect(parseIccProfile(patchU32(p3, para + 8, 0x00090000)).ok).toBe(false);
  });

  it('never throws on random damage', () => {
    const random = seededRandom(10);
    for (let i = 0; i < 2000; i++) {
      const bytes = valid.slice(0, 1 + Math.floor(random() * valid.length));
      for (let k = 0; k < 4; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const parsed = parseIccProfile(bytes);
      if (parsed.ok) expect(() => planFromProfile(parsed.profile, 'RGB')).not.toThrow();
    }
  });

  it('reports what it does not convert: LUT-only and CMYK profiles, mismatched channels', () => {
    const lutOnly = buildIccProfile({ description: 'Camera LUT', extraTags: [['A2B0', ascii('mAB \0\0\0\0')]] });
    const parsed = parseIccProfile(lutOnly);
    expect(parsed.ok && planFromProfile(parsed.profile, 'RGB').report).toEqual({
      source: 'Camera LUT',
      converted: false,
    });
    const cmyk = parseIccProfile(buildIccProfile({ description: 'Coated FOGRA39', colourSpace: 'CMYK' }));
    expect(cmyk.ok && planFromProfile(cmyk.profile, 'CMYK').report).toEqual({
      source: 'Coated FOGRA39',
      converted: false,
    });
    const gray = parseIccProfile(buildIccProfile(GRAY_22));
    expect(gray.ok && planFromProfile(gray.profile, 'RGB').report.converted).toBe(false);
  });
});

const SOI = Uint8Array.of(0xff, 0xd8);
const SOF_RGB = jpegSegment(MARKER.sof0, Uint8Array.of(8, 0, 8, 0, 8, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0));
const SOS = Uint8Array.of(0xff, 0xda);

/** APP2 ICC_PROFILE segment `seq` of `count`. */
function app2(profile: Uint8Array, seq: number, count: number): Uint8Array {
  return jpegSegment(MARKER.app2, concat(ascii('ICC_PROFILE\0'), Uint8Array.of(seq, count), profile));
}

describe('decideColour finds the profile in each container', () => {
  const p3 = buildIccProfile(DISPLAY_P3);
  const thirds = [p3.subarray(0, 150), p3.subarray(150, 300), p3.subarray(300)];

  it('JPEG: APP2 ICC_PROFILE in several segments, in any order', async () => {
    const jpeg = concat(SOI, app2(thirds[2]!, 3, 3), app2(thirds[0]!, 1, 3), app2(thirds[1]!, 2, 3), SOF_RGB, SOS);
    const decision = await decideColour(jpeg, 'jpeg');
    expect(decision.report).toEqual({ source: 'Display P3', converted: true });
    expect(decision.hadIccProfile).toBe(true);
  });

  it('JPEG: CMYK without a profile is reported unconverted, not as sRGB', async () => {
    const sofCmyk = jpegSegment(
      MARKER.sof0,
      Uint8Array.of(8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0),
    );
    expect((await decideColour(concat(SOI, sofCmyk, SOS), 'jpeg')).report).toEqual({
      source: 'CMYK (no profile)',
      converted: false,
    });
    expect((await decideColour(concat(SOI, SOF_RGB, SOS), 'jpeg')).report).toEqual({
      source: 'sRGB',
      converted: false,
    });
  });

  it.each([
    ['a missing segment', [app2(thirds[0]!, 1, 3), app2(thirds[2]!, 3, 3)]],
    ['a repeated segment', [app2(thirds[0]!, 1, 2), app2(thirds[0]!, 1, 2)]],
    ['disagreeing counts', [app2(thirds[0]!, 1, 2), app2(thirds[1]!, 2, 3)]],
    ['a damaged profile', [app2(patchU32(p3, 128, 99999), 1, 1)]],
  ])('JPEG with %s: ignored and reported', async (_name, segments) => {
    const decision = await decideColour(concat(SOI, ...segments, SOF_RGB, SOS), 'jpeg');
    expect(decision.report).toEqual({ source: 'Invalid ICC profile', converted: false });
    expect(decision.conversion.matrix).toBeUndefined();
  });

  const ihdr = (colourType: number) => pngChunk('IHDR', Uint8Array.of(0, 0, 0, 8, 0, 0, 0, 8, 8, colourType, 0, 0, 0));
  const png = (...chunks: Uint8Array[]) =>
    concat(
      Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
      ihdr(2),
      ...chunks,
      pngChunk('IDAT', new Uint8Array(0)),
    );

  it('PNG: iCCP (zlib), sRGB, cHRM + gAMA, a zlib bomb', async () => {
    const adobe = buildIccProfile(ADOBE_RGB);
    const iccp = pngChunk('iCCP', concat(ascii('Adobe RGB\0\0'), await zlibCompress(adobe)));
    expect((await decideColour(png(iccp), 'png')).report).toEqual({ source: 'Adobe RGB (1998)', converted: true });
    expect((await decideColour(png(pngChunk('sRGB', Uint8Array.of(0))), 'png')).report).toEqual({
      source: 'sRGB',
      converted: false,
    });
    const u32s = (values: number[]) => new Uint8Array(new Uint32Array(values).buffer).reverse();
    const chrm = pngChunk('cHRM', u32s([31270, 32900, 68000, 32000, 26500, 69000, 15000, 6000].reverse()));
    const gama = pngChunk('gAMA', u32s([45455]));
    expect((await decideColour(png(chrm, gama), 'png')).report).toEqual({
      source: 'Display P3, gamma 2.20',
      converted: true,
    });
    const bomb = pngChunk('iCCP', concat(ascii('x\0\0'), await zlibCompress(new Uint8Array(MAX_ICC_BYTES + 10))));
    expect((await decideColour(png(bomb), 'png')).report).toEqual({ source: 'Invalid ICC profile', converted: false });
    const garbage = pngChunk('iCCP', concat(ascii('x\0\0'), ascii('not zlib at all')));
    expect((await decideColour(png(garbage), 'png')).report.converted).toBe(false);
  });

  it('WebP: ICCP chunk; GIF and untagged files are sRGB', async () => {
    const riff = (...chunks: Uint8Array[]) => concat(ascii('RIFF\0\0\0\0WEBP'), ...chunks);
    const webp = riff(
      riffChunk('VP8X', new Uint8Array(10)),
      riffChunk('ICCP', p3),
      riffChunk('VP8 ', new Uint8Array(10)),
    );
    expect((await decideColour(webp, 'webp')).report).toEqual({ source: 'Display P3', converted: true });
    expect(await decideColour(new Uint8Array(10), 'gif')).toMatchObject({
      report: { source: 'sRGB', converted: false },
      hadIccProfile: false,
    });
    expect((await decideColour(concat(SOI, SOF_RGB, SOS), 'jpeg')).report).toEqual({
      source: 'sRGB',
      converted: false,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../../src/pipeline/errors';
import { decodeJpeg, scaledSize, type JpegScale } from '../../../src/pipeline/jpeg/decoder';
import type { RgbaImage } from '../../../src/pipeline/types';
import {
  areaDownscale,
  decodeToImage,
  encodeSimpleJpeg,
  mozjpegDecode,
  mozjpegEncode,
  psnr,
  testPicture,
  ycbcrPlanes,
  type MozjpegOptions,
  type SimpleComponent,
} from '../../helpers/jpeg-oracle';

const SIZES: [number, number][] = [
  [37, 29],
  [64, 48],
  [131, 67],
];
const SCALES: JpegScale[] = [2, 4, 8];

/**
 * Scaled-decode floor. A buffered decode (progressive, or one scan per
 * component) keeps, to bound memory, only the top-left (8/scale)² coefficients
 * of each interior block, and a streamed decode drops the same ones so that a
 * progressive file and its baseline twin agree at every scale (see
 * progressive-baseline.test.ts). The output is then the area average of the
 * block's low frequencies: the aliasing terms of a true area average are gone,
 * so on this synthetic picture (hard edges, pixel noise) it sits a few dB
 * from the box-filtered reference (34.4 dB at worst, 4:1:1 chroma at 1/8).
 */
const SCALED_FLOOR = 34;

/** Full decode must match mozjpeg; each scaled decode must match mozjpeg's full decode, area-downscaled. */
async function expectMatchesOracle(bytes: Uint8Array, name: string, scaledFloor = SCALED_FLOOR): Promise<void> {
  const oracle = await mozjpegDecode(bytes);
  const full = decodeToImage(bytes, 1);
  const scores: Record<string, number> = { 1: psnr(full, oracle) };
  for (const scale of SCALES) scores[scale] = psnr(decodeToImage(bytes, scale), areaDownscale(oracle, scale));
  console.log(
    `PSNR dB ${name}: ${Object.entries(scores)
      .map(([s, v]) => `1/${s} ${v.toFixed(1)}`)
      .join(', ')}`,
  );
  expect(scores[1], `${name} scale 1`).toBeGreaterThanOrEqual(45);
  for (const scale of SCALES) expect(scores[scale], `${name} scale ${scale}`).toBeGreaterThanOrEqual(scaledFloor);
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PipelineError) return error.code;
    return `not a PipelineError: ${String(error)}`;
  }
  return 'no error';
}

const decodeAt =
  (bytes: Uint8Array, scale: JpegScale = 1, extra = {}) =>
  () =>
    decodeJpeg(bytes, { scale, ...extra }, { put: () => {} });

describe('decodeJpeg against mozjpeg (mozjpeg-encoded corpus)', () => {
  const modes: [string, MozjpegOptions][] = [
    ['baseline 4:2:0', { lumaFactor: 2 }],
    ['baseline 4:4:4', { lumaFactor: 1 }],
    ['baseline grayscale', { colorSpace: 1 }],
    ['baseline RGB (Adobe transform 0)', { colorSpace: 2, lumaFactor: 1 }],
    ['progressive 4:2:0', { progressive: true, lumaFactor: 2 }],
    ['progressive 4:4:4', { progressive: true, lumaFactor: 1 }],
    // 3×3 luma + 2 chroma is 11 blocks, over the 10 an interleaved MCU may hold
    // (ITU T.81 §B.2.3), so mozjpeg writes it only progressive (separate DC scans).
    ['progressive 3x3 luma', { progressive: true, lumaFactor: 3 }],
    ['progressive grayscale', { progressive: true, colorSpace: 1 }],
    ['progressive 4:2:0 q60', { progressive: true, lumaFactor: 2, quality: 60 }],
  ];
  for (const [mode, opts] of modes) {
    for (const [w, h] of SIZES) {
      it(`${mode} ${w}x${h}`, async () => {
        const bytes = await mozjpegEncode(testPicture(w, h, w * 7 + h), opts);
        await expectMatchesOracle(bytes, `${mode} ${w}x${h}`);
      });
    }
  }
});

function ycc(img: RgbaImage, factors: [number, number][]): SimpleComponent[] {
  const planes = ycbcrPlanes(img);
  return factors.map(([h, v], i) => ({ h, v, sample: planes[i]! }));
}

describe('decodeJpeg against mozjpeg (hand-encoded layouts)', () => {
  const layouts: [
    string,
    [number, number][],
    { restartInterval?: number; separateScans?: boolean; sofMarker?: number },
  ][] = [
    [
      '4:2:2',
      [
        [2, 1],
        [1, 1],
        [1, 1],
      ],
      {},
    ],
    [
      '4:4:0',
      [
        [1, 2],
        [1, 1],
        [1, 1],
      ],
      {},
    ],
    [
      '4:1:1',
      [
        [4, 1],
        [1, 1],
        [1, 1],
      ],
      {},
    ],
    [
      'luma 2x2, Cb 1x2, Cr 1x1',
      [
        [2, 2],
        [1, 2],
        [1, 1],
      ],
      {},
    ],
    [
      'luma 3x1 (factor 3)',
      [
        [3, 1],
        [1, 1],
        [1, 1],
      ],
      {},
    ],
    [
      '4:2:0 restart every 3 MCUs',
      [
        [2, 2],
        [1, 1],
        [1, 1],
      ],
      { restartInterval: 3 },
    ],
    [
      '4:4:4 restart every MCU',
      [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
      { restartInterval: 1 },
    ],
    [
      '4:2:0 one scan per component',
      [
        [2, 2],
        [1, 1],
        [1, 1],
      ],
      { separateScans: true },
    ],
    [
      '4:2:2 one scan per component, restarts',
      [
        [2, 1],
        [1, 1],
        [1, 1],
      ],
      { separateScans: true, restartInterval: 2 },
    ],
    [
      '4:2:0 SOF1 extended sequential',
      [
        [2, 2],
        [1, 1],
        [1, 1],
      ],
      { sofMarker: 0xc1 },
    ],
  ];
  for (const [name, factors, extra] of layouts) {
    for (const [w, h] of SIZES) {
      it(`${name} ${w}x${h}`, async () => {
        const img = testPicture(w, h, w + h * 3);
        const bytes = encodeSimpleJpeg({ width: w, height: h, components: ycc(img, factors), ...extra });
        await expectMatchesOracle(bytes, `${name} ${w}x${h}`);
      });
    }
  }

  it('grayscale with restart intervals', async () => {
    const img = testPicture(53, 41, 5);
    const [y] = ycbcrPlanes(img);
    const bytes = encodeSimpleJpeg({
      width: 53,
      height: 41,
      components: [{ h: 1, v: 1, sample: y }],
      restartInterval: 5,
    });
    await expectMatchesOracle(bytes, 'grayscale restart 5');
  });
});

describe('decodeJpeg CMYK and YCCK', () => {
  const w = 45;
  const h = 33;
  // Stored ink planes as an Adobe file holds them: inverted, 255 = no ink.
  const ink = [
    (x: number, _y: number) => 255 - ((x * 5) % 256),
    (_x: number, y: number) => 255 - ((y * 7) % 256),
    (x: number, y: number) => 128 + 100 * Math.sin((x + y) / 7),
    (x: number, _y: number) => 200 + 50 * Math.cos(x / 11),
  ];
  const clampRound = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  const expected = (inverted: boolean): RgbaImage => {
    const data = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = ink.map((f) => clampRound(f(x, y)));
        const [c, m, yy, k] = inverted ? v : v.map((n) => 255 - n);
        data.set([(c! * k!) / 255, (m! * k!) / 255, (yy! * k!) / 255, 255], (y * w + x) * 4);
      }
    }
    return { width: w, height: h, data };
  };

  it('Adobe CMYK (transform 0) is read as inverted CMYK: R = C·K/255', () => {
    const bytes = encodeSimpleJpeg({
      width: w,
      height: h,
      adobeTransform: 0,
      components: ink.map((sample) => ({ h: 1, v: 1, sample })),
    });
    const score = psnr(decodeToImage(bytes, 1), expected(true));
    console.log(`PSNR dB Adobe CMYK: ${score.toFixed(1)}`);
    expect(score).toBeGreaterThanOrEqual(38);
    const half = psnr(decodeToImage(bytes, 2), areaDownscale(expected(true), 2));
    expect(half).toBeGreaterThanOrEqual(34);
  });

  it('CMYK without an Adobe marker is read as plain CMYK', () => {
    // The same stored planes mean the opposite inks without the marker.
    const bytes = encodeSimpleJpeg({ width: w, height: h, components: ink.map((sample) => ({ h: 1, v: 1, sample })) });
    const score = psnr(decodeToImage(bytes, 1), expected(false));
    console.log(`PSNR dB plain CMYK: ${score.toFixed(1)}`);
    expect(score).toBeGreaterThanOrEqual(38);
  });

  it('YCCK (Adobe transform 2) converts to the same colours as the CMYK it encodes', () => {
    // YCCK stores Y/Cb/Cr of (255 − C, 255 − M, 255 − Y) with K as is (libjpeg jccolor.c cmyk_ycck_convert).
    const rgbOf = (x: number, y: number) => [0, 1, 2].map((i) => 255 - clampRound(ink[i]!(x, y)));
    const [py, pcb, pcr] = [
      (x: number, y: number) => {
        const [r, g, b] = rgbOf(x, y);
        return 0.299 * r! + 0.587 * g! + 0.114 * b!;
      },
      (x: number, y: number) => {
        const [r, g, b] = rgbOf(x, y);
        return 128 - 0.168736 * r! - 0.331264 * g! + 0.5 * b!;
      },
      (x: number, y: number) => {
        const [r, g, b] = rgbOf(x, y);
        return 128 + 0.5 * r! - 0.418688 * g! - 0.081312 * b!;
      },
    ];
    const bytes = encodeSimpleJpeg({
      width: w,
      height: h,
      adobeTransform: 2,
      components: [py, pcb, pcr, ink[3]!].map((sample) => ({ h: 1, v: 1, sample })),
    });
    const score = psnr(decodeToImage(bytes, 1), expected(true));
    console.log(`PSNR dB YCCK: ${score.toFixed(1)}`);
    expect(score).toBeGreaterThanOrEqual(36);
  });
});

describe('decodeJpeg output and options', () => {
  it('scaledSize rounds up like libjpeg scale_denom', () => {
    expect(scaledSize(4032, 3024, 8)).toEqual({ width: 504, height: 378 });
    expect(scaledSize(37, 29, 1)).toEqual({ width: 37, height: 29 });
    expect(scaledSize(37, 29, 2)).toEqual({ width: 19, height: 15 });
    expect(scaledSize(37, 29, 4)).toEqual({ width: 10, height: 8 });
    expect(scaledSize(37, 29, 8)).toEqual({ width: 5, height: 4 });
  });

  it('returns the output size and emits each row once, in order, with alpha 255', async () => {
    const bytes = await mozjpegEncode(testPicture(131, 67, 1), { progressive: true });
    for (const scale of [1, 2, 4, 8] as JpegScale[]) {
      const img = decodeToImage(bytes, scale);
      expect({ width: img.width, height: img.height }).toEqual(scaledSize(131, 67, scale));
      for (let i = 3; i < img.data.length; i += 4) expect(img.data[i]).toBe(255);
    }
  });

  it('refuses more pixels than maxPixels before decoding', async () => {
    const bytes = await mozjpegEncode(testPicture(64, 48, 2));
    let rows = 0;
    const run = () => decodeJpeg(bytes, { scale: 1, maxPixels: 64 * 48 - 1 }, { put: () => rows++ });
    expect(codeOf(run)).toBe('dimensions_exceeded');
    expect(rows).toBe(0);
    expect(codeOf(decodeAt(bytes, 1, { maxPixels: 64 * 48 }))).toBe('no error');
  });

  it('lets an error from the row sink through unchanged', async () => {
    const bytes = await mozjpegEncode(testPicture(37, 29, 2));
    const mine = new Error('stop');
    expect(() =>
      decodeJpeg(
        bytes,
        { scale: 1 },
        {
          put: () => {
            throw mine;
          },
        },
      ),
    ).toThrow(mine);
  });
});

/** Offset of the first byte of segment `marker`, or -1. */
function findMarker(bytes: Uint8Array, marker: number): number {
  for (let i = 2; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === marker) return i;
  return -1;
}

describe('decodeJpeg rejections', () => {
  it('rejects a file truncated at any offset with invalid_image', async () => {
    const files = [
      await mozjpegEncode(testPicture(64, 48, 3)),
      await mozjpegEncode(testPicture(64, 48, 4), { progressive: true }),
      encodeSimpleJpeg({
        width: 40,
        height: 24,
        components: ycc(testPicture(40, 24, 5), [
          [2, 2],
          [1, 1],
          [1, 1],
        ]),
        restartInterval: 2,
      }),
    ];
    for (const bytes of files) {
      for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 150))) {
        for (const scale of [1, 8] as JpegScale[]) {
          expect(codeOf(decodeAt(bytes.subarray(0, cut), scale)), `cut at ${cut} of ${bytes.length}`).toBe(
            'invalid_image',
          );
        }
      }
      expect(codeOf(decodeAt(bytes.subarray(0, bytes.length - 1)))).toBe('invalid_image');
      expect(codeOf(decodeAt(bytes))).toBe('no error');
    }
  });

  it('rejects a progressive file with more scans than maxScans', async () => {
    const bytes = await mozjpegEncode(testPicture(64, 48, 6), { progressive: true });
    let scans = 0;
    for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xda) scans++;
    expect(scans).toBeGreaterThan(2);
    expect(codeOf(decodeAt(bytes, 1, { maxScans: scans - 1 }))).toBe('invalid_image');
    expect(codeOf(decodeAt(bytes, 1, { maxScans: scans }))).toBe('no error');

    // 150 copies of the last scan: refused at the default limit (100) before they are decoded.
    const eoi = bytes.length - 2;
    let lastSos = eoi;
    while (!(bytes[lastSos] === 0xff && bytes[lastSos + 1] === 0xda)) lastSos--;
    const scan = bytes.subarray(lastSos, eoi);
    const many = new Uint8Array(lastSos + scan.length * 150 + 2);
    many.set(bytes.subarray(0, lastSos));
    for (let i = 0; i < 150; i++) many.set(scan, lastSos + i * scan.length);
    many.set([0xff, 0xd9], many.length - 2);
    try {
      decodeJpeg(many, { scale: 8 }, { put: () => {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as PipelineError).code).toBe('invalid_image');
      expect((error as PipelineError).details).toEqual({ maxScans: 100 });
    }
  });

  it('rejects arithmetic, lossless and hierarchical frames', async () => {
    const bytes = await mozjpegEncode(testPicture(37, 29, 7));
    const sof = findMarker(bytes, 0xc0);
    for (const marker of [0xc9, 0xca, 0xcb, 0xcd, 0xc3, 0xc5, 0xc7]) {
      const patched = bytes.slice();
      patched[sof + 1] = marker;
      expect(codeOf(decodeAt(patched)), marker.toString(16)).toBe('invalid_image');
    }
  });

  it('rejects 12-bit samples, zero height (DNL) and missing tables', async () => {
    const bytes = await mozjpegEncode(testPicture(37, 29, 8));
    const sof = findMarker(bytes, 0xc0);
    const twelve = bytes.slice();
    twelve[sof + 4] = 12;
    expect(codeOf(decodeAt(twelve))).toBe('invalid_image');
    const noHeight = bytes.slice();
    noHeight[sof + 5] = 0;
    noHeight[sof + 6] = 0;
    expect(codeOf(decodeAt(noHeight))).toBe('invalid_image');
    for (const marker of [0xc4, 0xdb]) {
      const at = findMarker(bytes, marker);
      const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
      const without = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 2 + length)]);
      // mozjpeg writes each table kind in one or more segments; drop them all.
      let stripped = without;
      for (let next = findMarker(stripped, marker); next >= 0; next = findMarker(stripped, marker)) {
        const len = (stripped[next + 2]! << 8) | stripped[next + 3]!;
        stripped = new Uint8Array([...stripped.subarray(0, next), ...stripped.subarray(next + 2 + len)]);
      }
      expect(codeOf(decodeAt(stripped)), marker.toString(16)).toBe('invalid_image');
    }
  });

  it('rejects Huffman codes that do not exist', () => {
    // The hand encoder's AC table has 162 codes of 8 bits, so 0xFE/0xFF prefixes match nothing.
    const bytes = encodeSimpleJpeg({ width: 16, height: 16, components: [{ h: 1, v: 1, sample: (x) => x * 8 }] });
    const sos = findMarker(bytes, 0xda);
    const data = sos + 2 + ((bytes[sos + 2]! << 8) | bytes[sos + 3]!);
    const patched = bytes.slice();
    // DC code (4 bits) + value, then an AC code of all ones: 1111 1111 1...
    patched[data] = 0x0f;
    patched[data + 1] = 0xfe;
    patched[data + 2] = 0xfe;
    expect(codeOf(decodeAt(patched))).toBe('invalid_image');
  });

  it('never throws anything but PipelineError on corrupted data, and always ends', async () => {
    const files = [
      await mozjpegEncode(testPicture(64, 48, 9)),
      await mozjpegEncode(testPicture(64, 48, 10), { progressive: true }),
      await mozjpegEncode(testPicture(37, 29, 11), { progressive: true, lumaFactor: 1 }),
    ];
    let state = 12345;
    const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (const bytes of files) {
      for (let trial = 0; trial < 120; trial++) {
        const corrupt = bytes.slice();
        const hits = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < hits; i++) corrupt[Math.floor(rand() * corrupt.length)] = Math.floor(rand() * 256);
        const scale = ([1, 2, 4, 8] as JpegScale[])[trial % 4]!;
        const code = codeOf(decodeAt(corrupt, scale));
        expect(['no error', 'invalid_image', 'dimensions_exceeded']).toContain(code);
      }
    }
  });
});

// CPU sanity, measured by hand in workerd (vitest pool), never asserted: a
// 4032×3024 mozjpeg q85 4:2:0 file of this test picture took, baseline (1.0 MB)
// 240 / 200 / 140 / 100 ms at 1/1, 1/2, 1/4, 1/8, and progressive (0.9 MB)
// 480 / 620 / 390 / 300 ms; mozjpeg's own full decode was 420 / 730 ms.

import { describe, expect, it } from 'vitest';
import { MAX_GIF_FRAMES } from '../../src/pipeline/gif/container';
import { MAX_JPEG_SCANS } from '../../src/pipeline/jpeg/container';
import { probeImage } from '../../src/pipeline/probe';
import { assertComplete } from '../../src/pipeline/structure';
import type { ImageFormat } from '../../src/pipeline/formats';
import { encodeGif, type Rgb } from '../helpers/gif-encode';
import {
  alphPayload,
  ANIM,
  animatedWebp,
  anmfPayload,
  ENTROPY,
  ihdr,
  makeJpeg,
  makePng,
  sofPayload,
  vp8lPayload,
  vp8Payload,
  VP8X_ALPHA,
  VP8X_ANIMATION,
  vp8xPayload,
  webpFile,
} from '../fixtures/containers';
import { ascii, bytes, u32le } from '../fixtures/bytes';
import { jpegSegment } from '../fixtures/jpeg';
import { PNG_SIGNATURE, pngChunk } from '../fixtures/png';
import { riffChunk } from '../fixtures/webp';
import { nonPipelineError, prefixes, seededRandom, thrownCode } from '../helpers/pipeline-error';

const PALETTE: Rgb[] = [
  [0, 0, 0],
  [255, 255, 255],
];

function check(format: ImageFormat, data: Uint8Array): string {
  return thrownCode(() => assertComplete(data, format));
}

/** Replaces the byte at `offset` (negative counts from the end). */
function withByte(data: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = data.slice();
  copy[offset < 0 ? copy.length + offset : offset] = value;
  return copy;
}

describe('assertComplete: JPEG', () => {
  it.each([
    { name: 'baseline', jpeg: makeJpeg() },
    { name: 'progressive with 10 scans', jpeg: makeJpeg({ sof: 0xc2, scans: 10 }) },
    { name: `${MAX_JPEG_SCANS} scans`, jpeg: makeJpeg({ sof: 0xc2, scans: MAX_JPEG_SCANS, entropy: [1] }) },
    { name: 'bytes after EOI', jpeg: bytes(makeJpeg(), ascii('trailing junk')) },
    { name: 'empty entropy-coded data', jpeg: makeJpeg({ entropy: [] }) },
    { name: 'fill bytes before EOI', jpeg: bytes(makeJpeg({ eoi: false }), 0xff, 0xff, 0xd9) },
    {
      name: 'DRI and a COM segment between scans',
      jpeg: bytes(
        makeJpeg({ eoi: false }),
        jpegSegment(0xdd, [0, 4]),
        jpegSegment(0xfe, ascii('hi')),
        jpegSegment(0xda, [3, 1, 0, 2, 0, 3, 0, 0, 63, 0]),
        ENTROPY,
        0xff,
        0xd9,
      ),
    },
  ])('accepts $name', ({ jpeg }) => {
    expect(check('jpeg', jpeg)).toBe('none');
  });

  it.each([
    { name: 'missing EOI', jpeg: makeJpeg({ eoi: false }) },
    { name: 'missing EOI, data ending in a stuffed byte', jpeg: makeJpeg({ eoi: false, entropy: [0x11, 0xff, 0x00] }) },
    { name: 'missing EOI, data ending in FF', jpeg: makeJpeg({ eoi: false, entropy: [0x11, 0xff] }) },
    { name: 'EOI without a scan', jpeg: bytes(0xff, 0xd8, jpegSegment(0xc0, sofPayload(2, 2)), 0xff, 0xd9) },
    { name: 'segment length past the end', jpeg: bytes(makeJpeg({ eoi: false }), 0xff, 0xfe, 0x01, 0x00, 1, 2, 3) },
    { name: 'SOS before SOF', jpeg: bytes(0xff, 0xd8, jpegSegment(0xda, [1, 1, 0, 0, 63, 0]), 1, 0xff, 0xd9) },
    { name: 'two frame headers', jpeg: makeJpeg({ before: [jpegSegment(0xc0, sofPayload(2, 2))] }) },
    { name: 'a second SOI', jpeg: bytes(makeJpeg({ eoi: false }), 0xff, 0xd8, 0xff, 0xd9) },
    {
      name: 'scan header with 0 components',
      jpeg: bytes(makeJpeg({ eoi: false }), jpegSegment(0xda, [0, 0, 63, 0]), 0xff, 0xd9),
    },
    {
      name: 'scan header length mismatch',
      jpeg: bytes(makeJpeg({ eoi: false }), jpegSegment(0xda, [2, 1, 0, 0, 63, 0]), 0xff, 0xd9),
    },
    { name: `${MAX_JPEG_SCANS + 1} scans`, jpeg: makeJpeg({ sof: 0xc2, scans: MAX_JPEG_SCANS + 1, entropy: [1] }) },
    { name: 'unsupported coding', jpeg: makeJpeg({ sof: 0xc9 }) },
  ])('rejects $name as invalid_image', ({ jpeg }) => {
    expect(check('jpeg', jpeg)).toBe('invalid_image');
  });

  it('rejects every truncation of a progressive JPEG', () => {
    const jpeg = makeJpeg({ sof: 0xc2, scans: 3 });
    for (const prefix of prefixes(jpeg)) expect(check('jpeg', prefix), `length ${prefix.length}`).toBe('invalid_image');
  });
});

describe('assertComplete: PNG', () => {
  it.each([
    { name: 'one IDAT', png: makePng() },
    { name: 'three consecutive IDATs', png: makePng({ idatCount: 3 }) },
    {
      name: 'ancillary chunks around the data',
      png: makePng({ before: [pngChunk('gAMA', [0, 0, 0xb1, 0x8f])], after: [pngChunk('tEXt', ascii('k\0v'))] }),
    },
    { name: 'palette with PLTE', png: makePng({ colorType: 3 }) },
    { name: 'bytes after IEND', png: bytes(makePng(), ascii('trailing')) },
    {
      name: 'APNG fdAT after IDAT',
      png: makePng({ after: [pngChunk('fcTL', new Array(26).fill(0)), pngChunk('fdAT', [0, 0, 0, 1, 9])] }),
    },
  ])('accepts $name', ({ png }) => {
    expect(check('png', png)).toBe('none');
  });

  const good = makePng({ before: [pngChunk('gAMA', [0, 0, 0xb1, 0x8f])] });
  // Offsets: signature 8, IHDR 25 bytes, gAMA 16 bytes, IDAT 17 bytes, IEND 12 bytes.
  it.each([
    { name: 'a flipped bit in IHDR', offset: 8 + 10 },
    { name: 'a flipped bit in an ancillary chunk', offset: 33 + 9 },
    { name: 'a flipped bit in IDAT data', offset: 49 + 9 },
    { name: 'a wrong IDAT CRC', offset: 49 + 16 },
    { name: 'a wrong IEND CRC', offset: -1 },
  ])('rejects $name (CRC mismatch)', ({ offset }) => {
    const index = offset < 0 ? good.length + offset : offset;
    expect(check('png', withByte(good, index, good[index]! ^ 0x01))).toBe('invalid_image');
  });

  it.each([
    { name: 'missing IEND', png: makePng({ iend: false }) },
    { name: 'no IDAT', png: makePng({ idatCount: 0 }) },
    {
      name: 'IDATs not consecutive',
      png: makePng({ idatCount: 1, after: [pngChunk('tEXt', ascii('k\0v')), pngChunk('IDAT', [1])] }),
    },
    { name: 'palette image without PLTE', png: makePng({ colorType: 3, before: [] }) },
    { name: 'PLTE not a multiple of 3', png: makePng({ colorType: 3, before: [pngChunk('PLTE', [1, 2, 3, 4])] }) },
    { name: 'a second IHDR', png: makePng({ before: [ihdr(1, 1)] }) },
    { name: 'invalid chunk type', png: makePng({ before: [pngChunk('t3Xt', [1])] }) },
    { name: 'chunk length over 2^31 - 1', png: bytes(PNG_SIGNATURE, ihdr(1, 1), 0x80, 0, 0, 0, ascii('IDAT')) },
    { name: 'IHDR not first', png: bytes(PNG_SIGNATURE, pngChunk('IDAT', [1]), ihdr(1, 1), pngChunk('IEND')) },
  ])('rejects $name as invalid_image', ({ png }) => {
    expect(check('png', png)).toBe('invalid_image');
  });

  it('rejects every truncation', () => {
    const png = makePng({ idatCount: 2 });
    for (const prefix of prefixes(png)) expect(check('png', prefix), `length ${prefix.length}`).toBe('invalid_image');
  });
});

describe('assertComplete: GIF', () => {
  const frame = { width: 2, height: 2, indices: [0, 1, 1, 0] };
  const gif = encodeGif([frame, { ...frame, transparentIndex: 1, delayCs: 5 }], {
    width: 2,
    height: 2,
    palette: PALETTE,
    loop: true,
  });

  it.each([
    { name: 'an animation with extensions', gif },
    { name: 'bytes after the trailer', gif: bytes(gif, ascii('junk')) },
    {
      name: 'no global colour table, a local one',
      gif: encodeGif([{ ...frame, localPalette: PALETTE }], { width: 2, height: 2 }),
    },
    {
      name: 'a comment extension',
      gif: bytes(gif.subarray(0, 13 + 6), 0x21, 0xfe, 3, ascii('abc'), 0, gif.subarray(13 + 6)),
    },
  ])('accepts $name', ({ gif: data }) => {
    expect(check('gif', data)).toBe('none');
  });

  const oneFrame = encodeGif([{ width: 1, height: 1, indices: [0] }], { width: 1, height: 1, palette: PALETTE });
  const image = oneFrame.subarray(13 + 6, oneFrame.length - 1);
  it.each([
    { name: 'missing trailer', gif: gif.subarray(0, gif.length - 1) },
    { name: 'unknown block', gif: bytes(gif.subarray(0, gif.length - 1), 0x00, 0x3b) },
    { name: 'no image', gif: bytes(gif.subarray(0, 13 + 6), 0x3b) },
    { name: 'LZW minimum code size 0', gif: withByte(oneFrame, 13 + 6 + 10, 0) },
    { name: 'LZW minimum code size 9', gif: withByte(oneFrame, 13 + 6 + 10, 9) },
    { name: 'a sub-block past the end', gif: bytes(oneFrame.subarray(0, 13 + 6 + 11), 200, 1, 2, 3) },
    {
      name: `${MAX_GIF_FRAMES + 1} frames`,
      gif: bytes(oneFrame.subarray(0, 13 + 6), ...new Array<Uint8Array>(MAX_GIF_FRAMES + 1).fill(image), 0x3b),
    },
  ])('rejects $name as invalid_image', ({ gif: data }) => {
    expect(check('gif', data)).toBe('invalid_image');
  });

  it(`accepts ${MAX_GIF_FRAMES} frames`, () => {
    const data = bytes(oneFrame.subarray(0, 13 + 6), ...new Array<Uint8Array>(MAX_GIF_FRAMES).fill(image), 0x3b);
    expect(check('gif', data)).toBe('none');
  });

  it('rejects every truncation', () => {
    for (const prefix of prefixes(gif)) expect(check('gif', prefix), `length ${prefix.length}`).toBe('invalid_image');
  });
});

describe('assertComplete: WebP', () => {
  const stillWithAlpha = webpFile(
    riffChunk('VP8X', vp8xPayload(VP8X_ALPHA, 6, 5)),
    riffChunk('ICCP', [1, 2, 3]),
    riffChunk('ALPH', alphPayload()),
    riffChunk('VP8 ', vp8Payload(6, 5)),
    riffChunk('XMP ', ascii('<x/>')),
  );
  const lossless = webpFile(riffChunk('VP8L', vp8lPayload(7, 3, true)));
  /** A lossless file whose only chunk has an odd size, so it ends in a padding byte. */
  const oddLossless = webpFile(riffChunk('VP8L', [...vp8lPayload(7, 3), 9]));

  it.each([
    { name: 'simple lossy', webp: webpFile(riffChunk('VP8 ', vp8Payload(9, 9))) },
    { name: 'simple lossless', webp: lossless },
    { name: 'extended with ALPH, ICCP and XMP', webp: stillWithAlpha },
    {
      name: 'extended lossless',
      webp: webpFile(riffChunk('VP8X', vp8xPayload(0, 7, 3)), riffChunk('VP8L', vp8lPayload(7, 3))),
    },
    { name: 'animated', webp: animatedWebp() },
    { name: 'bytes after the RIFF size', webp: bytes(lossless, ascii('junk')) },
    { name: 'missing final padding byte', webp: oddLossless.subarray(0, oddLossless.length - 1) },
  ])('accepts $name', ({ webp }) => {
    expect(check('webp', webp)).toBe('none');
  });

  const withRiffSize = (data: Uint8Array, size: number) => bytes(data.subarray(0, 4), u32le(size), data.subarray(8));
  it.each([
    { name: 'RIFF size past the end', webp: withRiffSize(lossless, lossless.length) },
    { name: 'RIFF size smaller than a chunk header', webp: withRiffSize(lossless, 8) },
    { name: 'chunk cut by the RIFF size', webp: withRiffSize(lossless, lossless.length - 10) },
    {
      name: 'garbage inside the RIFF after the image',
      webp: webpFile(riffChunk('VP8L', vp8lPayload(7, 3)), bytes(1, 2, 3, 4)),
    },
    { name: 'VP8L version bits set', webp: webpFile(riffChunk('VP8L', vp8lPayload(7, 3, false, 2))) },
    { name: 'VP8 inter frame', webp: webpFile(riffChunk('VP8 ', vp8Payload(9, 9, { keyFrame: false }))) },
    { name: 'VP8 bad start code', webp: webpFile(riffChunk('VP8 ', vp8Payload(9, 9, { startCode: [0, 0, 0] }))) },
    {
      name: 'extended still without image',
      webp: webpFile(riffChunk('VP8X', vp8xPayload(0, 6, 5)), riffChunk('ICCP', [1])),
    },
    {
      name: 'extended still size mismatch',
      webp: webpFile(riffChunk('VP8X', vp8xPayload(0, 6, 5)), riffChunk('VP8 ', vp8Payload(6, 4))),
    },
    {
      name: 'ALPH followed by VP8L',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ALPHA, 2, 2)),
        riffChunk('ALPH', alphPayload()),
        riffChunk('VP8L', vp8lPayload(2, 2)),
      ),
    },
    {
      name: 'ALPH compression 2',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ALPHA, 2, 2)),
        riffChunk('ALPH', alphPayload(0x02)),
        riffChunk('VP8 ', vp8Payload(2, 2)),
      ),
    },
    {
      name: 'ALPH reserved bits set',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ALPHA, 2, 2)),
        riffChunk('ALPH', alphPayload(0x41)),
        riffChunk('VP8 ', vp8Payload(2, 2)),
      ),
    },
    {
      name: 'animation without ANIM',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 2, 2)),
        riffChunk('ANMF', anmfPayload(0, 0, 2, 2, riffChunk('VP8L', vp8lPayload(2, 2)))),
      ),
    },
    { name: 'animation without frames', webp: webpFile(riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 2, 2)), ANIM) },
    {
      name: 'frame outside the canvas',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 4, 4)),
        ANIM,
        riffChunk('ANMF', anmfPayload(2, 0, 3, 2, riffChunk('VP8L', vp8lPayload(3, 2)))),
      ),
    },
    {
      name: 'frame size not matching its image',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 4, 4)),
        ANIM,
        riffChunk('ANMF', anmfPayload(0, 0, 2, 2, riffChunk('VP8L', vp8lPayload(3, 2)))),
      ),
    },
    {
      name: 'frame without image',
      webp: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 4, 4)),
        ANIM,
        riffChunk('ANMF', anmfPayload(0, 0, 2, 2)),
      ),
    },
    { name: 'a later frame broken', webp: webpFile(...[animatedWebp().subarray(12), riffChunk('ANMF', [1, 2, 3])]) },
  ])('rejects $name as invalid_image', ({ webp }) => {
    expect(check('webp', webp)).toBe('invalid_image');
  });

  it.each([
    { name: 'extended with alpha', webp: stillWithAlpha },
    { name: 'animated', webp: animatedWebp() },
    { name: 'lossless', webp: lossless },
  ])('rejects every truncation: $name', ({ webp }) => {
    for (const prefix of prefixes(webp)) expect(check('webp', prefix), `length ${prefix.length}`).toBe('invalid_image');
  });
});

describe('assertComplete: empty input', () => {
  it.each(['jpeg', 'png', 'gif', 'webp'] as const)('%s', (format) => {
    expect(check(format, bytes())).toBe('invalid_image');
  });
});

describe('probe and assertComplete on corrupted bytes', () => {
  const samples = [
    { name: 'JPEG', data: makeJpeg({ sof: 0xc2, scans: 3 }) },
    { name: 'PNG', data: makePng({ colorType: 3, idatCount: 2 }) },
    {
      name: 'GIF',
      data: encodeGif(
        [
          { width: 3, height: 2, indices: [0, 1, 1, 0, 1, 0], transparentIndex: 1, interlace: true },
          { width: 1, height: 1, indices: [1], left: 2 },
        ],
        { width: 3, height: 2, palette: PALETTE, loop: true },
      ),
    },
    { name: 'WebP animated', data: animatedWebp() },
    {
      name: 'WebP extended',
      data: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_ALPHA, 6, 5)),
        riffChunk('ALPH', alphPayload()),
        riffChunk('VP8 ', vp8Payload(6, 5)),
      ),
    },
  ];

  it.each(samples)('$name: 1500 random mutations only ever throw PipelineError', ({ data }) => {
    const random = seededRandom(data.length);
    for (let i = 0; i < 1500; i++) {
      const mutated = data.slice();
      const edits = 1 + Math.floor(random() * 4);
      for (let k = 0; k < edits; k++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      expect(
        nonPipelineError(() => probeImage(mutated)),
        `probe, case ${i}`,
      ).toBeUndefined();
      for (const format of ['jpeg', 'png', 'gif', 'webp'] as const) {
        expect(
          nonPipelineError(() => assertComplete(mutated, format)),
          `${format}, case ${i}`,
        ).toBeUndefined();
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { probeImage } from '../../src/pipeline/probe';
import { encodeGif, type Rgb } from '../helpers/gif-encode';
import {
  alphPayload,
  ANIM,
  animatedWebp,
  anmfPayload,
  EXIF_PREFIX,
  ihdr,
  makeJpeg,
  makePng,
  makeTiff,
  sofPayload,
  vp8lPayload,
  vp8Payload,
  VP8X_ALPHA,
  VP8X_ANIMATION,
  VP8X_EXIF,
  vp8xPayload,
  webpFile,
} from '../fixtures/containers';
import { ascii, bytes, u16le, u32be } from '../fixtures/bytes';
import { app1Exif, jpegSegment } from '../fixtures/jpeg';
import { PNG_SIGNATURE, pngChunk } from '../fixtures/png';
import { riffChunk } from '../fixtures/webp';
import { nonPipelineError, prefixes, thrownCode } from '../helpers/pipeline-error';

const ORIENTATION_CASES = (['II', 'MM'] as const).flatMap((order) =>
  ([1, 2, 3, 4, 5, 6, 7, 8] as const).map((orientation) => ({ order, orientation })),
);
const PALETTE: Rgb[] = [
  [0, 0, 0],
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
];

describe('probeImage: JPEG', () => {
  it.each([
    { name: 'baseline (SOF0)', sof: 0xc0, progressive: false },
    { name: 'extended sequential (SOF1)', sof: 0xc1, progressive: false },
    { name: 'progressive (SOF2)', sof: 0xc2, progressive: true },
  ])('reads $name', ({ sof, progressive }) => {
    expect(probeImage(makeJpeg({ sof, width: 640, height: 480 }))).toEqual({
      format: 'jpeg',
      width: 640,
      height: 480,
      orientation: 1,
      frames: 1,
      hasAlpha: false,
      progressive,
    });
  });

  it.each([1, 3, 4])('reads %i components', (components) => {
    expect(probeImage(makeJpeg({ components, width: 3, height: 2 }))).toMatchObject({ width: 3, height: 2 });
  });

  it('reads the largest declared dimensions without allocating', () => {
    expect(probeImage(makeJpeg({ width: 65535, height: 65500 }))).toMatchObject({ width: 65535, height: 65500 });
  });

  it.each(ORIENTATION_CASES)('reads EXIF orientation $orientation ($order)', ({ order, orientation }) => {
    const jpeg = makeJpeg({ before: [app1Exif(makeTiff(orientation, order))] });
    expect(probeImage(jpeg).orientation).toBe(orientation);
  });

  it('uses only the first EXIF APP1, skipping XMP in APP1', () => {
    const xmp = jpegSegment(0xe1, ascii('http://ns.adobe.com/xap/1.0/\0<x/>'));
    const jpeg = makeJpeg({ before: [xmp, app1Exif(makeTiff(6, 'II')), app1Exif(makeTiff(3, 'II'))] });
    expect(probeImage(jpeg).orientation).toBe(6);
  });

  it('reads orientation 1 from malformed EXIF without rejecting the image', () => {
    const jpeg = makeJpeg({ before: [jpegSegment(0xe1, bytes(EXIF_PREFIX, ascii('II*\0'), 0xff, 0xff))] });
    expect(probeImage(jpeg)).toMatchObject({ orientation: 1, width: 16, height: 8 });
  });

  it('allows fill bytes before a marker', () => {
    const jpeg = bytes(0xff, 0xd8, 0xff, 0xff, 0xff, jpegSegment(0xc0, sofPayload(5, 7)).subarray(1));
    expect(probeImage(jpeg)).toMatchObject({ width: 5, height: 7 });
  });

  it.each([
    { name: 'lossless (SOF3)', sof: 0xc3 },
    { name: 'differential sequential (SOF5)', sof: 0xc5 },
    { name: 'differential progressive (SOF6)', sof: 0xc6 },
    { name: 'differential lossless (SOF7)', sof: 0xc7 },
    { name: 'arithmetic sequential (SOF9)', sof: 0xc9 },
    { name: 'arithmetic progressive (SOF10)', sof: 0xca },
    { name: 'arithmetic lossless (SOF11)', sof: 0xcb },
    { name: 'arithmetic differential (SOF13)', sof: 0xcd },
    { name: 'arithmetic differential progressive (SOF14)', sof: 0xce },
    { name: 'arithmetic differential lossless (SOF15)', sof: 0xcf },
  ])('rejects $name coding as invalid_image', ({ sof }) => {
    expect(thrownCode(() => probeImage(makeJpeg({ sof })))).toBe('invalid_image');
  });

  it.each([
    { name: '12-bit precision', jpeg: makeJpeg({ precision: 12 }) },
    { name: 'height 0 (DNL)', jpeg: makeJpeg({ height: 0 }) },
    { name: 'width 0', jpeg: makeJpeg({ width: 0 }) },
    { name: '2 components', jpeg: makeJpeg({ components: 2 }) },
    {
      name: 'SOF length not matching components',
      jpeg: bytes(0xff, 0xd8, jpegSegment(0xc0, [...sofPayload(4, 4), 0])),
    },
    { name: 'sampling factor 0', jpeg: bytes(0xff, 0xd8, jpegSegment(0xc0, [8, 0, 4, 0, 4, 1, 1, 0x00, 0])) },
    { name: 'no SOF before SOS', jpeg: bytes(0xff, 0xd8, jpegSegment(0xda, [1, 1, 0, 0, 63, 0]), 0xff, 0xd9) },
    { name: 'no SOF before EOI', jpeg: bytes(0xff, 0xd8, 0xff, 0xd9) },
    { name: 'segment length past the end', jpeg: bytes(0xff, 0xd8, 0xff, 0xe0, 0x10, 0x00, 1, 2, 3) },
    { name: 'segment length < 2', jpeg: bytes(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0xff, 0xc0) },
    { name: 'garbage instead of a marker', jpeg: bytes(0xff, 0xd8, jpegSegment(0xe0, [1, 2]), 0x00, 0x11, 0x22) },
    { name: 'FF 00 as a marker', jpeg: bytes(0xff, 0xd8, 0xff, 0x00, 0x11, 0x22) },
    { name: 'SOI only', jpeg: bytes(0xff, 0xd8, 0xff) },
  ])('rejects $name as invalid_image', ({ jpeg }) => {
    expect(thrownCode(() => probeImage(jpeg))).toBe('invalid_image');
  });
});

describe('probeImage: PNG', () => {
  it.each([
    { name: 'grayscale', colorType: 0, bitDepth: 1, hasAlpha: false },
    { name: 'grayscale 16-bit', colorType: 0, bitDepth: 16, hasAlpha: false },
    { name: 'RGB', colorType: 2, bitDepth: 8, hasAlpha: false },
    { name: 'palette', colorType: 3, bitDepth: 4, hasAlpha: false },
    { name: 'grayscale + alpha', colorType: 4, bitDepth: 8, hasAlpha: true },
    { name: 'RGBA', colorType: 6, bitDepth: 16, hasAlpha: true },
  ])('reads $name', ({ colorType, bitDepth, hasAlpha }) => {
    expect(probeImage(makePng({ width: 451, height: 300, colorType, bitDepth }))).toEqual({
      format: 'png',
      width: 451,
      height: 300,
      orientation: 1,
      frames: 1,
      hasAlpha,
      interlaced: false,
    });
  });

  it('reads the Adam7 interlace flag', () => {
    const png = bytes(PNG_SIGNATURE, ihdrFields(3, 2, [8, 6, 0, 0, 1]), pngChunk('IDAT', [0]), pngChunk('IEND', []));
    expect(probeImage(png).interlaced).toBe(true);
  });

  it.each([
    { name: 'palette', colorType: 3, before: [pngChunk('PLTE', [0, 0, 0, 9, 9, 9]), pngChunk('tRNS', [0])] },
    { name: 'RGB', colorType: 2, before: [pngChunk('tRNS', [0, 1, 0, 2, 0, 3])] },
  ])('reads hasAlpha from tRNS ($name)', ({ colorType, before }) => {
    expect(probeImage(makePng({ colorType, before })).hasAlpha).toBe(true);
  });

  it('ignores tRNS after IDAT', () => {
    expect(probeImage(makePng({ colorType: 2, after: [pngChunk('tRNS', [0, 1, 0, 2, 0, 3])] })).hasAlpha).toBe(false);
  });

  it('reads the largest declared dimensions without allocating', () => {
    const png = makePng({ width: 2 ** 31 - 1, height: 2 ** 31 - 1, colorType: 0, bitDepth: 1 });
    expect(probeImage(png)).toMatchObject({ width: 2 ** 31 - 1, height: 2 ** 31 - 1 });
  });

  it.each(ORIENTATION_CASES)('reads eXIf orientation $orientation ($order)', ({ order, orientation }) => {
    const png = makePng({ before: [pngChunk('eXIf', makeTiff(orientation, order))] });
    expect(probeImage(png).orientation).toBe(orientation);
  });

  it('reads eXIf written with an Exif\\0\\0 prefix', () => {
    const png = makePng({ before: [pngChunk('eXIf', bytes(EXIF_PREFIX, makeTiff(7, 'MM')))] });
    expect(probeImage(png).orientation).toBe(7);
  });

  it('ignores eXIf after IDAT', () => {
    expect(probeImage(makePng({ after: [pngChunk('eXIf', makeTiff(6, 'II'))] })).orientation).toBe(1);
  });

  it('reads the APNG frame count from acTL', () => {
    const png = makePng({ before: [pngChunk('acTL', [...u32be(12), ...u32be(0)])] });
    expect(probeImage(png).frames).toBe(12);
  });

  it.each([
    { name: 'RGB 4-bit', colorType: 2, bitDepth: 4 },
    { name: 'palette 16-bit', colorType: 3, bitDepth: 16 },
    { name: 'grayscale 3-bit', colorType: 0, bitDepth: 3 },
    { name: 'grayscale+alpha 4-bit', colorType: 4, bitDepth: 4 },
    { name: 'RGBA 1-bit', colorType: 6, bitDepth: 1 },
    { name: 'colour type 1', colorType: 1, bitDepth: 8 },
    { name: 'colour type 5', colorType: 5, bitDepth: 8 },
    { name: 'colour type 7', colorType: 7, bitDepth: 8 },
  ])('rejects an invalid bit depth/colour type: $name', ({ colorType, bitDepth }) => {
    expect(thrownCode(() => probeImage(makePng({ colorType, bitDepth, before: [] })))).toBe('invalid_image');
  });

  const ihdrFields = (w: number, h: number, rest: number[]) => pngChunk('IHDR', [...u32be(w), ...u32be(h), ...rest]);
  it.each([
    { name: 'IHDR not first', png: bytes(PNG_SIGNATURE, pngChunk('tEXt', ascii('a\0b')), ihdr(1, 1)) },
    { name: 'IHDR 12 bytes long', png: bytes(PNG_SIGNATURE, pngChunk('IHDR', new Array(12).fill(1))) },
    { name: 'width 0', png: makePng({ width: 0 }) },
    { name: 'height 0', png: makePng({ height: 0 }) },
    { name: 'width 2^31', png: bytes(PNG_SIGNATURE, ihdrFields(2 ** 31, 1, [8, 6, 0, 0, 0])) },
    { name: 'compression method 1', png: bytes(PNG_SIGNATURE, ihdrFields(1, 1, [8, 6, 1, 0, 0])) },
    { name: 'filter method 1', png: bytes(PNG_SIGNATURE, ihdrFields(1, 1, [8, 6, 0, 1, 0])) },
    { name: 'interlace method 2', png: bytes(PNG_SIGNATURE, ihdrFields(1, 1, [8, 6, 0, 0, 2])) },
    { name: 'chunk before IDAT past the end', png: bytes(PNG_SIGNATURE, ihdr(1, 1), u32be(100), ascii('tEXt'), 1, 2) },
    { name: 'signature only', png: bytes(PNG_SIGNATURE) },
  ])('rejects $name as invalid_image', ({ png }) => {
    expect(thrownCode(() => probeImage(png))).toBe('invalid_image');
  });
});

describe('probeImage: WebP', () => {
  it('reads simple lossy (VP8)', () => {
    expect(probeImage(webpFile(riffChunk('VP8 ', vp8Payload(741, 500))))).toEqual({
      format: 'webp',
      width: 741,
      height: 500,
      orientation: 1,
      frames: 1,
      hasAlpha: false,
    });
  });

  it('ignores the VP8 upscaling bits', () => {
    const payload = vp8Payload(100, 50);
    payload[7]! |= 0xc0;
    payload[9]! |= 0x40;
    expect(probeImage(webpFile(riffChunk('VP8 ', payload)))).toMatchObject({ width: 100, height: 50 });
  });

  it.each([
    { name: 'without alpha', alpha: false },
    { name: 'with alpha', alpha: true },
  ])('reads simple lossless (VP8L) $name', ({ alpha }) => {
    expect(probeImage(webpFile(riffChunk('VP8L', vp8lPayload(16384, 3, alpha))))).toMatchObject({
      width: 16384,
      height: 3,
      hasAlpha: alpha,
      frames: 1,
    });
  });

  it('reads extended (VP8X) with ALPH', () => {
    const webp = webpFile(
      riffChunk('VP8X', vp8xPayload(VP8X_ALPHA, 6, 5)),
      riffChunk('ALPH', alphPayload()),
      riffChunk('VP8 ', vp8Payload(6, 5)),
    );
    expect(probeImage(webp)).toEqual({
      format: 'webp',
      width: 6,
      height: 5,
      orientation: 1,
      frames: 1,
      hasAlpha: true,
    });
  });

  it('reads the largest declared canvas without allocating', () => {
    const webp = webpFile(riffChunk('VP8X', vp8xPayload(0, 2 ** 24, 255)), riffChunk('VP8L', vp8lPayload(1, 1)));
    expect(probeImage(webp)).toMatchObject({ width: 2 ** 24, height: 255 });
  });

  it.each(ORIENTATION_CASES)('reads EXIF orientation $orientation ($order)', ({ order, orientation }) => {
    const webp = webpFile(
      riffChunk('VP8X', vp8xPayload(VP8X_EXIF, 2, 2)),
      riffChunk('VP8L', vp8lPayload(2, 2)),
      riffChunk('EXIF', makeTiff(orientation, order)),
    );
    expect(probeImage(webp).orientation).toBe(orientation);
  });

  it('reads an EXIF chunk with an Exif\\0\\0 prefix', () => {
    const webp = webpFile(
      riffChunk('VP8X', vp8xPayload(VP8X_EXIF, 2, 2)),
      riffChunk('VP8L', vp8lPayload(2, 2)),
      riffChunk('EXIF', bytes(EXIF_PREFIX, makeTiff(5, 'II'))),
    );
    expect(probeImage(webp).orientation).toBe(5);
  });

  it('counts ANMF frames of an animation', () => {
    expect(probeImage(animatedWebp())).toEqual({
      format: 'webp',
      width: 20,
      height: 10,
      orientation: 1,
      frames: 2,
      hasAlpha: true,
    });
  });

  it.each([
    { name: 'VP8 inter frame', webp: webpFile(riffChunk('VP8 ', vp8Payload(4, 4, { keyFrame: false }))) },
    {
      name: 'VP8 bad start code',
      webp: webpFile(riffChunk('VP8 ', vp8Payload(4, 4, { startCode: [0x9d, 0x01, 0x2b] }))),
    },
    { name: 'VP8 width 0', webp: webpFile(riffChunk('VP8 ', vp8Payload(0, 4))) },
    {
      name: 'VP8 partition larger than the chunk',
      webp: webpFile(riffChunk('VP8 ', vp8Payload(4, 4, { partitionSize: 11 }))),
    },
    { name: 'VP8 chunk too short', webp: webpFile(riffChunk('VP8 ', [0x10, 0, 0, 0x9d, 0x01])) },
    { name: 'VP8L bad signature', webp: webpFile(riffChunk('VP8L', [0x2e, ...vp8lPayload(4, 4).slice(1)])) },
    { name: 'VP8L version 1', webp: webpFile(riffChunk('VP8L', vp8lPayload(4, 4, false, 1))) },
    { name: 'VP8X 9 bytes', webp: webpFile(riffChunk('VP8X', vp8xPayload(0, 4, 4).slice(0, 9))) },
    {
      name: 'VP8X canvas over 2^32 - 1 pixels',
      webp: webpFile(riffChunk('VP8X', vp8xPayload(0, 2 ** 24, 256)), riffChunk('VP8L', vp8lPayload(1, 1))),
    },
    { name: 'animation without frames', webp: webpFile(riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 4, 4)), ANIM) },
    { name: 'first chunk unknown', webp: webpFile(riffChunk('JUNK', [1, 2]), riffChunk('VP8L', vp8lPayload(1, 1))) },
    { name: 'no chunks', webp: webpFile() },
    {
      name: 'RIFF size past the end',
      webp: bytes(ascii('RIFF'), 100, 0, 0, 0, ascii('WEBP'), riffChunk('VP8L', vp8lPayload(1, 1))),
    },
    { name: 'chunk size past the end', webp: webpFile(bytes(ascii('VP8L'), 0xff, 0, 0, 0, vp8lPayload(1, 1))) },
  ])('rejects $name as invalid_image', ({ webp }) => {
    expect(thrownCode(() => probeImage(webp))).toBe('invalid_image');
  });

  it('reads ANMF frames with their own image data', () => {
    const webp = webpFile(
      riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION, 8, 8)),
      ANIM,
      ...[0, 2, 4].map((x) => riffChunk('ANMF', anmfPayload(x, 0, 2, 2, riffChunk('VP8L', vp8lPayload(2, 2))))),
    );
    expect(probeImage(webp).frames).toBe(3);
  });
});

describe('probeImage: GIF', () => {
  const frame = { width: 3, height: 2, indices: [0, 1, 2, 3, 2, 1] };

  it('reads the logical screen, frame count and opacity', () => {
    const gif = encodeGif([frame, frame, frame], { width: 3, height: 2, palette: PALETTE, loop: true });
    expect(probeImage(gif)).toEqual({ format: 'gif', width: 3, height: 2, orientation: 1, frames: 3, hasAlpha: false });
  });

  it('reads hasAlpha from a transparent colour in any frame', () => {
    const gif = encodeGif([frame, { ...frame, transparentIndex: 0 }], { width: 3, height: 2, palette: PALETTE });
    expect(probeImage(gif).hasAlpha).toBe(true);
  });

  it('reads hasAlpha when the first frame does not cover the screen', () => {
    const gif = encodeGif([{ ...frame, left: 1 }], { width: 4, height: 2, palette: PALETTE });
    expect(probeImage(gif).hasAlpha).toBe(true);
  });

  it('reads the largest declared screen without allocating', () => {
    const gif = encodeGif([frame], { width: 65535, height: 65535, palette: PALETTE });
    expect(probeImage(gif)).toMatchObject({ width: 65535, height: 65535 });
  });

  it.each([
    { name: 'screen width 0', gif: encodeGif([frame], { width: 0, height: 2, palette: PALETTE }) },
    { name: 'no image', gif: bytes(ascii('GIF89a'), u16le(1), u16le(1), 0, 0, 0, 0x3b) },
    { name: 'unknown block', gif: bytes(ascii('GIF89a'), u16le(1), u16le(1), 0, 0, 0, 0x99, 0x3b) },
    { name: 'header only', gif: bytes(ascii('GIF89a'), u16le(1)) },
  ])('rejects $name as invalid_image', ({ gif }) => {
    expect(thrownCode(() => probeImage(gif))).toBe('invalid_image');
  });
});

describe('probeImage: truncated input', () => {
  const samples = [
    { name: 'JPEG', data: makeJpeg({ before: [app1Exif(makeTiff(6, 'MM'))] }) },
    {
      name: 'PNG',
      data: makePng({ before: [pngChunk('eXIf', makeTiff(6, 'II')), pngChunk('tRNS', [1])], colorType: 0 }),
    },
    { name: 'WebP lossy', data: webpFile(riffChunk('VP8 ', vp8Payload(3, 3))) },
    {
      name: 'WebP extended',
      data: webpFile(
        riffChunk('VP8X', vp8xPayload(VP8X_EXIF | VP8X_ALPHA, 6, 5)),
        riffChunk('ALPH', alphPayload()),
        riffChunk('VP8 ', vp8Payload(6, 5)),
        riffChunk('EXIF', makeTiff(3, 'MM')),
      ),
    },
    { name: 'WebP animated', data: animatedWebp() },
    {
      name: 'GIF',
      data: encodeGif(
        [
          { width: 2, height: 2, indices: [0, 1, 2, 3], transparentIndex: 1 },
          { width: 1, height: 1, indices: [2] },
        ],
        {
          width: 2,
          height: 2,
          palette: PALETTE,
          loop: true,
        },
      ),
    },
  ];

  it.each(samples)('$name: every prefix probes or throws a PipelineError', ({ data }) => {
    expect(probeImage(data)).toBeTruthy();
    for (const prefix of prefixes(data)) {
      expect(
        nonPipelineError(() => probeImage(prefix)),
        `length ${prefix.length}`,
      ).toBeUndefined();
    }
  });
});

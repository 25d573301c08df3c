import { describe, expect, it } from 'vitest';
import { readExifContents } from '../../src/pipeline/exif';
import { removedMetadata } from '../../src/pipeline/metadata';
import { probeImage } from '../../src/pipeline/probe';
import { REMOVED_VOCABULARY, type RemovedItem } from '../../src/pipeline/removed';
import { assertComplete } from '../../src/pipeline/structure';
import { ascii, bytes, concat, u16be, u32be } from '../fixtures/bytes';
import { animatedWebp } from '../fixtures/containers';
import { app1Exif, jpegSegment, withSegments } from '../fixtures/jpeg';
import { makeFixtures } from '../fixtures/make';
import { exifTiff } from '../fixtures/metadata';
import { withChunks } from '../fixtures/png';
import { TAG, writeTiff } from '../fixtures/tiff';

const fixtures = await makeFixtures();
const fixture = (name: string) => fixtures.getAccepted(name).bytes;

/** The `removed` list of a file the gateway accepts (probe and structure walk pass first, as in processImage). */
function removedFrom(file: Uint8Array): RemovedItem[] {
  const header = probeImage(file);
  assertComplete(file, header.format);
  return removedMetadata(file, header);
}

const TRAILING = ascii('TRAILING-BYTES');
const APP13 = 0xed;
const COM = 0xfe;

/** An APP13 Photoshop image-resource block holding the given 8BIM resources. */
function app13Photoshop(...resources: { id: number; data: number[] }[]): Uint8Array {
  const body = resources.flatMap(({ id, data }) => [
    ...ascii('8BIM'),
    ...u16be(id),
    0,
    0, // empty Pascal name, padded to even
    ...u32be(data.length),
    ...data,
    ...(data.length % 2 ? [0] : []),
  ]);
  return jpegSegment(APP13, concat(ascii('Photoshop 3.0\0'), Uint8Array.from(body)));
}

describe('removedMetadata on the fixture kit', () => {
  it.each([
    {
      name: 'phone.jpg',
      expected: ['exif', 'gps', 'camera_serial', 'xmp', 'icc_profile', 'embedded_thumbnail'],
    },
    { name: 'metadata.png', expected: ['exif', 'gps', 'camera_serial', 'xmp', 'icc_profile', 'text_chunks'] },
    { name: 'metadata.webp', expected: ['exif', 'gps', 'camera_serial', 'xmp', 'icc_profile'] },
    { name: 'animated.gif', expected: ['extra_frames'] },
    { name: 'orient-6.jpg', expected: ['exif'] },
    // Clean files: nothing but pixels (a JFIF APP0 is not metadata the vocabulary names).
    { name: 'progressive.jpg', expected: [] },
    { name: 'grayscale.jpg', expected: [] },
    { name: 'alpha.png', expected: [] },
    { name: 'palette.png', expected: [] },
    { name: 'lossless.webp', expected: [] },
    { name: 'alpha.webp', expected: [] },
    { name: 'still.gif', expected: [] },
  ])('$name → $expected', ({ name, expected }) => {
    expect(removedFrom(fixture(name))).toEqual(expected);
  });

  it('reports the extra frames of an animated WebP', () => {
    expect(removedFrom(animatedWebp())).toEqual(['extra_frames']);
  });

  it('lists in vocabulary order whatever order the blocks come in', () => {
    const jpeg = withSegments(fixture('progressive.jpg'), [
      jpegSegment(COM, ascii('a comment')),
      app1Exif(exifTiff({ full: false })),
    ]);
    const list = removedFrom(jpeg);
    expect(list).toEqual(['exif', 'comment']);
    expect([...list].sort((a, b) => REMOVED_VOCABULARY.indexOf(a) - REMOVED_VOCABULARY.indexOf(b))).toEqual(list);
  });
});

describe('JPEG blocks', () => {
  it('finds maker notes, an IFD0 CameraSerialNumber, IPTC, a comment and bytes after EOI', () => {
    const tiff = writeTiff(
      [
        { tag: TAG.orientation, value: { type: 'short', value: [1] } },
        { tag: 0xc62f, value: { type: 'ascii', value: 'CANARY-SERIAL' } },
        {
          tag: TAG.exifIfd,
          value: { type: 'ifd', value: [{ tag: 0x927c, value: { type: 'undefined', value: ascii('CANARY-MAKER') } }] },
        },
      ],
      { littleEndian: true },
    );
    const jpeg = concat(
      withSegments(fixture('progressive.jpg'), [
        app1Exif(tiff),
        app13Photoshop({ id: 0x0404, data: [0x1c, 2, 5, 0, 3, ...ascii('abc')] }),
        jpegSegment(COM, ascii('CANARY-COMMENT')),
      ]),
      TRAILING,
    );
    expect(removedFrom(jpeg)).toEqual(['exif', 'camera_serial', 'maker_notes', 'iptc', 'comment', 'trailing_data']);
  });

  it('does not report IPTC for a Photoshop block without an IPTC-NAA resource', () => {
    const jpeg = withSegments(fixture('progressive.jpg'), [app13Photoshop({ id: 0x03ed, data: [0, 72, 0, 0, 0, 1] })]);
    expect(removedFrom(jpeg)).toEqual([]);
  });

  it('reports a Photoshop block it cannot walk as IPTC (present, if malformed)', () => {
    const jpeg = withSegments(fixture('progressive.jpg'), [
      jpegSegment(APP13, concat(ascii('Photoshop 3.0\0'), ascii('8BIM'), Uint8Array.of(4, 4, 0))),
    ]);
    expect(removedFrom(jpeg)).toEqual(['iptc']);
  });
});

describe('hostile and truncated EXIF', () => {
  const hostile = [
    { name: 'bare prefix', tiff: bytes() },
    { name: 'not TIFF', tiff: ascii('XX*\0\0\0\0\x08') },
    { name: 'IFD0 offset past the end', tiff: bytes(ascii('MM\0*'), 0xff, 0xff, 0xff, 0xff) },
    { name: 'IFD0 entry count past the end', tiff: bytes(ascii('MM\0*'), u32be(8), u16be(0xffff), u16be(0x8825)) },
    { name: 'IFD0 pointing at itself', tiff: bytes(ascii('II*\0'), 4, 0, 0, 0) },
    {
      name: 'Exif IFD and IFD1 pointers past the end',
      tiff: bytes(
        ascii('MM\0*'),
        u32be(8),
        u16be(1),
        u16be(0x8769),
        u16be(4),
        u32be(1),
        u32be(0x7fffffff),
        u32be(0xfffffff0),
      ),
    },
  ];

  it.each(hostile)('a JPEG whose EXIF is "$name" is accepted and reported as holding EXIF', ({ tiff }) => {
    const jpeg = withSegments(fixture('progressive.jpg'), [app1Exif(tiff)]);
    expect(() => removedFrom(jpeg)).not.toThrow();
    expect(removedFrom(jpeg)).toEqual(['exif']);
  });

  it('keeps what it read before a broken IFD: a GPS pointer into nowhere is still GPS', () => {
    const tiff = bytes(
      ascii('MM\0*'),
      u32be(8),
      u16be(1),
      u16be(0x8825),
      u16be(4),
      u32be(1),
      u32be(0xffffff00),
      u32be(0),
    );
    expect(readExifContents(tiff)).toEqual(['gps']);
    expect(removedFrom(withSegments(fixture('progressive.jpg'), [app1Exif(tiff)]))).toEqual(['exif', 'gps']);
  });

  it('a truncated eXIf chunk in a PNG does not throw and still counts as EXIF', () => {
    const full = exifTiff();
    const png = withChunks(fixture('alpha.png'), [{ type: 'eXIf', data: full.subarray(0, 20) }]);
    expect(removedFrom(png)).toEqual(['exif']);
  });
});

describe('PNG, WebP and GIF blocks', () => {
  it('PNG: zTXt is a text chunk, iTXt other than XMP too, and bytes after IEND are trailing data', () => {
    const png = concat(
      withChunks(fixture('alpha.png'), [
        { type: 'zTXt', data: ascii('Raw profile type exif\0\0x') },
        { type: 'iTXt', data: ascii('Description\0\0\0\0\0CANARY-TEXT') },
      ]),
      TRAILING,
    );
    expect(removedFrom(png)).toEqual(['text_chunks', 'trailing_data']);
  });

  it('PNG: an APNG (acTL with 2 frames) has extra frames', () => {
    const png = withChunks(fixture('alpha.png'), [{ type: 'acTL', data: Uint8Array.from([...u32be(2), ...u32be(0)]) }]);
    expect(removedFrom(png)).toEqual(['extra_frames']);
  });

  it('WebP: bytes after the RIFF size are trailing data', () => {
    expect(removedFrom(concat(fixture('lossless.webp'), TRAILING))).toEqual(['trailing_data']);
  });

  it('GIF: a comment extension, an XMP application extension and bytes after the trailer', () => {
    const gif = fixture('still.gif');
    const beforeTrailer = gif.subarray(0, gif.length - 1);
    const comment = bytes(0x21, 0xfe, 14, ascii('CANARY-COMMENT'), 0);
    const xmp = bytes(0x21, 0xff, 11, ascii('XMP DataXMP'), 3, ascii('<x>'), 0);
    const withAll = concat(beforeTrailer, comment, xmp, Uint8Array.of(0x3b), TRAILING);
    expect(removedFrom(withAll)).toEqual(['xmp', 'comment', 'trailing_data']);
  });
});

import { describe, expect, it } from 'vitest';
import {
  orientationFromExifChunk,
  readExifOrientation,
  tiffFromExifChunk,
  tiffFromJpegApp1,
} from '../../src/pipeline/exif';
import { ascii, bytes } from '../fixtures/bytes';
import { EXIF_PREFIX, makeTiff } from '../fixtures/containers';

const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
const ORDERS = ['II', 'MM'] as const;
const cases = ORDERS.flatMap((order) => ORIENTATIONS.map((orientation) => ({ order, orientation })));

describe('readExifOrientation', () => {
  it.each(cases)('reads orientation $orientation in $order byte order', ({ order, orientation }) => {
    expect(readExifOrientation(makeTiff(orientation, order))).toBe(orientation);
  });

  it.each([
    { name: 'value 0', tiff: makeTiff(0, 'II') },
    { name: 'value 9', tiff: makeTiff(9, 'MM') },
    { name: 'value 0xffff', tiff: makeTiff(0xffff, 'II') },
    { name: 'no Orientation entry', tiff: makeTiff(6, 'II', { omit: true }) },
    { name: 'LONG instead of SHORT', tiff: makeTiff(6, 'MM', { type: 4 }) },
    { name: 'count 2', tiff: makeTiff(6, 'II', { count: 2 }) },
    { name: 'empty', tiff: bytes() },
    { name: 'not TIFF', tiff: bytes(ascii('XX*\0'), 8, 0, 0, 0) },
    { name: 'wrong magic number', tiff: bytes(ascii('II'), 43, 0, 8, 0, 0, 0) },
    { name: 'IFD offset past the end', tiff: bytes(ascii('II*\0'), 0xff, 0xff, 0xff, 0x7f) },
    { name: 'entry count larger than the data', tiff: bytes(ascii('MM\0*'), 0, 0, 0, 8, 0xff, 0xff, 1, 0x12) },
  ])('returns 1 for $name', ({ tiff }) => {
    expect(readExifOrientation(tiff)).toBe(1);
  });

  it('never throws on a truncated blob, at any length', () => {
    const tiff = makeTiff(8, 'MM');
    for (let n = 0; n <= tiff.length; n++) {
      const orientation = readExifOrientation(tiff.subarray(0, n));
      expect([1, 8]).toContain(orientation);
    }
  });
});

describe('finding the TIFF blob', () => {
  const tiff = makeTiff(3, 'II');

  it('strips the Exif\\0\\0 prefix of a JPEG APP1 payload', () => {
    expect(tiffFromJpegApp1(bytes(EXIF_PREFIX, tiff))).toEqual(tiff);
  });

  it.each([
    { name: 'XMP', payload: bytes(ascii('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>')) },
    { name: 'TIFF without the Exif prefix', payload: tiff },
    { name: 'Exif prefix without TIFF', payload: bytes(EXIF_PREFIX, ascii('garbage')) },
    { name: 'empty', payload: bytes() },
  ])('ignores an APP1 payload that is $name', ({ payload }) => {
    expect(tiffFromJpegApp1(payload)).toBeUndefined();
  });

  it.each([
    { name: 'without prefix', payload: tiff },
    { name: 'with Exif\\0\\0 prefix', payload: bytes(EXIF_PREFIX, tiff) },
  ])('accepts a WebP/PNG EXIF chunk $name', ({ payload }) => {
    expect(tiffFromExifChunk(payload)).toEqual(tiff);
    expect(orientationFromExifChunk(payload)).toBe(3);
  });

  it('returns orientation 1 for an EXIF chunk that is not TIFF', () => {
    expect(tiffFromExifChunk(bytes(ascii('nonsense')))).toBeUndefined();
    expect(orientationFromExifChunk(bytes(ascii('nonsense')))).toBe(1);
  });
});

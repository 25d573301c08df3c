import { ByteReader, invalidImage } from '../bytes';
import { readExifOrientation, tiffFromJpegApp1 } from '../exif';
import type { ImageHeader, Orientation } from '../types';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP1 = 0xe1;
const TEM = 0x01;

/** Progressive files have a handful of scans; thousands only burn CPU. */
export const MAX_JPEG_SCANS = 100;

const UNSUPPORTED_CODING: Record<number, string> = {
  0xc3: 'lossless',
  0xc5: 'hierarchical',
  0xc6: 'hierarchical',
  0xc7: 'hierarchical lossless',
  0xc9: 'arithmetic',
  0xca: 'arithmetic progressive',
  0xcb: 'arithmetic lossless',
  0xcd: 'hierarchical arithmetic',
  0xce: 'hierarchical arithmetic',
  0xcf: 'hierarchical arithmetic lossless',
};

/** What a JPEG frame header (SOFn) says. */
export interface JpegFrame {
  width: number;
  height: number;
  components: number;
  /** SOF2 (progressive Huffman) rather than SOF0/SOF1. */
  progressive: boolean;
}

/**
 * Header-only read of a JPEG: walks marker segments from SOI to the first
 * SOFn, taking orientation from the first EXIF APP1 on the way.
 * @throws invalid_image for a short or corrupt header, unsupported coding
 *   (lossless, hierarchical, arithmetic), 12-bit samples or zero dimensions (DNL).
 */
export function probeJpeg(bytes: Uint8Array): ImageHeader {
  const reader = new ByteReader(bytes);
  expectSoi(reader);
  let orientation: Orientation | undefined;
  for (;;) {
    const marker = readMarker(reader);
    if (marker === EOI || marker === SOS) throw invalidImage('JPEG has no frame header');
    if (hasNoLength(marker)) continue;
    const payload = readSegmentPayload(reader);
    if (marker === APP1 && orientation === undefined) {
      const tiff = tiffFromJpegApp1(payload);
      if (tiff !== undefined) orientation = readExifOrientation(tiff);
    }
    if (isSof(marker)) {
      const frame = parseSof(marker, payload);
      return {
        format: 'jpeg',
        width: frame.width,
        height: frame.height,
        orientation: orientation ?? 1,
        frames: 1,
        hasAlpha: false,
        progressive: frame.progressive,
      };
    }
  }
}

/**
 * Walks the whole JPEG: every segment, every scan's entropy-coded data, up to
 * EOI. Needed because libjpeg-based decoders fill a truncated image with gray
 * and only warn. Bytes after EOI are ignored.
 * @throws invalid_image when EOI is missing, a segment runs past the end, the
 *   structure is out of order, or there are more than {@link MAX_JPEG_SCANS} scans.
 */
export function assertJpegComplete(bytes: Uint8Array): void {
  const reader = new ByteReader(bytes);
  expectSoi(reader);
  let frameSeen = false;
  let scans = 0;
  for (;;) {
    const marker = readMarker(reader);
    if (marker === EOI) {
      if (scans === 0) throw invalidImage('JPEG has no image data');
      return;
    }
    if (marker === SOI) throw invalidImage('JPEG structure is corrupt');
    if (hasNoLength(marker)) continue;
    const payload = readSegmentPayload(reader);
    if (isSof(marker)) {
      if (frameSeen) throw invalidImage('JPEG has more than one frame header');
      parseSof(marker, payload);
      frameSeen = true;
    } else if (marker === SOS) {
      if (!frameSeen) throw invalidImage('JPEG scan precedes the frame header');
      checkScanHeader(payload);
      scans++;
      if (scans > MAX_JPEG_SCANS) throw invalidImage('JPEG has too many scans');
      skipEntropyCodedData(reader);
    }
  }
}

function expectSoi(reader: ByteReader): void {
  if (reader.u8() !== 0xff || reader.u8() !== SOI) throw invalidImage('JPEG signature is missing');
}

/** Reads `FF xx`, allowing the fill bytes (extra `FF`s) the spec permits before a marker. */
function readMarker(reader: ByteReader): number {
  if (reader.u8() !== 0xff) throw invalidImage('JPEG structure is corrupt');
  let marker = reader.u8();
  while (marker === 0xff) marker = reader.u8();
  if (marker === 0x00) throw invalidImage('JPEG structure is corrupt');
  return marker;
}

function hasNoLength(marker: number): boolean {
  return marker === SOI || marker === EOI || marker === TEM || (marker >= 0xd0 && marker <= 0xd7);
}

function readSegmentPayload(reader: ByteReader): Uint8Array {
  const length = reader.u16be();
  if (length < 2) throw invalidImage('JPEG segment length is invalid');
  return reader.take(length - 2);
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function parseSof(marker: number, payload: Uint8Array): JpegFrame {
  const coding = UNSUPPORTED_CODING[marker];
  if (coding !== undefined) throw invalidImage(`JPEG ${coding} coding is not supported`);
  const reader = new ByteReader(payload);
  const precision = reader.u8();
  const height = reader.u16be();
  const width = reader.u16be();
  const components = reader.u8();
  if (precision !== 8) throw invalidImage('Only 8-bit JPEG is supported');
  // Height 0 means "given later by a DNL marker", which the decoders do not support.
  if (width === 0 || height === 0) throw invalidImage('JPEG dimensions are missing');
  if (components !== 1 && components !== 3 && components !== 4) {
    throw invalidImage('JPEG component count is not supported');
  }
  if (payload.length !== 6 + 3 * components) throw invalidImage('JPEG frame header is corrupt');
  for (let i = 0; i < components; i++) {
    reader.skip(1);
    const sampling = reader.u8();
    const quantTable = reader.u8();
    if (!isSamplingFactor(sampling >> 4) || !isSamplingFactor(sampling & 0x0f) || quantTable > 3) {
      throw invalidImage('JPEG frame header is corrupt');
    }
  }
  return { width, height, components, progressive: marker === 0xc2 };
}

function isSamplingFactor(value: number): boolean {
  return value >= 1 && value <= 4;
}

function checkScanHeader(payload: Uint8Array): void {
  const count = payload[0] ?? 0;
  if (count < 1 || count > 4 || payload.length !== 4 + 2 * count) {
    throw invalidImage('JPEG scan header is corrupt');
  }
}

/**
 * Advances to the marker that ends a scan. Inside entropy-coded data `FF 00`
 * is a stuffed byte, `FF D0..D7` a restart marker and `FF FF` fill; any other
 * `FF xx` is the next marker.
 */
function skipEntropyCodedData(reader: ByteReader): void {
  const bytes = reader.bytes;
  let pos = reader.pos;
  for (;;) {
    pos = bytes.indexOf(0xff, pos);
    if (pos < 0 || pos + 1 >= bytes.length) throw invalidImage('JPEG data is truncated');
    const next = bytes[pos + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
      pos += 2;
    } else if (next === 0xff) {
      pos += 1;
    } else {
      reader.seek(pos);
      return;
    }
  }
}

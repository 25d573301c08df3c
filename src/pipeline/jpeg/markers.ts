import { ByteReader, invalidImage } from '../bytes';
import type { Frame, FrameComponent } from './frame';

/**
 * The JPEG marker grammar (ITU T.81 Annex B), parsed one way for everyone:
 * the header probe and the structure walk (container.ts) and the decoder
 * (decoder.ts) walk segments with {@link segments} and read frame headers
 * (SOFn) and scan header lengths with these functions, so they accept and
 * refuse the same files.
 */

const SOI = 0xd8;
const EOI = 0xd9;
export const SOS = 0xda;
export const DHT = 0xc4;
export const DQT = 0xdb;
export const DRI = 0xdd;
export const APP0 = 0xe0;
export const APP1 = 0xe1;
export const APP14 = 0xee;
const TEM = 0x01;
const SOF_PROGRESSIVE = 0xc2;

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

const CORRUPT_FRAME = 'JPEG frame header is corrupt';

/** @throws invalid_image unless the data starts with SOI (`FF D8`). */
function expectSoi(reader: ByteReader): void {
  if (reader.u8() !== 0xff || reader.u8() !== SOI) throw invalidImage('JPEG signature is missing');
}

/**
 * Reads `FF xx` at the reader's position, allowing the fill bytes (extra
 * `FF`s, §B.1.1.2) the spec permits before a marker. Anything else there is
 * corrupt: segments are exactly as long as they say, and a scan's data ends
 * on a marker.
 * @throws invalid_image
 */
function readMarker(reader: ByteReader): number {
  if (reader.u8() !== 0xff) throw invalidImage('JPEG structure is corrupt');
  let marker = reader.u8();
  while (marker === 0xff) marker = reader.u8();
  if (marker === 0x00) throw invalidImage('JPEG structure is corrupt');
  return marker;
}

/** SOI, EOI, TEM and RSTn stand alone; every other marker starts a segment with a length (§B.1.1.4). */
function hasNoLength(marker: number): boolean {
  return marker === SOI || marker === EOI || marker === TEM || (marker >= 0xd0 && marker <= 0xd7);
}

/**
 * The payload of the segment whose length field is at the reader's position.
 * @throws invalid_image when the length is invalid or runs past the end.
 */
function readSegmentPayload(reader: ByteReader): Uint8Array {
  const length = reader.u16be();
  if (length < 2) throw invalidImage('JPEG segment length is invalid');
  return reader.take(length - 2);
}

/** One marker segment: its marker code and payload. */
export interface Segment {
  marker: number;
  payload: Uint8Array;
}

/**
 * The marker segments of a JPEG from the one after SOI until EOI, where the
 * walk ends (the reader just past it), read at the reader's position each time: a caller that meets SOS
 * reads (or skips) the scan's entropy-coded data and leaves the reader on the
 * marker that ends it. RSTn and TEM between segments are skipped.
 * @throws invalid_image (lazily) when SOI is missing or repeated, the data ends before EOI, bytes
 *   between segments are not a marker, or a segment runs past the end.
 */
export function* segments(reader: ByteReader): Generator<Segment, void, undefined> {
  expectSoi(reader);
  for (;;) {
    const marker = readMarker(reader);
    if (marker === EOI) return;
    if (marker === SOI) throw invalidImage('JPEG structure is corrupt');
    if (hasNoLength(marker)) continue;
    yield { marker, payload: readSegmentPayload(reader) };
  }
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
export function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== DHT && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Parses a frame header (SOFn, §B.2.2) and lays out its block grid. Only
 * Huffman baseline, extended (8-bit) and progressive frames are accepted.
 * @throws invalid_image for unsupported coding (lossless, hierarchical,
 *   arithmetic), 12-bit samples, zero dimensions (DNL is not supported), a
 *   component count other than 1, 3 or 4, a payload not exactly that long,
 *   sampling factors outside 1..4, a quantization selector over 3, or a
 *   repeated component id.
 */
export function parseFrame(marker: number, payload: Uint8Array): Frame {
  const coding = UNSUPPORTED_CODING[marker];
  if (coding !== undefined) throw invalidImage(`JPEG ${coding} coding is not supported`);
  const r = new ByteReader(payload);
  const precision = r.u8();
  const height = r.u16be();
  const width = r.u16be();
  const count = r.u8();
  if (precision !== 8) throw invalidImage('Only 8-bit JPEG is supported');
  // Height 0 means "given later by a DNL marker" (§B.2.5), which is not supported.
  if (width === 0 || height === 0) throw invalidImage('JPEG dimensions are missing');
  if (count !== 1 && count !== 3 && count !== 4) throw invalidImage('JPEG component count is not supported');
  if (payload.length !== 6 + 3 * count) throw invalidImage(CORRUPT_FRAME);
  const components: FrameComponent[] = [];
  for (let i = 0; i < count; i++) {
    const id = r.u8();
    const sampling = r.u8();
    const tq = r.u8();
    if (!isSamplingFactor(sampling >> 4) || !isSamplingFactor(sampling & 15) || tq > 3) {
      throw invalidImage(CORRUPT_FRAME);
    }
    if (components.some((c) => c.id === id)) throw invalidImage(CORRUPT_FRAME);
    // With one component the MCU is one block whatever the factors say (§A.2.2).
    const h = count === 1 ? 1 : sampling >> 4;
    const v = count === 1 ? 1 : sampling & 15;
    components.push({ id, h, v, tq, blocksW: 0, blocksH: 0, dataBlocksW: 0, dataBlocksH: 0 });
  }
  const maxH = Math.max(...components.map((c) => c.h));
  const maxV = Math.max(...components.map((c) => c.v));
  const mcusX = Math.ceil(width / (8 * maxH));
  const mcusY = Math.ceil(height / (8 * maxV));
  for (const c of components) {
    c.blocksW = mcusX * c.h;
    c.blocksH = mcusY * c.v;
    c.dataBlocksW = Math.ceil(Math.ceil((width * c.h) / maxH) / 8);
    c.dataBlocksH = Math.ceil(Math.ceil((height * c.v) / maxV) / 8);
  }
  return { progressive: marker === SOF_PROGRESSIVE, width, height, components, maxH, maxV, mcusX, mcusY };
}

function isSamplingFactor(value: number): boolean {
  return value >= 1 && value <= 4;
}

/**
 * The component count of a scan header (SOS, §B.2.3), checking that the
 * payload is exactly as long as that count makes it.
 * @throws invalid_image
 */
export function scanComponentCount(payload: Uint8Array): number {
  const count = payload[0] ?? 0;
  if (count < 1 || count > 4 || payload.length !== 4 + 2 * count) throw invalidImage('JPEG scan header is corrupt');
  return count;
}

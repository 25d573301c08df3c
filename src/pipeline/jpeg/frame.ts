import { ByteReader, invalidImage } from '../bytes';
import { buildHuffmanTable, type HuffmanTable } from './huffman';
import { scanComponentCount } from './markers';

/** One image component as the frame header (SOFn, parsed by markers.ts) declares it, plus its block grid. */
export interface FrameComponent {
  id: number;
  /** Horizontal sampling factor (1..4). */
  h: number;
  /** Vertical sampling factor (1..4). */
  v: number;
  /** Quantization table selector (0..3). */
  tq: number;
  /** Blocks per line and per column of the MCU-padded grid (every interleaved scan covers it). */
  blocksW: number;
  blocksH: number;
  /**
   * Blocks per line and per column that hold image data: the grid a
   * non-interleaved scan walks (ITU T.81 §A.2.2).
   */
  dataBlocksW: number;
  dataBlocksH: number;
  /** The quantization table latched at this component's first scan (natural order). */
  quant?: Int32Array;
}

export interface Frame {
  progressive: boolean;
  width: number;
  height: number;
  components: FrameComponent[];
  maxH: number;
  maxV: number;
  mcusX: number;
  mcusY: number;
}

/** What a scan header (SOS) says, with components resolved to frame indices. */
export interface ScanHeader {
  /** Indices into {@link Frame.components}, in scan order. */
  components: number[];
  dcTables: (HuffmanTable | undefined)[];
  acTables: (HuffmanTable | undefined)[];
  /** Spectral selection start and end (zig-zag indices). */
  ss: number;
  se: number;
  /** Successive approximation high and low bit positions. */
  ah: number;
  al: number;
}

/** Tables defined so far; a later DHT/DQT replaces an entry (ITU T.81 §B.2.4). */
export interface Tables {
  quant: (Int32Array | undefined)[];
  dc: (HuffmanTable | undefined)[];
  ac: (HuffmanTable | undefined)[];
}

/**
 * How the decoded components map to RGB (from JFIF/Adobe APP14 markers, ITU
 * T.872 §6.5.3). `adobe-cmyk` and `ycck` hold inverted CMYK (0 = full ink), as
 * Photoshop writes it whenever it writes the Adobe marker; `cmyk` (no Adobe
 * marker) holds plain CMYK.
 */
export type ColorTransform = 'gray' | 'ycbcr' | 'rgb' | 'cmyk' | 'adobe-cmyk' | 'ycck';

/** Zig-zag index → natural (row-major) index (ITU T.81 Figure A.6). */
export const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

/**
 * Parses a DQT payload into `tables.quant` (ITU T.81 §B.2.4.1), natural order.
 * @throws invalid_image
 */
export function parseQuantTables(payload: Uint8Array, tables: Tables): void {
  const r = new ByteReader(payload);
  while (r.remaining > 0) {
    const pq = r.u8();
    const precision = pq >> 4;
    const id = pq & 15;
    if (precision > 1 || id > 3) throw invalidImage('JPEG quantization table is corrupt');
    const table = new Int32Array(64);
    for (let k = 0; k < 64; k++) table[ZIGZAG[k]!] = precision ? r.u16be() : r.u8();
    tables.quant[id] = table;
  }
}

/**
 * Parses a DHT payload into `tables.dc` / `tables.ac` (ITU T.81 §B.2.4.2).
 * @throws invalid_image
 */
export function parseHuffmanTables(payload: Uint8Array, tables: Tables): void {
  const r = new ByteReader(payload);
  while (r.remaining > 0) {
    const tc = r.u8();
    const cls = tc >> 4;
    const id = tc & 15;
    if (cls > 1 || id > 3) throw invalidImage('JPEG Huffman table is corrupt');
    const counts = r.take(16);
    let total = 0;
    for (const n of counts) total += n;
    const values = r.take(total);
    (cls === 0 ? tables.dc : tables.ac)[id] = buildHuffmanTable(counts, values, cls === 0);
  }
}

/**
 * Parses a DRI payload: the restart interval in MCUs, 0 for none (ITU T.81 §B.2.4.4).
 * @throws invalid_image
 */
export function parseRestartInterval(payload: Uint8Array): number {
  if (payload.length < 2) throw invalidImage('JPEG restart interval is corrupt');
  return (payload[0]! << 8) | payload[1]!;
}

/**
 * Parses a SOS payload (ITU T.81 §B.2.3) and checks it against the frame
 * (§G.1.1.1.1 for the progressive parameter limits).
 * @throws invalid_image for unknown components, a missing Huffman table, or
 *   spectral/approximation parameters outside the spec's ranges.
 */
export function parseScanHeader(payload: Uint8Array, frame: Frame, tables: Tables): ScanHeader {
  const CORRUPT = 'JPEG scan header is corrupt';
  const count = scanComponentCount(payload);
  const r = new ByteReader(payload, 1);
  const components: number[] = [];
  const selectors: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = r.u8();
    const index = frame.components.findIndex((c) => c.id === id);
    if (index < 0 || components.includes(index)) throw invalidImage(CORRUPT);
    components.push(index);
    selectors.push(r.u8());
  }
  const ss = r.u8();
  const se = r.u8();
  const a = r.u8();
  const ah = a >> 4;
  const al = a & 15;
  // §B.2.3: an interleaved MCU holds at most 10 blocks.
  let blocks = 0;
  for (const i of components) blocks += frame.components[i]!.h * frame.components[i]!.v;
  if (count > 1 && blocks > 10) throw invalidImage(CORRUPT);

  let needDc: boolean;
  let needAc: boolean;
  if (frame.progressive) {
    const dcScan = ss === 0;
    if (dcScan ? se !== 0 : se < ss || se > 63 || count !== 1) throw invalidImage(CORRUPT);
    if (al > 13 || (ah !== 0 && al !== ah - 1)) throw invalidImage(CORRUPT);
    needDc = dcScan && ah === 0;
    needAc = !dcScan;
  } else {
    // Sequential scans are always 0..63 with no approximation; like libjpeg, the fields are not trusted.
    needDc = true;
    needAc = true;
  }
  const dcTables: (HuffmanTable | undefined)[] = [];
  const acTables: (HuffmanTable | undefined)[] = [];
  for (const sel of selectors) {
    const dc = tables.dc[sel >> 4];
    const ac = tables.ac[sel & 15];
    if ((needDc && dc === undefined) || (needAc && ac === undefined)) {
      throw invalidImage('JPEG Huffman table is missing');
    }
    dcTables.push(dc);
    acTables.push(ac);
  }
  return frame.progressive
    ? { components, dcTables, acTables, ss, se, ah, al }
    : { components, dcTables, acTables, ss: 0, se: 63, ah: 0, al: 0 };
}

/**
 * Reads the Adobe APP14 transform flag (0 = none, 1 = YCbCr, 2 = YCCK), or
 * undefined when the segment is not Adobe's.
 */
export function readAdobeTransform(payload: Uint8Array): number | undefined {
  // "Adobe" + version(2) + flags0(2) + flags1(2) + transform(1): Adobe TN #5116 §18.
  if (payload.length < 12) return undefined;
  if (String.fromCharCode(...payload.subarray(0, 5)) !== 'Adobe') return undefined;
  return payload[11]!;
}

/**
 * Which colour space the components are in, following libjpeg's rules
 * (jdapimin.c default_decompress_parms): JFIF means YCbCr; an Adobe marker's
 * transform flag decides; otherwise component IDs 'R','G','B' mean RGB.
 */
export function colorTransformOf(
  frame: Frame,
  markers: { jfif: boolean; adobeTransform: number | undefined },
): ColorTransform {
  const n = frame.components.length;
  if (n === 1) return 'gray';
  if (n === 3) {
    if (markers.jfif) return 'ycbcr';
    if (markers.adobeTransform !== undefined) return markers.adobeTransform === 0 ? 'rgb' : 'ycbcr';
    const ids = frame.components.map((c) => c.id);
    return ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42 ? 'rgb' : 'ycbcr';
  }
  if (markers.adobeTransform === undefined) return 'cmyk';
  return markers.adobeTransform === 2 ? 'ycck' : 'adobe-cmyk';
}

import type { BitReader } from './bit-reader';
import { ZIGZAG, type Frame, type FrameComponent, type ScanHeader } from './frame';
import { decodeHuffman, FAST_BITS, type HuffmanTable } from './huffman';
import { checkOverrun } from './scan-walk';

/**
 * Receives one decoded block: quantized coefficients in natural order, reused
 * after the call, and the zig-zag index of its last nonzero one (0: DC only).
 */
export type BlockSink = (component: number, blockX: number, blockY: number, coefs: Int32Array, last: number) => void;

const FAST_MASK = (1 << FAST_BITS) - 1;

/**
 * Decodes a sequential (baseline or extended) Huffman scan (ITU T.81 §F.2.2),
 * handing every block to `sink` as soon as it is decoded. Walks the MCUs
 * itself (as scan-walk.ts does) so the block decoder below is one
 * monomorphic, inlinable call.
 * @throws invalid_image for an invalid Huffman code or data that ends early.
 */
export function decodeSequentialScan(
  reader: BitReader,
  frame: Frame,
  scan: ScanHeader,
  restartInterval: number,
  sink: BlockSink,
  onMcuRow?: (mcuY: number) => void,
): void {
  const coefs = new Int32Array(64);
  const preds = new Int32Array(scan.components.length);
  const comps = scan.components.map((i) => frame.components[i]!);
  const interleaved = comps.length > 1;
  const mcusX = interleaved ? frame.mcusX : comps[0]!.dataBlocksW;
  const mcusY = interleaved ? frame.mcusY : comps[0]!.dataBlocksH;
  for (let my = 0; my < mcusY; my++) {
    decodeMcuRow(reader, scan, comps, preds, coefs, my, mcusX, restartInterval, sink);
    onMcuRow?.(my);
  }
  reader.findMarker();
}

/**
 * One row of MCUs. The scan is decoded a row per call, an interleaved MCU's
 * blocks a call each: V8 compiles a loop that runs once per image on-stack,
 * for that call only, and discards that code whenever an inner loop of it
 * exits, so one loop over the whole scan ran mostly unoptimised in every
 * image; small functions called many times are compiled once and stay so.
 */
function decodeMcuRow(
  reader: BitReader,
  scan: ScanHeader,
  comps: FrameComponent[],
  preds: Int32Array,
  coefs: Int32Array,
  my: number,
  mcusX: number,
  restartInterval: number,
  sink: BlockSink,
): void {
  const interleaved = comps.length > 1;
  for (let mx = 0, mcu = my * mcusX; mx < mcusX; mx++, mcu++) {
    // ITU T.81 §F.2.1.3: a restart resets the DC predictions.
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart();
      preds.fill(0);
    }
    if (interleaved) {
      decodeMcu(reader, scan, comps, preds, coefs, mx, my, sink);
    } else {
      const last = decodeBlock(reader, scan.dcTables[0]!, scan.acTables[0]!, preds, 0, coefs);
      sink(scan.components[0]!, mx, my, coefs, last);
      coefs.fill(0);
    }
    if (reader.overran) checkOverrun(reader, restartInterval);
  }
}

/** The blocks of one interleaved MCU, component by component (§A.2.3), each handed to `sink`. */
function decodeMcu(
  reader: BitReader,
  scan: ScanHeader,
  comps: FrameComponent[],
  preds: Int32Array,
  coefs: Int32Array,
  mx: number,
  my: number,
  sink: BlockSink,
): void {
  for (let i = 0; i < comps.length; i++) {
    const c = comps[i]!;
    const dc = scan.dcTables[i]!;
    const ac = scan.acTables[i]!;
    const component = scan.components[i]!;
    for (let by = 0; by < c.v; by++) {
      for (let bx = 0; bx < c.h; bx++) {
        const last = decodeBlock(reader, dc, ac, preds, i, coefs);
        sink(component, mx * c.h + bx, my * c.v + by, coefs, last);
        coefs.fill(0);
      }
    }
  }
}

/**
 * One block (§F.2.2.1, §F.2.2.2): its DC difference and AC run/size pairs
 * into `coefs` (natural order, all zero on entry). The reader's bit
 * accumulator is held in locals and handed back around every call that
 * reads bits through the reader. Updates the DC prediction `preds[i]`;
 * returns the zig-zag index of the last nonzero coefficient (0: DC only).
 */
function decodeBlock(
  reader: BitReader,
  dc: HuffmanTable,
  ac: HuffmanTable,
  preds: Int32Array,
  i: number,
  coefs: Int32Array,
): number {
  const fastAc = ac.fast;
  let pred = preds[i]!;
  let last = 0;
  let acc = reader.acc;
  let count = reader.count;
  if (count < 16) {
    reader.fill();
    acc = reader.acc;
    count = reader.count;
  }
  // §F.2.2.1: DC is coded as the difference from the previous block's DC.
  const dcFast = dc.fast[(acc >>> (count - FAST_BITS)) & FAST_MASK]!;
  if (dcFast !== 0) {
    count -= dcFast & 15;
    pred += dcFast >> 8;
  } else {
    reader.count = count;
    const t = decodeHuffman(reader, dc);
    pred += reader.receiveExtend(t);
    acc = reader.acc;
    count = reader.count;
  }
  coefs[0] = pred;
  // §F.2.2.2 (Figure F.13): run/size pairs, ZRL = 0xF0, EOB = 0x00.
  for (let k = 1; k < 64;) {
    if (count < 16) {
      reader.count = count;
      reader.fill();
      acc = reader.acc;
      count = reader.count;
    }
    // A short code and its value bits in one lookup.
    const fast = fastAc[(acc >>> (count - FAST_BITS)) & FAST_MASK]!;
    if (fast !== 0) {
      count -= fast & 15;
      k += (fast >> 4) & 15;
      if (k > 63) break;
      coefs[ZIGZAG[k]!] = fast >> 8;
      last = k;
      k++;
      continue;
    }
    reader.count = count;
    const rs = decodeHuffman(reader, ac);
    const s = rs & 15;
    const r = rs >> 4;
    if (s === 0) {
      acc = reader.acc;
      count = reader.count;
      if (r !== 15) break;
      k += 16;
      continue;
    }
    k += r;
    const value = reader.receiveExtend(s);
    acc = reader.acc;
    count = reader.count;
    // A run past the block's end is corrupt; libjpeg drops it, and so do we.
    if (k > 63) break;
    coefs[ZIGZAG[k]!] = value;
    last = k;
    k++;
  }
  reader.count = count;
  preds[i] = pred;
  return last;
}

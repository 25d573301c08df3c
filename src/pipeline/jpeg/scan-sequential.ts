import type { BitReader } from './bit-reader';
import { ZIGZAG, type Frame, type ScanHeader } from './frame';
import { decodeHuffman, FAST_BITS } from './huffman';
import { walkScan } from './scan-walk';

/** Receives one decoded block: quantized coefficients in natural order, reused after the call. */
export type BlockSink = (component: number, blockX: number, blockY: number, coefs: Int32Array) => void;

/**
 * Decodes a sequential (baseline or extended) Huffman scan (ITU T.81 §F.2.2),
 * handing every block to `sink` as soon as it is decoded.
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
  walkScan(reader, {
    frame,
    scan,
    restartInterval,
    onMcuRow,
    onRestart: () => preds.fill(0),
    decodeBlock(i, bx, by) {
      const dc = scan.dcTables[i]!;
      const ac = scan.acTables[i]!;
      const fastAc = ac.fast;
      // §F.2.2.1: DC is coded as the difference from the previous block's DC.
      const dcFast = dc.fast[reader.peek16() >>> (16 - FAST_BITS)]!;
      if (dcFast !== 0) {
        reader.skip(dcFast & 15);
        preds[i] = preds[i]! + (dcFast >> 8);
      } else {
        const t = decodeHuffman(reader, dc);
        preds[i] = preds[i]! + reader.receiveExtend(t);
      }
      coefs[0] = preds[i]!;
      // §F.2.2.2 (Figure F.13): run/size pairs, ZRL = 0xF0, EOB = 0x00.
      for (let k = 1; k < 64;) {
        // A short code and its value bits in one lookup.
        const fast = fastAc[reader.peek16() >>> (16 - FAST_BITS)]!;
        if (fast !== 0) {
          reader.skip(fast & 15);
          k += (fast >> 4) & 15;
          if (k > 63) break;
          coefs[ZIGZAG[k]!] = fast >> 8;
          k++;
          continue;
        }
        const rs = decodeHuffman(reader, ac);
        const s = rs & 15;
        const r = rs >> 4;
        if (s === 0) {
          if (r !== 15) break;
          k += 16;
          continue;
        }
        k += r;
        const value = reader.receiveExtend(s);
        // A run past the block's end is corrupt; libjpeg drops it, and so do we.
        if (k > 63) break;
        coefs[ZIGZAG[k]!] = value;
        k++;
      }
      sink(scan.components[i]!, bx, by, coefs);
      coefs.fill(0);
    },
  });
}

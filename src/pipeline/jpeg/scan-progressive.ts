import type { BitReader } from './bit-reader';
import type { CoefficientStore } from './coefficients';
import type { Frame, ScanHeader } from './frame';
import { decodeHuffman, FAST_BITS, LOOKUP_BITS, type HuffmanTable } from './huffman';
import { checkOverrun, walkScan } from './scan-walk';

const LOOKUP_MASK = (1 << LOOKUP_BITS) - 1;
const FAST_MASK = (1 << FAST_BITS) - 1;

/**
 * Decodes one progressive Huffman scan into the coefficient stores
 * (ITU T.81 §G.1.2): DC first/refinement (interleaved or not) and AC
 * first/refinement (one component) with EOB runs.
 * @throws invalid_image for an invalid Huffman code or data that ends early.
 */
export function decodeProgressiveScan(
  reader: BitReader,
  frame: Frame,
  scan: ScanHeader,
  restartInterval: number,
  stores: CoefficientStore[],
): void {
  const { ss, se, ah, al } = scan;
  if (ss > 0 && stores[scan.components[0]!]!.last !== undefined) {
    const blocks = frame.components[scan.components[0]!]!;
    decodeAcScanInPlace(reader, scan, restartInterval, stores[scan.components[0]!]!, blocks);
    return;
  }
  const scanStores = scan.components.map((i) => stores[i]!);
  const preds = new Int32Array(scan.components.length);
  const zz = new Int32Array(64);
  let eobrun = 0;
  let decodeBlock: (i: number, bx: number, by: number) => void;

  if (ss === 0 && ah === 0) {
    // §G.1.2.1: DC first scan, differences scaled by 2^Al.
    decodeBlock = (i, bx, by) => {
      const t = decodeHuffman(reader, scan.dcTables[i]!);
      preds[i] = preds[i]! + reader.receiveExtend(t);
      scanStores[i]!.setDc(bx, by, preds[i]! * (1 << al));
    };
  } else if (ss === 0) {
    // §G.1.2.1: DC refinement, one raw bit per block.
    decodeBlock = (i, bx, by) => {
      if (reader.bit()) scanStores[i]!.setDc(bx, by, scanStores[i]!.dc(bx, by) | (1 << al));
    };
  } else if (ah === 0) {
    const table = scan.acTables[0]!;
    const store = scanStores[0]!;
    // §G.1.2.2: AC first scan; EOBn codes a run of 2^n + extra bits empty bands.
    decodeBlock = (_i, bx, by) => {
      if (eobrun > 0) {
        eobrun--;
        return;
      }
      const fast = table.fast;
      for (let k = ss; k <= se; k++) {
        // A short code and its value bits in one lookup (see scan-sequential.ts).
        const entry = fast[reader.peek16() >>> (16 - FAST_BITS)]!;
        if (entry !== 0) {
          reader.skip(entry & 15);
          k += (entry >> 4) & 15;
          if (k <= se) store.set(bx, by, k, (entry >> 8) * (1 << al));
          continue;
        }
        const rs = decodeHuffman(reader, table);
        const r = rs >> 4;
        const s = rs & 15;
        if (s === 0) {
          if (r < 15) {
            eobrun = (1 << r) - 1 + reader.bits(r);
            break;
          }
          k += 15;
          continue;
        }
        k += r;
        const value = reader.receiveExtend(s) * (1 << al);
        if (k <= se) store.set(bx, by, k, value);
      }
    };
  } else {
    const table = scan.acTables[0]!;
    const store = scanStores[0]!;
    const p1 = 1 << al;
    const m1 = -1 << al;
    // §G.1.2.3: AC refinement. Every already-nonzero coefficient in the band
    // gets a correction bit; a new coefficient (always ±1 at this bit) goes
    // after `r` still-zero ones. Mirrors libjpeg's decode_mcu_AC_refine.
    decodeBlock = (_i, bx, by) => {
      store.readBand(bx, by, ss, se, zz);
      let k = ss;
      if (eobrun === 0) {
        for (; k <= se; k++) {
          const rs = decodeHuffman(reader, table);
          let r = rs >> 4;
          let s = rs & 15;
          if (s !== 0) {
            s = reader.bit() ? p1 : m1;
          } else if (r !== 15) {
            eobrun = (1 << r) + reader.bits(r);
            break;
          }
          while (k <= se) {
            const coef = zz[k]!;
            if (coef !== 0) {
              if (reader.bit() && (coef & p1) === 0) zz[k] = coef >= 0 ? coef + p1 : coef + m1;
            } else if (--r < 0) {
              break;
            }
            k++;
          }
          if (s !== 0 && k <= se) zz[k] = s;
        }
      }
      if (eobrun > 0) {
        for (; k <= se; k++) {
          const coef = zz[k]!;
          if (coef !== 0 && reader.bit() && (coef & p1) === 0) zz[k] = coef >= 0 ? coef + p1 : coef + m1;
        }
        eobrun--;
      }
      store.writeBand(bx, by, ss, se, zz);
    };
  }

  walkScan(reader, {
    frame,
    scan,
    restartInterval,
    decodeBlock,
    onRestart: () => {
      preds.fill(0);
      eobrun = 0;
    },
  });
}

/**
 * An AC scan (one component) at full scale, read and written straight in the
 * coefficient store rather than through a band copy, as libjpeg's
 * decode_mcu_AC_first / decode_mcu_AC_refine work on the block in place:
 * the same steps as the general decoders above, in one monomorphic loop over
 * the component's data blocks (ITU T.81 §A.2.2), restart markers included.
 */
function decodeAcScanInPlace(
  reader: BitReader,
  scan: ScanHeader,
  restartInterval: number,
  store: CoefficientStore,
  blocks: { dataBlocksW: number; dataBlocksH: number },
): void {
  const table = scan.acTables[0]!;
  const coefs = store.coefs;
  const stride = store.blocksW * 64;
  const refine = scan.ah !== 0;
  const state = { eobrun: 0, last: store.last! };
  for (let by = 0; by < blocks.dataBlocksH; by++) {
    acScanRowInPlace(
      reader,
      table,
      scan,
      restartInterval,
      coefs,
      by * stride,
      by * blocks.dataBlocksW,
      blocks.dataBlocksW,
      refine,
      state,
    );
  }
  reader.findMarker();
}

/**
 * One row of blocks of {@link decodeAcScanInPlace}: `first` is the row's
 * first block in scan order (for restarts), `rowBase` its offset in `coefs`.
 * A row per call: V8 compiles a loop that runs once per scan on-stack, for
 * that call only, so a loop over the whole scan started unoptimised in every
 * image; a function called per row is compiled once and stays compiled.
 */
function acScanRowInPlace(
  reader: BitReader,
  table: HuffmanTable,
  scan: ScanHeader,
  restartInterval: number,
  coefs: Int16Array,
  rowBase: number,
  first: number,
  width: number,
  refine: boolean,
  state: InPlaceState,
): void {
  const { ss, se, al } = scan;
  for (let bx = 0, mcu = first, base = rowBase; bx < width; bx++, mcu++, base += 64) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart();
      state.eobrun = 0;
    }
    if (refine) acRefineInPlace(reader, table, ss, se, al, coefs, base, state);
    else acFirstInPlace(reader, table, ss, se, al, coefs, base, state);
    if (reader.overran) checkOverrun(reader, restartInterval);
  }
}

/** What an in-place AC scan carries from block to block. */
interface InPlaceState {
  /** Blocks left in the current end-of-band run. */
  eobrun: number;
  /** The store's {@link CoefficientStore.last}. */
  last: Uint8Array;
}

/** §G.1.2.2: AC first scan of one block; EOBn codes a run of 2^n + extra bits empty bands. */
function acFirstInPlace(
  reader: BitReader,
  table: HuffmanTable,
  ss: number,
  se: number,
  al: number,
  coefs: Int16Array,
  base: number,
  state: InPlaceState,
): void {
  if (state.eobrun > 0) {
    state.eobrun--;
    return;
  }
  const fast = table.fast;
  // Coefficients come in increasing k: the last one written is the block's highest.
  let written = 0;
  // The accumulator in locals, handed back around fills and slow codes (as in scan-sequential.ts).
  let acc = reader.acc;
  let count = reader.count;
  for (let k = ss; k <= se; k++) {
    if (count < 16) {
      reader.count = count;
      reader.fill();
      acc = reader.acc;
      count = reader.count;
    }
    const entry = fast[(acc >>> (count - FAST_BITS)) & FAST_MASK]!;
    if (entry !== 0) {
      count -= entry & 15;
      k += (entry >> 4) & 15;
      if (k <= se) {
        coefs[base + k] = (entry >> 8) << al;
        written = k;
      }
      continue;
    }
    reader.count = count;
    const rs = decodeHuffman(reader, table);
    const r = rs >> 4;
    const s = rs & 15;
    if (s === 0) {
      if (r < 15) {
        state.eobrun = (1 << r) - 1 + reader.bits(r);
        acc = reader.acc;
        count = reader.count;
        break;
      }
      acc = reader.acc;
      count = reader.count;
      k += 15;
      continue;
    }
    k += r;
    const value = reader.receiveExtend(s) << al;
    acc = reader.acc;
    count = reader.count;
    if (k <= se) {
      coefs[base + k] = value;
      written = k;
    }
  }
  reader.count = count;
  const block = base >> 6;
  if (written > state.last[block]!) state.last[block] = written;
}

/**
 * §G.1.2.3: AC refinement of one block. Every already-nonzero coefficient in
 * the band gets a correction bit; a new coefficient (always ±1 at this bit)
 * goes after `r` still-zero ones. Mirrors libjpeg's decode_mcu_AC_refine.
 */
function acRefineInPlace(
  reader: BitReader,
  table: HuffmanTable,
  ss: number,
  se: number,
  al: number,
  coefs: Int16Array,
  base: number,
  state: InPlaceState,
): void {
  const p1 = 1 << al;
  const m1 = -1 << al;
  const lookup = table.lookup;
  let k = ss;
  // The reader's accumulator is held in locals (most of a refinement scan
  // is single correction bits) and handed back around fills and slow codes.
  let acc = reader.acc;
  let count = reader.count;
  const block = base >> 6;
  // Nonzero coefficients past the current position are from earlier scans.
  const previous = state.last[block]!;
  let written = 0;
  if (state.eobrun === 0) {
    for (; k <= se; k++) {
      if (count < 16) {
        reader.count = count;
        reader.fill();
        acc = reader.acc;
        count = reader.count;
      }
      let rs: number;
      const entry = lookup[(acc >>> (count - LOOKUP_BITS)) & LOOKUP_MASK]!;
      if (entry !== 0) {
        count -= entry >> 8;
        rs = entry & 0xff;
      } else {
        reader.count = count;
        rs = decodeHuffman(reader, table);
        acc = reader.acc;
        count = reader.count;
      }
      let r = rs >> 4;
      let s = rs & 15;
      if (s !== 0) {
        if (count < 1) {
          reader.count = count;
          reader.fill();
          acc = reader.acc;
          count = reader.count;
        }
        count--;
        s = (acc >>> count) & 1 ? p1 : m1;
      } else if (r !== 15) {
        reader.count = count;
        state.eobrun = (1 << r) + reader.bits(r);
        acc = reader.acc;
        count = reader.count;
        break;
      }
      while (k <= se) {
        if (k > previous) {
          // Only zeros from here on: the new coefficient goes r zeros on.
          k = Math.min(k + r, se + 1);
          break;
        }
        const at = base + k;
        const coef = coefs[at]!;
        if (coef !== 0) {
          if (count < 1) {
            reader.count = count;
            reader.fill();
            acc = reader.acc;
            count = reader.count;
          }
          count--;
          if (((acc >>> count) & 1) !== 0 && (coef & p1) === 0) coefs[at] = coef >= 0 ? coef + p1 : coef + m1;
        } else if (--r < 0) {
          break;
        }
        k++;
      }
      if (s !== 0 && k <= se) {
        coefs[base + k] = s;
        written = k;
      }
    }
  }
  if (written > state.last[block]!) state.last[block] = written;
  if (state.eobrun > 0) {
    // Past the block's last nonzero coefficient there is nothing to correct.
    const end = Math.min(se, previous);
    for (; k <= end; k++) {
      const at = base + k;
      const coef = coefs[at]!;
      if (coef !== 0) {
        if (count < 1) {
          reader.count = count;
          reader.fill();
          acc = reader.acc;
          count = reader.count;
        }
        count--;
        if (((acc >>> count) & 1) !== 0 && (coef & p1) === 0) coefs[at] = coef >= 0 ? coef + p1 : coef + m1;
      }
    }
    state.eobrun--;
  }
  reader.count = count;
}

import { invalidImage } from '../bytes';
import type { BitReader } from './bit-reader';

/** Codes up to this many bits are resolved by one table lookup. */
export const LOOKUP_BITS = 9;

/** A Huffman decoding table (ITU T.81 §F.2.2.3), with a lookup table for short codes. */
export interface HuffmanTable {
  /** Indexed by the next LOOKUP_BITS bits: (code length << 8) | value, or 0 for a longer code. */
  lookup: Uint16Array;
  /** MAXCODE per length 1..16 (-1 when no code has that length); index 17 is a sentinel. */
  maxCode: Int32Array;
  /** VALPTR − MINCODE per length, so value index = code + valOffset[length]. */
  valOffset: Int32Array;
  values: Uint8Array;
  /**
   * Indexed by the next LOOKUP_BITS bits: a code and its value bits that fit
   * in them together, decoded at once (libjpeg-turbo's jdhuff.c lookahead,
   * extended by the extra bits as in stb_image's fast AC table). Packed as
   * (value << 8) | (run << 4) | bits used; 0 when the slow path is needed
   * (a longer code or value, or an AC table's EOB and ZRL). For a DC table
   * the run is 0 and the value is the DC difference.
   */
  fast: Int32Array;
}

/** Bits a {@link HuffmanTable.fast} lookup is indexed by. */
export const FAST_BITS = LOOKUP_BITS;

/**
 * Builds a decoding table from a DHT's BITS and HUFFVAL lists (ITU T.81 §C.2, §F.2.2.3).
 * @throws invalid_image when the code lengths overflow the code space, or a DC
 *   table has a category above 15 (libjpeg rejects the same tables).
 */
export function buildHuffmanTable(counts: Uint8Array, values: Uint8Array, isDc: boolean): HuffmanTable {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const maxCode = new Int32Array(18).fill(-1);
  const valOffset = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1]!;
    if (n > 0) {
      valOffset[len] = k - code;
      for (let i = 0; i < n; i++, k++, code++) {
        if (code >= 1 << len) throw invalidImage('JPEG Huffman table is corrupt');
        const value = values[k]!;
        if (isDc && value > 15) throw invalidImage('JPEG Huffman table is corrupt');
        if (len <= LOOKUP_BITS) {
          const shift = LOOKUP_BITS - len;
          const first = code << shift;
          lookup.fill((len << 8) | value, first, first + (1 << shift));
        }
      }
      maxCode[len] = code - 1;
    }
    code <<= 1;
  }
  // A sentinel so the slow path's loop always ends.
  maxCode[17] = 0x7fffffff;
  return { lookup, maxCode, valOffset, values: values.slice(), fast: buildFastTable(lookup, isDc) };
}

function buildFastTable(lookup: Uint16Array, isDc: boolean): Int32Array {
  const fast = new Int32Array(1 << LOOKUP_BITS);
  for (let i = 0; i < fast.length; i++) {
    const entry = lookup[i]!;
    if (entry === 0) continue;
    const len = entry >> 8;
    const symbol = entry & 0xff;
    const size = isDc ? symbol : symbol & 15;
    if ((!isDc && size === 0) || len + size > LOOKUP_BITS) continue;
    const raw = (i >> (LOOKUP_BITS - len - size)) & ((1 << size) - 1);
    const value = size === 0 ? 0 : extend(raw, size);
    fast[i] = (value << 8) | ((isDc ? 0 : symbol >> 4) << 4) | (len + size);
  }
  return fast;
}

/** EXTEND (ITU T.81 §F.2.2.1, Figure F.12): `size` bits `v` as a signed value. */
function extend(v: number, size: number): number {
  return v < 1 << (size - 1) ? v - (1 << size) + 1 : v;
}

/**
 * Decodes one Huffman-coded value (ITU T.81 §F.2.2.3 DECODE).
 * @throws invalid_image when the bits match no code in the table.
 */
export function decodeHuffman(reader: BitReader, table: HuffmanTable): number {
  const bits = reader.peek16();
  const entry = table.lookup[bits >>> (16 - LOOKUP_BITS)]!;
  if (entry !== 0) {
    reader.skip(entry >> 8);
    return entry & 0xff;
  }
  for (let len = LOOKUP_BITS + 1; len <= 16; len++) {
    const code = bits >>> (16 - len);
    if (code <= table.maxCode[len]!) {
      reader.skip(len);
      return table.values[code + table.valOffset[len]!]!;
    }
  }
  throw invalidImage('JPEG data has an invalid Huffman code');
}

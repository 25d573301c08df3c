import { invalidImage } from '../bytes';

const LOW7 = 0x7f7f7f7f;
const HIGH = 0x80808080 | 0;

/**
 * Reverses one row's filter in place (PNG §9.2 filter types 0–4). `prev` is
 * the previous unfiltered row of the same pass (all zeros for its first row);
 * `bpp` is bytes per complete pixel, rounded up to 1 (PNG §9.2). Rows that
 * start on a 4-byte boundary (the decoder lays them out so) are done four
 * bytes at a time where the filter allows it: Up always, Sub and Average when
 * a pixel is a whole number of 32-bit words (8-bit RGBA, 16-bit grey+alpha,
 * 16-bit RGBA). The results are the same bytes as the byte loop's.
 * @throws invalid_image for a filter type above 4.
 */
export function unfilterRow(filter: number, row: Uint8Array, prev: Uint8Array, bpp: number): void {
  if (filter > 4) throw invalidImage('PNG filter type is invalid');
  if (filter === 0) return;
  const aligned = (row.byteOffset & 3) === 0 && (prev.byteOffset & 3) === 0;
  if (aligned && (filter === 2 || ((filter === 1 || filter === 3) && (bpp & 3) === 0))) {
    const words = row.length >> 2;
    const r = new Int32Array(row.buffer, row.byteOffset, words);
    const p = new Int32Array(prev.buffer, prev.byteOffset, words);
    if (filter === 1) subWords(r, bpp >> 2);
    else if (filter === 2) upWords(r, p);
    else averageWords(r, p, bpp >> 2);
    // Up leaves the bytes past the last whole word (the other two only run when there are none).
    for (let i = words << 2; i < row.length; i++) row[i] = (row[i]! + prev[i]!) & 0xff;
    return;
  }
  unfilterBytes(filter, row, prev, bpp);
}

/**
 * Four bytes added lane by lane, each modulo 256 (SWAR): the low seven bits
 * of every lane are summed without reaching the next lane, and each lane's
 * top bit is the XOR of the two top bits and the carry into it.
 */
function addLanes(x: number, y: number): number {
  return ((x & LOW7) + (y & LOW7)) ^ ((x ^ y) & HIGH);
}

/** floor((x + y) / 2) in each of the four byte lanes: x + y = 2(x & y) + (x ^ y). */
function averageLanes(x: number, y: number): number {
  return (x & y) + (((x ^ y) >>> 1) & LOW7);
}

function subWords(r: Int32Array, step: number): void {
  if (step === 1) {
    // The left pixel stays in a register: reading back the word just stored would chain every
    // word through a store-to-load round trip.
    let left = r[0]!;
    for (let i = 1; i < r.length; i++) r[i] = left = addLanes(r[i]!, left);
    return;
  }
  for (let i = step; i < r.length; i++) r[i] = addLanes(r[i]!, r[i - step]!);
}

function upWords(r: Int32Array, p: Int32Array): void {
  for (let i = 0; i < r.length; i++) r[i] = addLanes(r[i]!, p[i]!);
}

function averageWords(r: Int32Array, p: Int32Array, step: number): void {
  for (let i = 0; i < step && i < r.length; i++) r[i] = addLanes(r[i]!, (p[i]! >>> 1) & LOW7);
  if (step === 1) {
    let left = r[0]!;
    for (let i = 1; i < r.length; i++) r[i] = left = addLanes(r[i]!, averageLanes(left, p[i]!));
    return;
  }
  for (let i = step; i < r.length; i++) r[i] = addLanes(r[i]!, averageLanes(r[i - step]!, p[i]!));
}

function unfilterBytes(filter: number, row: Uint8Array, prev: Uint8Array, bpp: number): void {
  const n = row.length;
  switch (filter) {
    case 1:
      for (let i = bpp; i < n; i++) row[i] = (row[i]! + row[i - bpp]!) & 0xff;
      return;
    case 2:
      for (let i = 0; i < n; i++) row[i] = (row[i]! + prev[i]!) & 0xff;
      return;
    case 3:
      for (let i = 0; i < bpp && i < n; i++) row[i] = (row[i]! + (prev[i]! >> 1)) & 0xff;
      for (let i = bpp; i < n; i++) row[i] = (row[i]! + ((row[i - bpp]! + prev[i]!) >> 1)) & 0xff;
      return;
    default:
      for (let i = 0; i < bpp && i < n; i++) row[i] = (row[i]! + prev[i]!) & 0xff;
      if ((bpp & 3) === 0) for (let first = 0; first < bpp; first += 4) paethQuad(row, prev, first, bpp);
      else if (bpp === 3) paethTriple(row, prev);
      else for (let i = bpp; i < n; i++) row[i] = (row[i]! + paeth(row[i - bpp]!, prev[i]!, prev[i - bpp]!)) & 0xff;
  }
}

/**
 * Paeth on four channels of a row whose pixels are `step` bytes (4 or 8), from
 * byte `first` on, a pixel at a time: the left and upper-left samples of the
 * four stay in registers, and the four chains run side by side. The first
 * pixel is done already.
 */
function paethQuad(row: Uint8Array, prev: Uint8Array, first: number, step: number): void {
  let a0 = row[first]!;
  let a1 = row[first + 1]!;
  let a2 = row[first + 2]!;
  let a3 = row[first + 3]!;
  let c0 = prev[first]!;
  let c1 = prev[first + 1]!;
  let c2 = prev[first + 2]!;
  let c3 = prev[first + 3]!;
  for (let i = first + step; i + 3 < row.length; i += step) {
    const b0 = prev[i]!;
    const b1 = prev[i + 1]!;
    const b2 = prev[i + 2]!;
    const b3 = prev[i + 3]!;
    row[i] = a0 = (row[i]! + paeth(a0, b0, c0)) & 0xff;
    row[i + 1] = a1 = (row[i + 1]! + paeth(a1, b1, c1)) & 0xff;
    row[i + 2] = a2 = (row[i + 2]! + paeth(a2, b2, c2)) & 0xff;
    row[i + 3] = a3 = (row[i + 3]! + paeth(a3, b3, c3)) & 0xff;
    c0 = b0;
    c1 = b1;
    c2 = b2;
    c3 = b3;
  }
}

/** {@link paethQuad} for 8-bit RGB rows: three channel chains side by side. */
function paethTriple(row: Uint8Array, prev: Uint8Array): void {
  let a0 = row[0]!;
  let a1 = row[1]!;
  let a2 = row[2]!;
  let c0 = prev[0]!;
  let c1 = prev[1]!;
  let c2 = prev[2]!;
  for (let i = 3; i + 2 < row.length; i += 3) {
    const b0 = prev[i]!;
    const b1 = prev[i + 1]!;
    const b2 = prev[i + 2]!;
    row[i] = a0 = (row[i]! + paeth(a0, b0, c0)) & 0xff;
    row[i + 1] = a1 = (row[i + 1]! + paeth(a1, b1, c1)) & 0xff;
    row[i + 2] = a2 = (row[i + 2]! + paeth(a2, b2, c2)) & 0xff;
    c0 = b0;
    c1 = b1;
    c2 = b2;
  }
}

/**
 * PNG §9.4 Paeth: of a (left), b (up) and c (upper left), the one closest to
 * a + b - c, ties in the order a, b, c. Branch-free (sign masks instead of
 * comparisons): on photographic rows the choice is unpredictable.
 */
function paeth(a: number, b: number, c: number): number {
  const pb0 = a - c;
  const pa0 = b - c;
  const pc0 = pa0 + pb0;
  const pa = (pa0 ^ (pa0 >> 31)) - (pa0 >> 31);
  const pb = (pb0 ^ (pb0 >> 31)) - (pb0 >> 31);
  const pc = (pc0 ^ (pc0 >> 31)) - (pc0 >> 31);
  const bc = b ^ ((b ^ c) & ((pc - pb) >> 31)); // pc < pb ? c : b
  const notA = ((pb - pa) | (pc - pa)) >> 31; // pa > pb || pa > pc
  return a ^ ((a ^ bc) & notA);
}

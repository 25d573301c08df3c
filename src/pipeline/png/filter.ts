import { invalidImage } from '../bytes';

/**
 * Reverses one row's filter in place (PNG §9.2 filter types 0–4). `prev` is
 * the previous unfiltered row of the same pass (all zeros for its first row);
 * `bpp` is bytes per complete pixel, rounded up to 1 (PNG §9.2).
 * @throws invalid_image for a filter type above 4.
 */
export function unfilterRow(filter: number, row: Uint8Array, prev: Uint8Array, bpp: number): void {
  const n = row.length;
  switch (filter) {
    case 0:
      return;
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
    case 4:
      for (let i = 0; i < bpp && i < n; i++) row[i] = (row[i]! + prev[i]!) & 0xff;
      for (let i = bpp; i < n; i++) {
        const a = row[i - bpp]!;
        const b = prev[i]!;
        const c = prev[i - bpp]!;
        // PNG §9.4 Paeth: the neighbour closest to a + b - c, ties in the order a, b, c. Branch-free
        // (sign masks instead of comparisons): on photographic rows the choice is unpredictable.
        const pb0 = a - c;
        const pa0 = b - c;
        const pc0 = pa0 + pb0;
        const pa = (pa0 ^ (pa0 >> 31)) - (pa0 >> 31);
        const pb = (pb0 ^ (pb0 >> 31)) - (pb0 >> 31);
        const pc = (pc0 ^ (pc0 >> 31)) - (pc0 >> 31);
        const bc = b ^ ((b ^ c) & ((pc - pb) >> 31)); // pc < pb ? c : b
        const notA = ((pb - pa) | (pc - pa)) >> 31; // pa > pb || pa > pc
        row[i] = (row[i]! + (a ^ ((a ^ bc) & notA))) & 0xff;
      }
      return;
    default:
      throw invalidImage('PNG filter type is invalid');
  }
}

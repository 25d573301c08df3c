/**
 * Bytes of DCT coefficients a buffered decode (progressive, or one scan per
 * component) holds at full scale: 64 16-bit coefficients per block of every
 * component, blocks counted over whole MCUs. Zero for a file whose first scan
 * interleaves every component and is sequential: that one streams. Read from
 * the frame and first scan headers, which the structure walk has accepted.
 */
export function fullScaleCoefficientBytes(bytes: Uint8Array): number {
  let pos = 2;
  let frame: { width: number; height: number; sampling: [number, number][]; progressive: boolean } | undefined;
  while (pos + 4 <= bytes.length && bytes[pos] === 0xff) {
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    const at = pos + 4;
    if (at + length - 2 > bytes.length) return 0;
    if (marker >= 0xc0 && marker <= 0xc2) {
      const sampling: [number, number][] = [];
      for (let i = 0; i < bytes[at + 5]!; i++) {
        const hv = bytes[at + 7 + i * 3]!;
        sampling.push([hv >> 4, hv & 15]);
      }
      frame = {
        height: (bytes[at + 1]! << 8) | bytes[at + 2]!,
        width: (bytes[at + 3]! << 8) | bytes[at + 4]!,
        sampling,
        progressive: marker === 0xc2,
      };
    } else if (marker === 0xda) {
      if (frame === undefined) return 0;
      if (!frame.progressive && bytes[at] === frame.sampling.length) return 0;
      const hMax = Math.max(...frame.sampling.map(([h]) => h));
      const vMax = Math.max(...frame.sampling.map(([, v]) => v));
      const mcusX = Math.ceil(frame.width / (8 * hMax));
      const mcusY = Math.ceil(frame.height / (8 * vMax));
      return frame.sampling.reduce((sum, [h, v]) => sum + mcusX * h * mcusY * v * 128, 0);
    }
    pos = at + length - 2;
  }
  return 0;
}

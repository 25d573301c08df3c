import type { Orientation, RgbaImage } from './types';

/** Views RGBA bytes as one 32-bit word per pixel, copying only if misaligned. */
function pixelWords(image: RgbaImage): Uint32Array {
  const { data } = image;
  if (data.byteOffset % 4 === 0) return new Uint32Array(data.buffer, data.byteOffset, image.width * image.height);
  return new Uint32Array(data.slice().buffer);
}

/**
 * Applies an EXIF orientation (TIFF 6.0 tag 0x0112) so the result is upright:
 * 2 mirrors horizontally, 3 rotates 180°, 4 mirrors vertically, 5 transposes,
 * 6 rotates 90° clockwise, 7 transverses, 8 rotates 90° counter-clockwise.
 * Orientation 1 returns the input unchanged.
 */
export function applyOrientation(image: RgbaImage, orientation: Orientation): RgbaImage {
  if (orientation === 1) return image;
  const { width: w, height: h } = image;
  const src = pixelWords(image);
  const out = new Uint32Array(w * h);
  const place = uprightIndex(orientation, w, h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) out[place(x, y)] = src[row + x]!;
  }
  return { ...uprightSize(orientation, w, h), data: new Uint8ClampedArray(out.buffer) };
}

/**
 * For a pixel at (x, y) of the stored `w`×`h` image, its index in the upright
 * image. Streaming decoders use it to write pixels straight to their upright
 * place, so no second frame is needed to rotate.
 */
export function uprightIndex(orientation: Orientation, w: number, h: number): (x: number, y: number) => number {
  switch (orientation) {
    case 1:
      return (x, y) => y * w + x;
    case 2:
      return (x, y) => y * w + (w - 1 - x);
    case 3:
      return (x, y) => (h - 1 - y) * w + (w - 1 - x);
    case 4:
      return (x, y) => (h - 1 - y) * w + x;
    case 5:
      return (x, y) => x * h + y;
    case 6:
      return (x, y) => x * h + (h - 1 - y);
    case 7:
      return (x, y) => (w - 1 - x) * h + (h - 1 - y);
    case 8:
      return (x, y) => (w - 1 - x) * h + y;
  }
}

/** The upright size of a `w`×`h` stored image. */
export function uprightSize(orientation: Orientation, w: number, h: number): { width: number; height: number } {
  return orientation >= 5 ? { width: h, height: w } : { width: w, height: h };
}

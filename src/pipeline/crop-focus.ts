import type { RgbaImage } from './types';

/** A square crop of an image: its top-left corner and side, in that image's pixels. */
export interface SquareCrop {
  x: number;
  y: number;
  side: number;
}

/**
 * How much more detail than the geometric centre a window must hold to be
 * chosen instead: on evenly textured images the centre stays (no jitter).
 */
const MIN_GAIN = 1.1;

/**
 * Where to cut the largest square out of `image` for a `cover` crop: the
 * position along the long axis whose window holds the most detail, measured as
 * the luma gradient (|dx| + |dy|, weighted by alpha) summed across the short
 * axis. Falls back to the geometric centre unless a window beats it by
 * {@link MIN_GAIN}. One pass over the pixels plus a sliding window: meant for
 * a small working image (about twice the output size), where it costs far less
 * than decoding did.
 */
export function chooseCoverCrop(image: RgbaImage): SquareCrop {
  const { width, height, data } = image;
  const side = Math.min(width, height);
  const wide = width >= height;
  const length = wide ? width : height;
  const centre = Math.floor((length - side) / 2);
  const place = (offset: number): SquareCrop => (wide ? { x: offset, y: 0, side } : { x: 0, y: offset, side });
  if (length === side) return place(0);

  const luma = (i: number) => ((data[i]! * 54 + data[i + 1]! * 183 + data[i + 2]! * 19) * data[i + 3]!) >> 16;
  // Detail per position along the long axis.
  const profile = new Float64Array(length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const here = luma(i);
      const dx = x + 1 < width ? Math.abs(luma(i + 4) - here) : 0;
      const dy = y + 1 < height ? Math.abs(luma(i + width * 4) - here) : 0;
      profile[wide ? x : y]! += dx + dy;
    }
  }

  let window = 0;
  for (let i = 0; i < side; i++) window += profile[i]!;
  let best = 0;
  let bestSum = window;
  let centreSum = window;
  for (let offset = 1; offset <= length - side; offset++) {
    window += profile[offset + side - 1]! - profile[offset - 1]!;
    if (offset === centre) centreSum = window;
    const closer = Math.abs(offset - centre) < Math.abs(best - centre);
    if (window > bestSum || (window === bestSum && closer)) {
      best = offset;
      bestSum = window;
    }
  }
  return place(bestSum > centreSum * MIN_GAIN ? best : centre);
}

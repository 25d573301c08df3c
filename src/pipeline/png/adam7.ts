/** Where the rows of one pass of the image lie, and how many bytes each filtered row holds. */
export interface PassGeometry {
  /** First image column of the pass. */
  x0: number;
  /** First image row of the pass. */
  y0: number;
  /** Column step between the pass's pixels. */
  dx: number;
  /** Row step between the pass's rows. */
  dy: number;
  /** Pixels per row of the pass (0 for an empty pass). */
  width: number;
  /** Rows in the pass (0 for an empty pass). */
  height: number;
}

/** PNG §8.2 Adam7: (x0, y0, dx, dy) of passes 1..7. */
export const ADAM7: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** The passes of an image: one full pass, or the seven Adam7 passes (some possibly empty). */
export function imagePasses(width: number, height: number, interlaced: boolean): PassGeometry[] {
  if (!interlaced) return [{ x0: 0, y0: 0, dx: 1, dy: 1, width, height }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    width: width > x0 ? Math.ceil((width - x0) / dx) : 0,
    height: height > y0 ? Math.ceil((height - y0) / dy) : 0,
  }));
}

/** Bytes in one filtered row of `width` pixels, without the filter-type byte (PNG §7.2: rows start on byte boundaries). */
export function rowBytes(width: number, bitsPerPixel: number): number {
  return Math.ceil((width * bitsPerPixel) / 8);
}

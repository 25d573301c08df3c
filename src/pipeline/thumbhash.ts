import { srgbEncodeTable, srgbToLinearTable, ENCODE_STEPS } from './colour/trc';
import type { RgbaImage } from './types';

/** ThumbHash encodes images of at most this many pixels on a side (Evan Wallace's reference implementation). */
const THUMBHASH_MAX_EDGE = 100;

/**
 * The ThumbHash (https://evanw.github.io/thumbhash/) of the thumbnail, as
 * base64: about 25 bytes from which a page paints a blurred placeholder
 * (colours, rough layout, alpha, aspect ratio) before the image loads. The
 * thumbnail is first area-averaged in linear light (premultiplied) by the
 * smallest integer factor that fits 100×100: the hash keeps at most 7×7
 * cosine terms, far below where a box filter and Lanczos-3 differ, so the
 * thumbnail's own Lanczos-3 is not run a second time for it.
 */
export function thumbHashOf(thumb: RgbaImage): string {
  const factor = Math.ceil(Math.max(thumb.width, thumb.height) / THUMBHASH_MAX_EDGE);
  const small = factor > 1 ? boxReduce(thumb, factor) : thumb;
  const hash = encodeThumbHash(small.width, small.height, small.data);
  let binary = '';
  for (const byte of hash) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Averages each `factor`×`factor` block (edge blocks may be smaller) in linear light, premultiplied by alpha.
 *
 * Every pixel loop is a single loop in a function of its own (a row added to
 * the block sums, the sums written out): a loop nested in another is first
 * compiled on-stack at the inner loop, and V8 throws that code away each time
 * the inner loop exits (hundreds of times per call), so the first calls of an
 * isolate ran mostly unoptimised (20–40 ms instead of under 1 ms).
 */
function boxReduce(image: RgbaImage, factor: number): RgbaImage {
  const { width: sw, height: sh, data: src } = image;
  const lin = srgbToLinearTable();
  const encode = srgbEncodeTable();
  const dw = Math.ceil(sw / factor);
  const dh = Math.ceil(sh / factor);
  const out = new Uint8ClampedArray(dw * dh * 4);
  const sums = new Float64Array(dw * 4);
  const opaque = image.opaque === true;
  for (let dy = 0; dy < dh; dy++) {
    sums.fill(0);
    const y0 = dy * factor;
    const y1 = Math.min(sh, y0 + factor);
    for (let sy = y0; sy < y1; sy++) {
      const start = sy * sw * 4;
      if (opaque) addOpaqueRow(src, start, start + sw * 4, factor, lin, sums);
      else addAlphaRow(src, start, start + sw * 4, factor, lin, sums);
    }
    writeBlockRow(sums, out, dy * dw * 4, dw, sw, factor, y1 - y0, opaque, encode);
  }
  return { width: dw, height: dh, data: out, ...(opaque && { opaque: true }) };
}

/**
 * Adds one opaque row to the block sums: each block's samples are summed on
 * their own first, then added to the block's running sum (the order the
 * results depend on), with the block's pixel count.
 */
function addOpaqueRow(
  src: Uint8Array | Uint8ClampedArray,
  start: number,
  end: number,
  factor: number,
  lin: Float32Array,
  sums: Float64Array,
): void {
  let r = 0;
  let g = 0;
  let b = 0;
  let left = factor;
  let k = 0;
  for (let s = start; s < end; s += 4) {
    r += lin[src[s]!]!;
    g += lin[src[s + 1]!]!;
    b += lin[src[s + 2]!]!;
    if (--left === 0) {
      sums[k] = sums[k]! + r;
      sums[k + 1] = sums[k + 1]! + g;
      sums[k + 2] = sums[k + 2]! + b;
      sums[k + 3] = sums[k + 3]! + factor;
      r = 0;
      g = 0;
      b = 0;
      left = factor;
      k += 4;
    }
  }
  if (left !== factor) {
    sums[k] = sums[k]! + r;
    sums[k + 1] = sums[k + 1]! + g;
    sums[k + 2] = sums[k + 2]! + b;
    sums[k + 3] = sums[k + 3]! + (factor - left);
  }
}

/** Adds one row to the block sums, each sample weighted by its alpha (premultiplied), and the alphas. */
function addAlphaRow(
  src: Uint8Array | Uint8ClampedArray,
  start: number,
  end: number,
  factor: number,
  lin: Float32Array,
  sums: Float64Array,
): void {
  for (let s = start, k = 0, left = factor; s < end; s += 4) {
    const a = src[s + 3]!;
    if (a !== 0) {
      sums[k] = sums[k]! + lin[src[s]!]! * a;
      sums[k + 1] = sums[k + 1]! + lin[src[s + 1]!]! * a;
      sums[k + 2] = sums[k + 2]! + lin[src[s + 2]!]! * a;
      sums[k + 3] = sums[k + 3]! + a;
    }
    if (--left === 0) {
      left = factor;
      k += 4;
    }
  }
}

/** Writes one output row from the block sums of `rows` source rows: un-premultiplied, back to 8-bit sRGB. */
function writeBlockRow(
  sums: Float64Array,
  out: Uint8ClampedArray,
  o: number,
  dw: number,
  sw: number,
  factor: number,
  rows: number,
  opaque: boolean,
  encode: Uint8Array,
): void {
  for (let dx = 0, k = 0; dx < dw; dx++, k += 4, o += 4) {
    const alphaSum = sums[k + 3]!;
    if (alphaSum > 0) {
      const inv = ENCODE_STEPS / alphaSum;
      out[o] = encode[Math.min(ENCODE_STEPS, (sums[k]! * inv + 0.5) | 0)]!;
      out[o + 1] = encode[Math.min(ENCODE_STEPS, (sums[k + 1]! * inv + 0.5) | 0)]!;
      out[o + 2] = encode[Math.min(ENCODE_STEPS, (sums[k + 2]! * inv + 0.5) | 0)]!;
    }
    const pixels = rows * (Math.min(sw, (dx + 1) * factor) - dx * factor);
    out[o + 3] = opaque ? 255 : alphaSum / pixels;
  }
}

/** `column[x] += channel[offset + x] * k` for x < w (a loop of its own: see {@link boxReduce}). */
function addScaledRow(column: Float64Array, channel: Float64Array, offset: number, w: number, k: number): void {
  for (let x = 0, i = offset; x < w; x++, i++) column[x] = column[x]! + channel[i]! * k;
}

/** The sum of `column[x] * table[offset + x]` for x < w, in order. */
function dot(column: Float64Array, table: Float64Array, offset: number, w: number): number {
  let f = 0;
  for (let x = 0, c = offset; x < w; x++, c++) f += column[x]! * table[c]!;
  return f;
}

/**
 * ThumbHash's encoder (the reference `rgbaToThumbHash`, same terms, same
 * quantisation and layout), with its cosine transform done separably: each
 * channel is first summed down the columns once per vertical frequency, then
 * each term is one dot product with the horizontal cosines, instead of a
 * whole-image pass per term. Equal to the reference up to float rounding.
 */
export function encodeThumbHash(w: number, h: number, rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  if (w > THUMBHASH_MAX_EDGE || h > THUMBHASH_MAX_EDGE) throw new RangeError(`${w}x${h} doesn't fit in 100x100`);
  const n = w * h;
  let avgR = 0;
  let avgG = 0;
  let avgB = 0;
  let avgA = 0;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const alpha = rgba[j + 3]! / 255;
    avgR += (alpha / 255) * rgba[j]!;
    avgG += (alpha / 255) * rgba[j + 1]!;
    avgB += (alpha / 255) * rgba[j + 2]!;
    avgA += alpha;
  }
  if (avgA) {
    avgR /= avgA;
    avgG /= avgA;
    avgB /= avgA;
  }
  const hasAlpha = avgA < n;
  const lLimit = hasAlpha ? 5 : 7; // fewer luminance bits when there is alpha
  const lx = Math.max(1, Math.round((lLimit * w) / Math.max(w, h)));
  const ly = Math.max(1, Math.round((lLimit * h) / Math.max(w, h)));
  const l = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const a = new Float64Array(n);
  // RGBA to LPQA, composited over the average colour.
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const alpha = rgba[j + 3]! / 255;
    const r = avgR * (1 - alpha) + (alpha / 255) * rgba[j]!;
    const g = avgG * (1 - alpha) + (alpha / 255) * rgba[j + 1]!;
    const b = avgB * (1 - alpha) + (alpha / 255) * rgba[j + 2]!;
    l[i] = (r + g + b) / 3;
    p[i] = (r + g) / 2 - b;
    q[i] = r - g;
    a[i] = alpha;
  }
  const column = new Float64Array(w);
  const cosines = (size: number, count: number) => {
    const table = new Float64Array(size * count);
    for (let c = 0; c < count; c++) {
      for (let x = 0; x < size; x++) table[c * size + x] = Math.cos((Math.PI / size) * c * (x + 0.5));
    }
    return table;
  };
  const encodeChannel = (channel: Float64Array, nx: number, ny: number) => {
    const fx = cosines(w, nx);
    const fy = cosines(h, ny);
    let dc = 0;
    let scale = 0;
    const ac: number[] = [];
    for (let cy = 0; cy < ny; cy++) {
      column.fill(0);
      for (let y = 0; y < h; y++) addScaledRow(column, channel, y * w, w, fy[cy * h + y]!);
      for (let cx = 0; cx * ny < nx * (ny - cy); cx++) {
        const f = dot(column, fx, cx * w, w) / n;
        if (cx || cy) {
          ac.push(f);
          scale = Math.max(scale, Math.abs(f));
        } else dc = f;
      }
    }
    if (scale) for (let i = 0; i < ac.length; i++) ac[i] = 0.5 + (0.5 / scale) * ac[i]!;
    return { dc, ac, scale };
  };
  const L = encodeChannel(l, Math.max(3, lx), Math.max(3, ly));
  const P = encodeChannel(p, 3, 3);
  const Q = encodeChannel(q, 3, 3);
  const A = hasAlpha ? encodeChannel(a, 5, 5) : undefined;

  const round = Math.round;
  const isLandscape = w > h;
  const header24 =
    round(63 * L.dc) |
    (round(31.5 + 31.5 * P.dc) << 6) |
    (round(31.5 + 31.5 * Q.dc) << 12) |
    (round(31 * L.scale) << 18) |
    (Number(hasAlpha) << 23);
  const header16 =
    (isLandscape ? ly : lx) | (round(63 * P.scale) << 3) | (round(63 * Q.scale) << 9) | (Number(isLandscape) << 15);
  const hash = [header24 & 255, (header24 >> 8) & 255, header24 >> 16, header16 & 255, header16 >> 8];
  const acStart = A ? 6 : 5;
  let acIndex = 0;
  if (A) hash.push(round(15 * A.dc) | (round(15 * A.scale) << 4));
  for (const ac of A ? [L.ac, P.ac, Q.ac, A.ac] : [L.ac, P.ac, Q.ac]) {
    for (const f of ac) {
      const at = acStart + (acIndex >> 1);
      hash[at] = (hash[at] ?? 0) | (round(15 * f) << ((acIndex++ & 1) << 2));
    }
  }
  return new Uint8Array(hash);
}

// The fidelity benchmark's oracles: sRGB transfer curves, a linear-light
// Lanczos-3 resampler, PSNR, SSIM and CIEDE2000. Written from the published
// formulas, independently of src/ (an oracle must not share code with what it
// checks): IEC 61966-2-1 for sRGB, Duchon/Turkowski's windowed sinc for
// Lanczos, Wang et al. 2004 for SSIM, Sharma, Wu and Dalal 2005 for CIEDE2000.

/** A float image: `channels` interleaved samples per pixel. */
export interface FloatImage {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

/** sRGB-encoded value in [0, 1] to linear light (IEC 61966-2-1). */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

/** Linear light in [0, 1] to the sRGB-encoded value (clipped to [0, 1]). */
export function linearToSrgb(v: number): number {
  if (v <= 0) return 0;
  if (v >= 1) return 1;
  return v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}

/** Integer sRGB samples (0..`max`) to linear-light floats. */
export function toLinear(samples: ArrayLike<number>, width: number, height: number, channels: number, max: number) {
  const table = new Float32Array(max + 1);
  for (let i = 0; i <= max; i++) table[i] = srgbToLinear(i / max);
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = table[samples[i]!]!;
  return { width, height, channels, data };
}

/** Linear-light floats to sRGB-encoded floats on the 0..255 scale (not rounded). */
export function toSrgb255(image: FloatImage): FloatImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 * linearToSrgb(image.data[i]!);
  return { ...image, data };
}

function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/** Per output index: first source index and normalised weights (the kernel stretched by the scale when shrinking). */
function weights(from: number, to: number): { start: Int32Array; count: number; w: Float64Array } {
  const scale = from / to;
  const stretch = Math.max(1, scale);
  const radius = 3 * stretch;
  const count = Math.ceil(2 * radius) + 1;
  const start = new Int32Array(to);
  const w = new Float64Array(to * count);
  for (let o = 0; o < to; o++) {
    // Pixel centres: output o covers source [o·scale, (o+1)·scale).
    const centre = (o + 0.5) * scale - 0.5;
    const first = Math.floor(centre - radius) + 1;
    start[o] = first;
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const value = lanczos3((first + k - centre) / stretch);
      w[o * count + k] = value;
      sum += value;
    }
    for (let k = 0; k < count; k++) w[o * count + k]! /= sum;
  }
  return { start, count, w };
}

/** Separable Lanczos-3 of a (linear-light) float image to `width`×`height`; edges clamp. */
export function resampleLanczos3(image: FloatImage, width: number, height: number): FloatImage {
  const { channels: n } = image;
  const hw = weights(image.width, width);
  const across = new Float32Array(width * image.height * n);
  for (let y = 0; y < image.height; y++) {
    const row = y * image.width;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < n; c++) {
        let sum = 0;
        for (let k = 0; k < hw.count; k++) {
          const sx = Math.min(image.width - 1, Math.max(0, hw.start[x]! + k));
          sum += hw.w[x * hw.count + k]! * image.data[(row + sx) * n + c]!;
        }
        across[(y * width + x) * n + c] = sum;
      }
    }
  }
  const vw = weights(image.height, height);
  const out = new Float32Array(width * height * n);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < vw.count; k++) {
      const sy = Math.min(image.height - 1, Math.max(0, vw.start[y]! + k));
      const weight = vw.w[y * vw.count + k]!;
      const src = sy * width * n;
      const dst = y * width * n;
      for (let i = 0; i < width * n; i++) out[dst + i]! += weight * across[src + i]!;
    }
  }
  return { width, height, channels: n, data: out };
}

/** PSNR in dB over all samples of two images on the 0..255 scale. */
export function psnr(reference: FloatImage, test: FloatImage): number {
  let sum = 0;
  for (let i = 0; i < reference.data.length; i++) {
    const d = reference.data[i]! - test.data[i]!;
    sum += d * d;
  }
  const mse = sum / reference.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

function luma(image: FloatImage): Float32Array {
  const out = new Float32Array(image.width * image.height);
  for (let p = 0; p < out.length; p++) {
    const i = p * image.channels;
    out[p] = 0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
  }
  return out;
}

/** Mean SSIM of the luma (BT.601 weights of the 0..255 sRGB values), 8×8 windows every 4 pixels. */
export function ssim(reference: FloatImage, test: FloatImage): number {
  const a = luma(reference);
  const b = luma(test);
  const { width, height } = reference;
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let windows = 0;
  for (let y0 = 0; y0 + 8 <= height; y0 += 4) {
    for (let x0 = 0; x0 + 8 <= width; x0 += 4) {
      let sa = 0;
      let sb = 0;
      let saa = 0;
      let sbb = 0;
      let sab = 0;
      for (let y = y0; y < y0 + 8; y++) {
        for (let x = x0; x < x0 + 8; x++) {
          const va = a[y * width + x]!;
          const vb = b[y * width + x]!;
          sa += va;
          sb += vb;
          saa += va * va;
          sbb += vb * vb;
          sab += va * vb;
        }
      }
      const ma = sa / 64;
      const mb = sb / 64;
      const va = saa / 64 - ma * ma;
      const vb = sbb / 64 - mb * mb;
      const cov = sab / 64 - ma * mb;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      windows++;
    }
  }
  return total / windows;
}

/** sRGB (0..255) to CIELAB, D65 white (sRGB's own white, so no adaptation). */
function lab(r: number, g: number, b: number): [number, number, number] {
  const lr = srgbToLinear(r / 255);
  const lg = srgbToLinear(g / 255);
  const lb = srgbToLinear(b / 255);
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / 0.95047;
  const y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 / 116) * t + 16 / 116);
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIEDE2000 (kL = kC = kH = 1), following Sharma, Wu and Dalal's implementation notes. */
export function deltaE2000(l1: number, a1: number, b1: number, l2: number, a2: number, b2: number): number {
  const rad = Math.PI / 180;
  const c1 = Math.hypot(a1, b1);
  const c2 = Math.hypot(a2, b2);
  const cMean7 = ((c1 + c2) / 2) ** 7;
  const g = 0.5 * (1 - Math.sqrt(cMean7 / (cMean7 + 25 ** 7)));
  const a1p = (1 + g) * a1;
  const a2p = (1 + g) * a2;
  const c1p = Math.hypot(a1p, b1);
  const c2p = Math.hypot(a2p, b2);
  const hue = (b: number, a: number) => {
    if (a === 0 && b === 0) return 0;
    const h = Math.atan2(b, a) / rad;
    return h < 0 ? h + 360 : h;
  };
  const h1p = hue(b1, a1p);
  const h2p = hue(b2, a2p);
  const dL = l2 - l1;
  const dC = c2p - c1p;
  let dh = 0;
  if (c1p * c2p !== 0) {
    dh = h2p - h1p;
    if (dh > 180) dh -= 360;
    else if (dh < -180) dh += 360;
  }
  const dH = 2 * Math.sqrt(c1p * c2p) * Math.sin((dh / 2) * rad);
  const lMean = (l1 + l2) / 2;
  const cMean = (c1p + c2p) / 2;
  let hMean = h1p + h2p;
  if (c1p * c2p !== 0) {
    if (Math.abs(h1p - h2p) > 180) hMean += h1p + h2p < 360 ? 360 : -360;
    hMean /= 2;
  }
  const t =
    1 -
    0.17 * Math.cos((hMean - 30) * rad) +
    0.24 * Math.cos(2 * hMean * rad) +
    0.32 * Math.cos((3 * hMean + 6) * rad) -
    0.2 * Math.cos((4 * hMean - 63) * rad);
  const dTheta = 30 * Math.exp(-(((hMean - 275) / 25) ** 2));
  const cMeanP7 = cMean ** 7;
  const rc = 2 * Math.sqrt(cMeanP7 / (cMeanP7 + 25 ** 7));
  const sl = 1 + (0.015 * (lMean - 50) ** 2) / Math.sqrt(20 + (lMean - 50) ** 2);
  const sc = 1 + 0.045 * cMean;
  const sh = 1 + 0.015 * cMean * t;
  const rt = -Math.sin(2 * dTheta * rad) * rc;
  return Math.sqrt((dL / sl) ** 2 + (dC / sc) ** 2 + (dH / sh) ** 2 + rt * (dC / sc) * (dH / sh));
}

/** Mean CIEDE2000 between two same-size 8-bit sRGB images (3 channels each). */
export function meanDeltaE2000(reference: FloatImage, test: FloatImage): number {
  let sum = 0;
  const n = reference.width * reference.height;
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    const [l1, a1, b1] = lab(reference.data[i]!, reference.data[i + 1]!, reference.data[i + 2]!);
    const [l2, a2, b2] = lab(test.data[i]!, test.data[i + 1]!, test.data[i + 2]!);
    sum += deltaE2000(l1, a1, b1, l2, a2, b2);
  }
  return sum / n;
}

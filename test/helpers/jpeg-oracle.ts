import encodeJpegRaw, { init as initJpegEncoder } from '@jsquash/jpeg/encode';
import jpegEncWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import { mozjpegDecode as mozjpegFullDecode } from './encoders';
import { decodeJpeg, type JpegScale } from '../../src/pipeline/jpeg/decoder';
import type { RgbaImage } from '../../src/pipeline/types';
import { seededRandom } from '../fixtures/bytes';

// Test-only helpers for the JPEG decoder: the mozjpeg oracle (encode with
// every option its wrapper exposes, decode at full size), a tiny baseline
// encoder for layouts mozjpeg cannot write (4:2:2, 4:4:0, 4:1:1, odd
// factors, restart intervals, separate component scans, CMYK/YCCK), and
// image comparison.

type InitWithModule = (module: WebAssembly.Module) => Promise<unknown>;
let encoderReady: Promise<unknown> | undefined;

export interface MozjpegOptions {
  quality?: number;
  progressive?: boolean;
  /** 1 = grayscale, 2 = RGB (Adobe transform 0), 3 = YCbCr. */
  colorSpace?: 1 | 2 | 3;
  /** Luma sampling factor h = v = this (1 = 4:4:4, 2 = 4:2:0, 3 = 3×3 luma per chroma sample). */
  lumaFactor?: 1 | 2 | 3 | 4;
}

/** Encodes with mozjpeg, forcing the sampling instead of its quality-based choice. */
export async function mozjpegEncode(img: RgbaImage, opts: MozjpegOptions = {}): Promise<Uint8Array> {
  encoderReady ??= (initJpegEncoder as unknown as InitWithModule)(jpegEncWasm);
  await encoderReady;
  const data = { width: img.width, height: img.height, data: img.data, colorSpace: 'srgb' };
  const buffer = await encodeJpegRaw(data as Parameters<typeof encodeJpegRaw>[0], {
    quality: opts.quality ?? 90,
    progressive: opts.progressive ?? false,
    baseline: !(opts.progressive ?? false),
    color_space: opts.colorSpace ?? 3,
    auto_subsample: false,
    chroma_subsample: opts.lumaFactor ?? 2,
  });
  return new Uint8Array(buffer);
}

/** The oracle: mozjpeg's full-size decode (libjpeg-turbo islow IDCT, fancy upsampling). */
export function mozjpegDecode(bytes: Uint8Array): Promise<RgbaImage> {
  return mozjpegFullDecode(bytes);
}

/** Runs the decoder under test and collects its rows into an image, checking each row comes once, in order. */
export function decodeToImage(
  bytes: Uint8Array,
  scale: JpegScale,
  extra: { maxScans?: number; maxPixels?: number } = {},
): RgbaImage {
  let expected = 0;
  let data = new Uint8ClampedArray(0);
  let rowWidth = 0;
  const size = decodeJpeg(
    bytes,
    { scale, ...extra },
    {
      put(y, rgba) {
        if (y !== expected) throw new Error(`row ${y} arrived, expected ${expected}`);
        expected++;
        rowWidth = rgba.length;
        if (data.length < (y + 1) * rowWidth) {
          const grown = new Uint8ClampedArray(Math.max((y + 1) * rowWidth, data.length * 2));
          grown.set(data);
          data = grown;
        }
        data.set(rgba, y * rowWidth);
      },
    },
  );
  if (expected !== size.height) throw new Error(`got ${expected} rows for height ${size.height}`);
  if (rowWidth !== size.width * 4) throw new Error(`row of ${rowWidth / 4} pixels for width ${size.width}`);
  return { width: size.width, height: size.height, data: data.slice(0, size.width * size.height * 4) };
}

/** PSNR over R, G and B in dB (Infinity when identical). */
export function psnr(a: RgbaImage, b: RgbaImage): number {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`size ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = a.data[i + c]! - b.data[i + c]!;
      sum += d * d;
      n++;
    }
  }
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / sum);
}

/** Box-filter downscale by `scale`, partial boxes at the right and bottom edges averaged over what they cover. */
export function areaDownscale(img: RgbaImage, scale: number): RgbaImage {
  const width = Math.ceil(img.width / scale);
  const height = Math.ceil(img.height / scale);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      const sums = [0, 0, 0, 0];
      let n = 0;
      for (let y = oy * scale; y < Math.min((oy + 1) * scale, img.height); y++) {
        for (let x = ox * scale; x < Math.min((ox + 1) * scale, img.width); x++) {
          for (let c = 0; c < 4; c++) sums[c]! += img.data[(y * img.width + x) * 4 + c]!;
          n++;
        }
      }
      for (let c = 0; c < 4; c++) data[(oy * width + ox) * 4 + c] = Math.round(sums[c]! / n);
    }
  }
  return { width, height, data };
}

/** A deterministic test picture: smooth gradients, a few hard edges, a disc and mild noise. */
export function testPicture(width: number, height: number, seed: number): RgbaImage {
  const next = seededRandom(seed);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const n = (next() - 0.5) * 8;
      const inDisc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (Math.min(width, height) * 0.25) ** 2;
      const bar = x > width * 0.2 && x < width * 0.3;
      let r = (255 * x) / width + n;
      let g = (255 * y) / height + n;
      let b = 128 + 100 * Math.sin((x + y) / 9) + n;
      if (inDisc) [r, g, b] = [230 + n, 40 + n, 60 + n];
      if (bar) [r, g, b] = [20 + n, 20 + n, 200 + n];
      const o = (y * width + x) * 4;
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

// ---- A minimal baseline encoder (ITU T.81 Annex F), test-only. ----

export interface SimpleComponent {
  h: number;
  v: number;
  /** Full-resolution sample at (x, y), 0..255; averaged over each subsampled cell. */
  sample: (x: number, y: number) => number;
}

export interface SimpleJpegOptions {
  width: number;
  height: number;
  components: SimpleComponent[];
  /** MCUs per restart interval (DRI), 0 for none. */
  restartInterval?: number;
  /** Writes an Adobe APP14 with this transform flag (0 none, 1 YCbCr, 2 YCCK); otherwise a JFIF APP0 for 1 or 3 components. */
  adobeTransform?: number;
  /** One scan per component instead of one interleaved scan. */
  separateScans?: boolean;
  /** SOF marker to write (0xC0 baseline, 0xC1 extended sequential). */
  sofMarker?: number;
  /** Component IDs (default 1, 2, 3, 4). */
  ids?: number[];
}

class BitWriter {
  private out: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.out.push(this.acc);
    if (this.acc === 0xff) this.out.push(0);
    this.acc = 0;
    this.n = 0;
  }
  /** Pads with 1-bits to a byte boundary (§F.1.2.3). */
  align(): void {
    while (this.n !== 0) this.write(1, 1);
  }
  raw(...bytes: number[]): void {
    this.out.push(...bytes);
  }
  bytes(): number[] {
    return this.out;
  }
}

/** Fixed-length code tables: every DC category 0..11 in 4 bits, every AC run/size in 8 bits (no all-ones code). */
function fixedTables(): { dcBits: number[]; dcVals: number[]; acBits: number[]; acVals: number[] } {
  const dcVals = Array.from({ length: 12 }, (_, i) => i);
  const acVals = [0x00, 0xf0];
  for (let r = 0; r < 16; r++) for (let s = 1; s <= 10; s++) acVals.push((r << 4) | s);
  const dcBits = new Array(16).fill(0);
  dcBits[3] = dcVals.length;
  const acBits = new Array(16).fill(0);
  acBits[7] = acVals.length;
  return { dcBits, dcVals, acBits, acVals };
}

const ZZ = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
];

function segment(marker: number, payload: number[]): number[] {
  return [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload];
}

function category(v: number): number {
  let a = Math.abs(v);
  let n = 0;
  while (a > 0) {
    n++;
    a >>= 1;
  }
  return n;
}

/** Encodes a sequential Huffman JPEG with any sampling factors. Quality is high (small quant steps). */
export function encodeSimpleJpeg(opts: SimpleJpegOptions): Uint8Array {
  const { width, height, components } = opts;
  const maxH = Math.max(...components.map((c) => c.h));
  const maxV = Math.max(...components.map((c) => c.v));
  const mcusX = Math.ceil(width / (8 * maxH));
  const mcusY = Math.ceil(height / (8 * maxV));
  const quant = [
    Array.from({ length: 64 }, (_, i) => 2 + (i >> 3) + (i & 7)),
    Array.from({ length: 64 }, (_, i) => 3 + 2 * ((i >> 3) + (i & 7))),
  ];
  // Quantized coefficients per component, per block of the padded grid.
  const blocks = components.map((c, ci) => {
    const cw = Math.ceil((width * c.h) / maxH);
    const ch = Math.ceil((height * c.v) / maxV);
    const sx = maxH / c.h;
    const sy = maxV / c.v;
    const plane = (x: number, y: number): number => {
      // Edge replication past the data (§A.2.4 leaves the padding to the encoder).
      const px = Math.min(x, cw - 1);
      const py = Math.min(y, ch - 1);
      let sum = 0;
      let n = 0;
      for (let yy = py * sy; yy < Math.min((py + 1) * sy, height); yy++) {
        for (let xx = px * sx; xx < Math.min((px + 1) * sx, width); xx++) {
          sum += c.sample(xx, yy);
          n++;
        }
      }
      return sum / n;
    };
    const bw = mcusX * c.h;
    const bh = mcusY * c.v;
    const q = quant[ci === 0 ? 0 : 1]!;
    const out: Int32Array[] = [];
    for (let by = 0; by < bh; by++) {
      for (let bx = 0; bx < bw; bx++) {
        const f = new Float64Array(64);
        for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) f[y * 8 + x] = plane(bx * 8 + x, by * 8 + y) - 128;
        const coefs = new Int32Array(64);
        for (let v = 0; v < 8; v++) {
          for (let u = 0; u < 8; u++) {
            let s = 0;
            for (let y = 0; y < 8; y++) {
              for (let x = 0; x < 8; x++) {
                s +=
                  f[y * 8 + x]! *
                  Math.cos(((2 * x + 1) * u * Math.PI) / 16) *
                  Math.cos(((2 * y + 1) * v * Math.PI) / 16);
              }
            }
            const cu = u === 0 ? Math.SQRT1_2 : 1;
            const cv = v === 0 ? Math.SQRT1_2 : 1;
            coefs[v * 8 + u] = Math.round((0.25 * cu * cv * s) / q[v * 8 + u]!);
          }
        }
        out.push(coefs);
      }
    }
    return { bw, dataW: Math.ceil(cw / 8), dataH: Math.ceil(ch / 8), coefs: out };
  });

  const t = fixedTables();
  const ids = opts.ids ?? [1, 2, 3, 4];
  const head: number[] = [0xff, 0xd8];
  if (opts.adobeTransform !== undefined) {
    head.push(...segment(0xee, [0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, opts.adobeTransform]));
  } else if (components.length !== 4) {
    head.push(...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  }
  head.push(...segment(0xdb, [0, ...ZZ.map((n) => quant[0]![n]!), 1, ...ZZ.map((n) => quant[1]![n]!)]));
  head.push(
    ...segment(opts.sofMarker ?? 0xc0, [
      8,
      height >> 8,
      height & 255,
      width >> 8,
      width & 255,
      components.length,
      ...components.flatMap((c, i) => [ids[i]!, (c.h << 4) | c.v, i === 0 ? 0 : 1]),
    ]),
  );
  for (const id of [0, 1]) {
    head.push(...segment(0xc4, [0x00 | id, ...t.dcBits, ...t.dcVals, 0x10 | id, ...t.acBits, ...t.acVals]));
  }
  if (opts.restartInterval) head.push(...segment(0xdd, [opts.restartInterval >> 8, opts.restartInterval & 255]));

  const dcCode = new Map(t.dcVals.map((v, i) => [v, i]));
  const acCode = new Map(t.acVals.map((v, i) => [v, i]));
  const writeValue = (w: BitWriter, v: number, s: number): void => {
    if (s > 0) w.write(v < 0 ? v + (1 << s) - 1 : v, s);
  };
  const writeBlock = (w: BitWriter, coefs: Int32Array, pred: number): void => {
    const diff = coefs[0]! - pred;
    const s = category(diff);
    w.write(dcCode.get(s)!, 4);
    writeValue(w, diff, s);
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const v = coefs[ZZ[k]!]!;
      if (v === 0) {
        run++;
        continue;
      }
      while (run > 15) {
        w.write(acCode.get(0xf0)!, 8);
        run -= 16;
      }
      const size = category(v);
      w.write(acCode.get((run << 4) | size)!, 8);
      writeValue(w, v, size);
      run = 0;
    }
    if (run > 0) w.write(acCode.get(0)!, 8);
  };

  const scans = opts.separateScans ? components.map((_, i) => [i]) : [components.map((_, i) => i)];
  const body: number[] = [];
  for (const scan of scans) {
    body.push(...segment(0xda, [scan.length, ...scan.flatMap((i) => [ids[i]!, i === 0 ? 0x00 : 0x11]), 0, 63, 0]));
    const w = new BitWriter();
    const preds = components.map(() => 0);
    const units: [number, number, number][][] = [];
    if (scan.length > 1) {
      for (let my = 0; my < mcusY; my++) {
        for (let mx = 0; mx < mcusX; mx++) {
          const mcu: [number, number, number][] = [];
          for (const i of scan) {
            const c = components[i]!;
            for (let by = 0; by < c.v; by++)
              for (let bx = 0; bx < c.h; bx++) mcu.push([i, mx * c.h + bx, my * c.v + by]);
          }
          units.push(mcu);
        }
      }
    } else {
      const i = scan[0]!;
      const b = blocks[i]!;
      for (let by = 0; by < b.dataH; by++) for (let bx = 0; bx < b.dataW; bx++) units.push([[i, bx, by]]);
    }
    units.forEach((mcu, n) => {
      if (opts.restartInterval && n > 0 && n % opts.restartInterval === 0) {
        w.align();
        w.raw(0xff, 0xd0 + ((n / opts.restartInterval - 1) & 7));
        preds.fill(0);
      }
      for (const [i, bx, by] of mcu) {
        const b = blocks[i]!;
        const coefs = b.coefs[by * b.bw + bx]!;
        writeBlock(w, coefs, preds[i]!);
        preds[i] = coefs[0]!;
      }
    });
    w.align();
    body.push(...w.bytes());
  }
  return Uint8Array.from([...head, ...body, 0xff, 0xd9]);
}

/** JFIF YCbCr from RGB (ITU T.871 §7), for feeding {@link encodeSimpleJpeg}. */
export function ycbcrPlanes(
  img: RgbaImage,
): [(x: number, y: number) => number, (x: number, y: number) => number, (x: number, y: number) => number] {
  const at = (x: number, y: number, c: number): number => img.data[(y * img.width + x) * 4 + c]!;
  return [
    (x, y) => 0.299 * at(x, y, 0) + 0.587 * at(x, y, 1) + 0.114 * at(x, y, 2),
    (x, y) => 128 - 0.168736 * at(x, y, 0) - 0.331264 * at(x, y, 1) + 0.5 * at(x, y, 2),
    (x, y) => 128 + 0.5 * at(x, y, 0) - 0.418688 * at(x, y, 1) - 0.081312 * at(x, y, 2),
  ];
}

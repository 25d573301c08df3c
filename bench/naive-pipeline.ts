// The "naive jSquash" reference pipeline, measured by `npm run bench:memory
// -- --naive` beside the gateway's: what a Worker that uses jSquash the
// documented way would hold. Each codec is a module-level singleton
// (`init(module)` once, then `decode`/`encode`), so its WebAssembly memory
// grows to the largest image seen and stays for the isolate's life; the whole
// image is decoded to RGBA, rotated into a second full buffer, encoded to WebP
// at full size, then box-downscaled in JS (@jsquash/resize is not installed)
// and encoded again.
//
// Not jSquash: header parsing and limit checks use the gateway's own probe
// (negligible memory), and GIF, which jSquash cannot decode, uses the
// gateway's JS GIF decoder.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import decodeJpeg, { init as initJpegDecoder } from '@jsquash/jpeg/decode';
import decodePng, { init as initPngDecoder } from '@jsquash/png/decode';
import decodeWebp, { init as initWebpDecoder } from '@jsquash/webp/decode';
import encodeWebp, { init as initWebpEncoder } from '@jsquash/webp/encode';
import type { ProcessOptions } from '../src/pipeline';
import { decodeGif } from '../src/pipeline/gif/decoder';
import { checkLimits } from '../src/pipeline/limits';
import { probeImage } from '../src/pipeline/probe';
import { fitWithin } from '../src/pipeline/resample/resize';
import type { Orientation, RgbaImage } from '../src/pipeline/types';

const require = createRequire(import.meta.url);

async function compile(specifier: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(require.resolve(specifier)));
}

/** jSquash's `init` accepts a compiled module first; its .d.ts only lists the options. */
type InitWithModule = (module: WebAssembly.Module) => Promise<unknown>;

function once(init: () => Promise<unknown>): () => Promise<unknown> {
  let ready: Promise<unknown> | undefined;
  return () => (ready ??= init());
}

interface Modules {
  jpegDecoder: WebAssembly.Module;
  pngDecoder: WebAssembly.Module;
  webpDecoder: WebAssembly.Module;
  webpEncoder: WebAssembly.Module;
}

/** The DOM's ImageData as jSquash's types want it; a plain object works in Node. */
type ImageDataLike = Parameters<typeof encodeWebp>[0];

function asImageData(image: RgbaImage): ImageDataLike {
  return { width: image.width, height: image.height, data: image.data, colorSpace: 'srgb' } as ImageDataLike;
}

function asRgba(image: { width: number; height: number; data: ArrayLike<number> & { buffer: ArrayBufferLike } }) {
  const data = image.data instanceof Uint8ClampedArray ? image.data : new Uint8ClampedArray(image.data.buffer);
  return { width: image.width, height: image.height, data };
}

/** Copies the bytes into a fresh ArrayBuffer, which is what jSquash's decoders take. */
function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

/** Rotates/flips into a new buffer per EXIF orientation (1..8), the straightforward way. */
export function orient(image: RgbaImage, orientation: Orientation): RgbaImage {
  if (orientation === 1) return image;
  const { width: w, height: h } = image;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const src = new Uint32Array(image.data.buffer, image.data.byteOffset, w * h);
  const out = new Uint32Array(ow * oh);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let dx: number;
      let dy: number;
      switch (orientation) {
        case 2:
          dx = w - 1 - x;
          dy = y;
          break;
        case 3:
          dx = w - 1 - x;
          dy = h - 1 - y;
          break;
        case 4:
          dx = x;
          dy = h - 1 - y;
          break;
        case 5:
          dx = y;
          dy = x;
          break;
        case 6:
          dx = h - 1 - y;
          dy = x;
          break;
        case 7:
          dx = h - 1 - y;
          dy = w - 1 - x;
          break;
        default:
          dx = y;
          dy = w - 1 - x;
      }
      out[dy * ow + dx] = src[y * w + x]!;
    }
  }
  return { width: ow, height: oh, data: new Uint8ClampedArray(out.buffer) };
}

/** Area-average (box) downscale to `width`×`height`, in JS. */
export function boxDownscale(image: RgbaImage, width: number, height: number): RgbaImage {
  const out = new Uint8ClampedArray(width * height * 4);
  const sx = image.width / width;
  const sy = image.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let yy = y0; yy < y1; yy++) {
        let at = (yy * image.width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, at += 4) {
          r += image.data[at]!;
          g += image.data[at + 1]!;
          b += image.data[at + 2]!;
          a += image.data[at + 3]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const to = (y * width + x) * 4;
      out[to] = r / n;
      out[to + 1] = g / n;
      out[to + 2] = b / n;
      out[to + 3] = a / n;
    }
  }
  return { width, height, data: out };
}

export interface NaiveResult {
  main: Uint8Array;
  thumb: Uint8Array;
}

export type NaivePipeline = (bytes: Uint8Array, options: ProcessOptions) => Promise<NaiveResult>;

/** Compiles the four WASM modules (once) and returns the naive pipeline. */
export async function createNaivePipeline(): Promise<NaivePipeline> {
  const modules: Modules = {
    jpegDecoder: await compile('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'),
    pngDecoder: await compile('@jsquash/png/codec/pkg/squoosh_png_bg.wasm'),
    webpDecoder: await compile('@jsquash/webp/codec/dec/webp_dec.wasm'),
    webpEncoder: await compile('@jsquash/webp/codec/enc/webp_enc_simd.wasm'),
  };
  const jpegReady = once(() => (initJpegDecoder as unknown as InitWithModule)(modules.jpegDecoder));
  const pngReady = once(() => (initPngDecoder as unknown as InitWithModule)(modules.pngDecoder));
  const webpDecReady = once(() => (initWebpDecoder as unknown as InitWithModule)(modules.webpDecoder));
  // jSquash's init feature-detects SIMD (Node has it) and loads the SIMD glue, so it gets the SIMD build.
  const webpEncReady = once(() => (initWebpEncoder as unknown as InitWithModule)(modules.webpEncoder));

  async function decode(bytes: Uint8Array, format: string, pixels: number): Promise<RgbaImage> {
    switch (format) {
      case 'jpeg':
        await jpegReady();
        return asRgba(await decodeJpeg(arrayBuffer(bytes)));
      case 'png':
        await pngReady();
        return asRgba(await decodePng(arrayBuffer(bytes)));
      case 'webp':
        await webpDecReady();
        return asRgba(await decodeWebp(arrayBuffer(bytes)));
      case 'gif':
        return decodeGif(bytes, { maxPixels: pixels });
      default:
        throw new Error(`unsupported format ${format}`);
    }
  }

  async function encode(image: RgbaImage, quality: number): Promise<Uint8Array> {
    await webpEncReady();
    return new Uint8Array(await encodeWebp(asImageData(image), { quality }));
  }

  return async (bytes, options) => {
    // The naive pipeline has a separate orient stage (the gateway orients while decoding).
    const stage = (options.onStage ?? (() => {})) as (stage: string) => void;
    const header = probeImage(bytes);
    checkLimits(header, options.limits);
    stage('probe');
    const decoded = await decode(bytes, header.format, header.width * header.height);
    stage('decode');
    const upright = orient(decoded, header.orientation);
    stage('orient');
    const main = await encode(upright, options.mainQuality);
    stage('encode-main');
    const size = fitWithin(upright.width, upright.height, options.thumbMaxEdge);
    const small = boxDownscale(upright, size.width, size.height);
    stage('resize');
    const thumb = await encode(small, options.thumbQuality);
    stage('encode-thumb');
    return { main, thumb };
  };
}

import decodeJpegRaw, { init as initJpegDecoder } from '@jsquash/jpeg/decode';
import jpegDecWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import encodeJpegRaw, { init as initJpegEncoder } from '@jsquash/jpeg/encode';
import jpegEncWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import decodePngRaw, { init as initPngDecoder } from '@jsquash/png/decode';
import encodePngRaw, { init as initPngEncoder } from '@jsquash/png/encode';
// wasm-bindgen's .d.ts for this file lists its exports and hides that the
// default import is the compiled module.
import * as pngWasmNamespace from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';
import encodeWebpRaw, { init as initWebpEncoder } from '@jsquash/webp/encode';
import webpEncWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import decodeWebpRaw, { init as initWebpDecoder } from '@jsquash/webp/decode';
import webpDecWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import type { RgbaImage } from '../../src/pipeline/types';

// Test-only encoders wired for workerd, where a `.wasm` import is a compiled
// WebAssembly.Module. Each codec is initialised once per isolate (jSquash's
// `init(module)`); the published .d.ts files omit the module parameter that
// the JavaScript accepts, hence the narrow casts below.

type InitWithModule = (module: WebAssembly.Module) => Promise<unknown>;

const pngWasm = (pngWasmNamespace as unknown as { default: WebAssembly.Module }).default;

function once(init: () => Promise<unknown>): () => Promise<unknown> {
  let ready: Promise<unknown> | undefined;
  return () => (ready ??= init());
}

const jpegReady = once(() => (initJpegEncoder as unknown as InitWithModule)(jpegEncWasm));
const pngReady = once(() => (initPngEncoder as unknown as InitWithModule)(pngWasm));
// workerd supports WASM SIMD, and jSquash's init feature-detects it and loads
// the SIMD glue code, so it must be given the SIMD build of the module.
const webpEncReady = once(() => (initWebpEncoder as unknown as InitWithModule)(webpEncWasm));
const webpDecReady = once(() => (initWebpDecoder as unknown as InitWithModule)(webpDecWasm));
const jpegDecReady = once(() => (initJpegDecoder as unknown as InitWithModule)(jpegDecWasm));
// The PNG encoder and decoder share one wasm-bindgen module; init is idempotent.
const pngDecReady = once(() => (initPngDecoder as unknown as InitWithModule)(pngWasm));

/** The DOM's ImageData, which jSquash encoders take; workerd has no such global, a plain object will do. */
type ImageDataLike = Parameters<typeof encodeJpegRaw>[0];

function asImageData(img: RgbaImage): ImageDataLike {
  return { width: img.width, height: img.height, data: img.data, colorSpace: 'srgb' } as ImageDataLike;
}

export interface JpegOptions {
  /** 0..100; default 90 so that flat test colours survive. */
  quality?: number;
  /** Progressive (SOF2) instead of baseline sequential (SOF0). Default false. */
  progressive?: boolean;
  /** Single-component (Y only) JPEG. Default false. */
  grayscale?: boolean;
}

/** MozJPEG's colour-space enum (a `const enum` in its .d.ts, unusable under isolatedModules). */
const MOZJPEG_GRAYSCALE = 1;
const MOZJPEG_YCBCR = 3;

/** Encodes RGBA pixels as a JPEG (MozJPEG; writes a JFIF APP0, no EXIF). */
export async function encodeJpeg(img: RgbaImage, opts: JpegOptions = {}): Promise<Uint8Array> {
  await jpegReady();
  const buffer = await encodeJpegRaw(asImageData(img), {
    quality: opts.quality ?? 90,
    progressive: opts.progressive ?? false,
    color_space: opts.grayscale ? MOZJPEG_GRAYSCALE : MOZJPEG_YCBCR,
  });
  return new Uint8Array(buffer);
}

/** Encodes RGBA pixels as an 8-bit RGBA PNG (colour type 6). */
export async function encodePng(img: RgbaImage): Promise<Uint8Array> {
  await pngReady();
  return new Uint8Array(await encodePngRaw(asImageData(img)));
}

export interface WebpOptions {
  /** 0..100; default 90. */
  quality?: number;
  /** Lossless (VP8L) instead of lossy (VP8). Default false. */
  lossless?: boolean;
}

/**
 * Encodes RGBA pixels as WebP. Lossy output is a simple `VP8 ` file when every
 * pixel is opaque, and `VP8X` + `ALPH` + `VP8 ` otherwise.
 */
export async function encodeWebp(img: RgbaImage, opts: WebpOptions = {}): Promise<Uint8Array> {
  await webpEncReady();
  const buffer = await encodeWebpRaw(asImageData(img), {
    quality: opts.quality ?? 90,
    lossless: opts.lossless ? 1 : 0,
  });
  return new Uint8Array(buffer);
}

/** Decodes a WebP (for assertions on stored output). Throws on a corrupt file. */
export async function decodeWebp(bytes: Uint8Array): Promise<RgbaImage> {
  await webpDecReady();
  const copy = bytes.slice().buffer;
  const decoded = await decodeWebpRaw(copy);
  return { width: decoded.width, height: decoded.height, data: new Uint8ClampedArray(decoded.data) };
}

/**
 * The JPEG oracle: mozjpeg's full-size decode (libjpeg-turbo islow IDCT, fancy
 * upsampling). jSquash's `preserveOrientation: true` means "apply the EXIF orientation".
 */
export async function mozjpegDecode(
  bytes: Uint8Array,
  opts: { applyExifOrientation?: boolean } = {},
): Promise<RgbaImage> {
  await jpegDecReady();
  const decoded = await decodeJpegRaw(bytes.slice().buffer, {
    preserveOrientation: opts.applyExifOrientation ?? false,
  });
  return { width: decoded.width, height: decoded.height, data: new Uint8ClampedArray(decoded.data) };
}

/** The PNG oracle: jSquash's PNG decoder (Rust `png` crate, 16-bit stripped to the high byte). */
export async function jsquashPngDecode(bytes: Uint8Array): Promise<RgbaImage> {
  await pngDecReady();
  const decoded = await decodePngRaw(bytes.slice().buffer);
  return { width: decoded.width, height: decoded.height, data: new Uint8ClampedArray(decoded.data) };
}

/**
 * @jsquash/png's decode at 16 bits per sample, each sample rounded to 8 bits
 * (round(v × 255 / 65535)): what a 16-bit PNG should become, where the 8-bit
 * decode keeps only the high byte.
 */
export async function jsquashPng16Rounded(bytes: Uint8Array): Promise<RgbaImage> {
  await pngDecReady();
  const decoded = await decodePngRaw(bytes.slice().buffer, { bitDepth: 16 });
  const data = Uint8ClampedArray.from(decoded.data, (v) => Math.round((v * 255) / 65535));
  return { width: decoded.width, height: decoded.height, data };
}

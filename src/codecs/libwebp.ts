import type { Codecs, WebpEncodeSettings, WebpInfo } from '../pipeline/codecs';
import type { RgbaImage } from '../pipeline/types';
import { createRowFilter } from './row-filter';

/**
 * The adapter for the gateway's own libwebp build (wasm/webp_dec.c and
 * wasm/webp_enc.c, built by wasm/build.sh). The decoder imports nothing, the
 * encoder only its memory (so that each call can cap it); each
 * call makes a fresh instance and drops it when done: WebAssembly memory never
 * shrinks, so a kept instance would hold its peak for the isolate's life, and
 * an instance that trapped (or ran out of memory) on a hostile file never
 * serves another call. Every pointer and length handed to the shim is checked
 * here against the instance's memory first, and everything the shim allocates
 * is freed on every path that leaves the instance alive.
 */

/** The compiled WebAssembly modules {@link createCodecs} instantiates. */
export interface CodecModules {
  /** wasm/webp_dec.c + libwebp's decoder and demuxer. */
  webpDecoder: WebAssembly.Module;
  /** wasm/webp_enc.c + libwebp's encoder. */
  webpEncoder: WebAssembly.Module;
  /** wasm/row_filter.c: the resampler's multiply-add loops. */
  rowFilter: WebAssembly.Module;
}

interface ShimExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  version(): number;
}

interface DecoderExports extends ShimExports {
  info(data: number, size: number, info: number): number;
  decode(
    data: number,
    size: number,
    width: number,
    height: number,
    out: number,
    stride: number,
    outSize: number,
  ): number;
}

interface EncoderExports extends ShimExports {
  picture(pixels: number, width: number, height: number, stride: number, keepAlpha: number): number;
  picture_rescale(picture: number, width: number, height: number): number;
  picture_free(picture: number): void;
  encode(
    picture: number,
    quality: number,
    method: number,
    lowMemory: number,
    alphaCompression: number,
    alphaFiltering: number,
    alphaQuality: number,
    resultPtr: number,
    resultSize: number,
  ): number;
}

/** WebAssembly page size. */
const PAGE_BYTES = 65536;
/** The encoder module's memory import: 16 pages to start (wasm/build.sh `--initial-memory`), 128 MiB at most (`--max-memory`). */
const ENCODER_INITIAL_PAGES = 16;
const ENCODER_MAX_PAGES = 2048;
/** libwebp's VP8_ENC_ERROR_OUT_OF_MEMORY. */
const ENC_ERROR_OUT_OF_MEMORY = 1;
/** libwebp's VP8_ENC_ERROR_BAD_WRITE: with the shim's WebPMemoryWrite, only a failed allocation of the output. */
const ENC_ERROR_BAD_WRITE = 6;
const isOutOfMemory = (status: number) => status === ENC_ERROR_OUT_OF_MEMORY || status === ENC_ERROR_BAD_WRITE;

/** Fields the decoder shim's `info` writes, in order (int32 each). */
const INFO_FIELDS = 11;
/** The largest width or height WebP can express (14-bit VP8L, 24-bit VP8X, capped by libwebp at 16383). */
const MAX_WEBP_DIMENSION = 16383;

/** A shim call failed: a libwebp status, or a result that fails a bounds check. */
export class LibwebpError extends Error {
  override name = 'LibwebpError';
}

/** An encoder instance ran out of the memory it was allowed (libwebp's out-of-memory status, or a failed allocation). */
class EncoderOutOfMemory extends LibwebpError {
  override name = 'EncoderOutOfMemory';
}

/** One instance's memory, with bounds-checked access. */
class Heap {
  /** `outOfMemory`: the error a failed allocation throws (the encoder's callers retry on {@link EncoderOutOfMemory}). */
  constructor(
    private readonly exports: ShimExports,
    private readonly outOfMemory: new (message: string) => LibwebpError = LibwebpError,
  ) {}

  /** Allocates `size` bytes; throws instead of returning a null or out-of-range pointer. */
  alloc(size: number): number {
    if (!Number.isSafeInteger(size) || size <= 0 || size > 0x7fffffff) throw new LibwebpError(`bad size ${size}`);
    const ptr = this.exports.alloc(size) >>> 0;
    if (ptr === 0) throw new this.outOfMemory(`out of memory allocating ${size} bytes`);
    this.check(ptr, size);
    return ptr;
  }

  free(ptr: number): void {
    if (ptr !== 0) this.exports.free(ptr);
  }

  /** Throws unless [ptr, ptr + size) lies inside the memory (as it is now). */
  check(ptr: number, size: number): void {
    const length = this.exports.memory.buffer.byteLength;
    if (!Number.isSafeInteger(ptr) || !Number.isSafeInteger(size) || ptr <= 0 || size < 0 || ptr + size > length) {
      throw new LibwebpError(`range ${ptr}+${size} is outside the ${length}-byte memory`);
    }
  }

  /** A view of [ptr, ptr + size), bounds-checked. Views go stale when memory grows: use at once. */
  bytes(ptr: number, size: number): Uint8Array {
    this.check(ptr, size);
    return new Uint8Array(this.exports.memory.buffer, ptr, size);
  }

  int32s(ptr: number, count: number): Int32Array {
    if (ptr % 4 !== 0) throw new LibwebpError(`misaligned pointer ${ptr}`);
    this.check(ptr, count * 4);
    return new Int32Array(this.exports.memory.buffer, ptr, count);
  }

  /** Copies `bytes` into a new allocation and returns its pointer. */
  copyIn(bytes: Uint8Array): number {
    const ptr = this.alloc(Math.max(1, bytes.length));
    this.bytes(ptr, bytes.length).set(bytes);
    return ptr;
  }
}

function instantiate<T extends ShimExports>(module: WebAssembly.Module): { exports: T; heap: Heap } {
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as T;
  return { exports, heap: new Heap(exports) };
}

/** An encoder instance whose memory may grow to `maxBytes` (at most the module's 128 MiB) and no further. */
function instantiateEncoder(module: WebAssembly.Module, maxBytes: number): { exports: EncoderExports; heap: Heap } {
  const maximum = Math.min(ENCODER_MAX_PAGES, Math.max(ENCODER_INITIAL_PAGES, Math.floor(maxBytes / PAGE_BYTES)));
  const memory = new WebAssembly.Memory({ initial: ENCODER_INITIAL_PAGES, maximum });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = { memory, ...(instance.exports as unknown as Partial<EncoderExports>) } as EncoderExports;
  return { exports, heap: new Heap(exports, EncoderOutOfMemory) };
}

/** "1.5.0" from libwebp's 0xMMmmpp. */
function versionString(packed: number): string {
  return `${(packed >>> 16) & 0xff}.${(packed >>> 8) & 0xff}.${packed & 0xff}`;
}

function dimension(value: number | undefined, what: string): number {
  if (value === undefined || !Number.isInteger(value) || value < 1 || value > MAX_WEBP_DIMENSION) {
    throw new LibwebpError(`${what} ${value} is out of range`);
  }
  return value;
}

function readInfo(fields: Int32Array, inputSize: number): WebpInfo & { offset: number; size: number } {
  const canvasWidth = dimension(fields[0], 'canvas width');
  const canvasHeight = dimension(fields[1], 'canvas height');
  const frames = fields[2]!;
  const [x, y] = [fields[3]!, fields[4]!];
  const width = dimension(fields[5], 'frame width');
  const height = dimension(fields[6], 'frame height');
  const [offset, size] = [fields[7]!, fields[8]!];
  if (frames < 1 || x < 0 || y < 0 || x + width > canvasWidth || y + height > canvasHeight) {
    throw new LibwebpError('frame lies outside the canvas');
  }
  if (offset < 0 || size <= 0 || offset + size > inputSize) throw new LibwebpError('bitstream lies outside the input');
  return {
    canvasWidth,
    canvasHeight,
    frames,
    frame: { x, y, width, height },
    hasAlpha: fields[9] !== 0,
    lossless: fields[10] === 2,
    offset,
    size,
  };
}

function decodeWebp(
  module: WebAssembly.Module,
  bytes: Uint8Array,
  chooseSize: (info: WebpInfo) => { width: number; height: number },
): RgbaImage {
  const { exports, heap } = instantiate<DecoderExports>(module);
  const input = heap.copyIn(bytes);
  const infoPtr = heap.alloc(INFO_FIELDS * 4);
  const status = exports.info(input, bytes.length, infoPtr);
  if (status !== 0) throw new LibwebpError(`WebPDemux/WebPGetFeatures status ${status}`);
  const { offset, size, ...info } = readInfo(heap.int32s(infoPtr, INFO_FIELDS), bytes.length);
  heap.free(infoPtr);
  const { width, height } = chooseSize(info);
  dimension(width, 'output width');
  dimension(height, 'output height');
  const stride = width * 4;
  const outSize = stride * height;
  const out = heap.alloc(outSize);
  heap.check(input + offset, size);
  const decoded = exports.decode(input + offset, size, width, height, out, stride, outSize);
  if (decoded !== 0) throw new LibwebpError(`WebPDecode status ${decoded}`);
  // Copied out so the instance, and its memory, can be collected.
  const data = new Uint8ClampedArray(outSize);
  data.set(heap.bytes(out, outSize));
  heap.free(out);
  heap.free(input);
  return { width, height, data };
}

function encodeWebp(
  module: WebAssembly.Module,
  image: RgbaImage,
  settings: WebpEncodeSettings,
  size: { width: number; height: number },
): Uint8Array {
  const { width, height, data } = image;
  dimension(width, 'width');
  dimension(height, 'height');
  dimension(size.width, 'output width');
  dimension(size.height, 'output height');
  if (data.length !== width * height * 4) throw new LibwebpError('pixel buffer does not match the size');
  const maxBytes = ENCODER_MAX_PAGES * PAGE_BYTES;
  const capped = settings.maxMemoryBytes !== undefined && settings.maxMemoryBytes < maxBytes;
  try {
    return encodeIn(module, image, settings, size, settings.maxMemoryBytes ?? maxBytes);
  } catch (error) {
    if (!capped || !(error instanceof EncoderOutOfMemory)) throw error;
  }
  // Over the cap even with low_memory (a frame or an alpha plane costlier than the budget planned for):
  // coded as it was before caps, in a fresh instance that may grow to the module's 128 MiB, at the
  // alpha effort the budget is sized with (the capped instance is garbage now, but not yet collected).
  const method = settings.alpha ? Math.min(settings.method, 2) : settings.method;
  return encodeIn(module, image, { ...settings, method, lowMemory: true }, size, maxBytes);
}

/** One encode in a new instance whose memory may grow to `maxBytes`; throws {@link EncoderOutOfMemory} past it. */
function encodeIn(
  module: WebAssembly.Module,
  image: RgbaImage,
  settings: WebpEncodeSettings,
  size: { width: number; height: number },
  maxBytes: number,
): Uint8Array {
  const { width, height, data } = image;
  const { exports, heap } = instantiateEncoder(module, maxBytes);
  // RGBA in one copy either way; for an opaque image libwebp skips the fourth byte (WebPPictureImportRGBX).
  const pixels = heap.alloc(data.length);
  heap.bytes(pixels, data.length).set(data);
  const picture = exports.picture(pixels, width, height, width * 4, settings.alpha ? 1 : 0) >>> 0;
  heap.free(pixels);
  // The arguments were checked above, so a failed import is a failed allocation.
  if (picture === 0) throw new EncoderOutOfMemory('WebPPictureImport failed');
  heap.check(picture, 4);
  const result = encodePicture(exports, heap, picture, settings, size, width, height);
  exports.picture_free(picture);
  return result;
}

function encodePicture(
  exports: EncoderExports,
  heap: Heap,
  picture: number,
  settings: WebpEncodeSettings,
  size: { width: number; height: number },
  width: number,
  height: number,
): Uint8Array {
  if (size.width !== width || size.height !== height) {
    const rescaled = exports.picture_rescale(picture, size.width, size.height);
    if (rescaled === ENC_ERROR_OUT_OF_MEMORY) throw new EncoderOutOfMemory('WebPPictureRescale: out of memory');
    if (rescaled !== 0) throw new LibwebpError(`WebPPictureRescale error ${rescaled}`);
  }
  const result = heap.alloc(8);
  const alpha = settings.alpha || { compression: 0, filtering: 0, quality: 100 };
  const encode = (lowMemory: boolean) =>
    exports.encode(
      picture,
      settings.quality,
      settings.method,
      lowMemory ? 1 : 0,
      alpha.compression,
      alpha.filtering,
      alpha.quality,
      result,
      result + 4,
    );
  let status = encode(settings.lowMemory);
  // The token buffer (or the output) outgrew the memory allowed: libwebp freed it; its second pass needs none.
  if (isOutOfMemory(status) && !settings.lowMemory) status = encode(true);
  if (isOutOfMemory(status)) throw new EncoderOutOfMemory(`WebPEncode: out of memory (status ${status})`);
  if (status !== 0) throw new LibwebpError(`WebPEncode error ${status}`);
  const [outPtr, outSize] = heap.int32s(result, 2);
  heap.free(result);
  const out = heap.bytes(outPtr! >>> 0, outSize! >>> 0).slice();
  heap.free(outPtr! >>> 0);
  return out;
}

/** The libwebp version of a compiled module ("1.5.0"), from its own version function. */
export function libwebpVersion(module: WebAssembly.Module): string {
  const importsMemory = WebAssembly.Module.imports(module).length > 0;
  const { exports } = importsMemory ? instantiateEncoder(module, 0) : instantiate<ShimExports>(module);
  return versionString(exports.version());
}

/** Builds the {@link Codecs} from the compiled modules (libwebp's two and the row filter). Call once per isolate. */
export function createCodecs(modules: CodecModules): Codecs {
  let versions: { libwebp: string } | undefined;
  return {
    versions() {
      versions ??= { libwebp: libwebpVersion(modules.webpDecoder) };
      return versions;
    },
    async decodeWebp(bytes, chooseSize) {
      return decodeWebp(modules.webpDecoder, bytes, chooseSize);
    },
    async encodeWebp(image, settings, size = image) {
      return encodeWebp(modules.webpEncoder, image, settings, size);
    },
    rowFilter(bytes) {
      return createRowFilter(modules.rowFilter, bytes);
    },
  };
}

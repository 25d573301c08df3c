import { PipelineError } from '../errors';
import type { RowSink } from '../rows';
import { imagePasses, rowBytes, type PassGeometry } from './adam7';
import { readPngLayout } from './chunks';
import { unfilterRow } from './filter';
import { ZlibReader } from './inflate';
import { bitsPerPixel, rowConverter, type RowConverter } from './pixels';

/** Options for {@link decodePng}. */
export interface PngDecodeOptions {
  /** Refuse before inflating if width*height exceeds this. */
  maxPixels: number;
}

/** What {@link decodePng} streamed. */
export interface PngDecodeResult {
  width: number;
  height: number;
  /** Whether rows arrived as Adam7 passes (sparse, out of order) rather than top to bottom. */
  interlaced: boolean;
}

/**
 * libpng's default user width limit (PNG_USER_WIDTH_MAX): the row buffers
 * (two filtered rows of up to 8 bytes per pixel and one RGBA row) stay under
 * 20 MB however `maxPixels` is set.
 */
const MAX_WIDTH = 1_000_000;

/**
 * Streams the default image of a PNG into `sink` as 8-bit RGBA: non-interlaced
 * rows in order with x0=0, dx=1; Adam7 passes as sparse rows (x0 = pass column
 * offset, dx = pass column step), so the sink sees every pixel exactly once.
 * Only two filtered rows and one RGBA row are held at a time; the zlib stream
 * is inflated only as far as the image needs (any data after it is ignored).
 * 16-bit samples become their high byte.
 * @returns the image size and whether it was interlaced.
 * @throws PipelineError 'dimensions_exceeded' when width*height exceeds `maxPixels` or the width exceeds 1,000,000 (checked before inflating).
 * @throws PipelineError 'invalid_image' for a bad zlib stream, a bad filter type, too little image data, a missing palette or chunks that run past the end.
 */
export async function decodePng(bytes: Uint8Array, sink: RowSink, options: PngDecodeOptions): Promise<PngDecodeResult> {
  const layout = readPngLayout(bytes);
  const { width, height, interlaced, colorType, bitDepth } = layout.ihdr;
  checkSize(width, height, options.maxPixels);
  const convert = rowConverter(layout);
  const zlib = new ZlibReader(layout.idat);
  try {
    await streamPasses(zlib, imagePasses(width, height, interlaced), bitsPerPixel(colorType, bitDepth), convert, sink);
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    // A RangeError from an allocation, or a sink's own failure: still a decode failure to the caller.
    throw new PipelineError('invalid_image', 'The PNG data could not be decoded', { cause: error });
  } finally {
    await zlib.close();
  }
  return { width, height, interlaced };
}

function checkSize(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new PipelineError(
      'dimensions_exceeded',
      `Image has ${width}x${height} pixels, more than the limit of ${maxPixels}`,
      { details: { width, height, maxPixels } },
    );
  }
  if (width > MAX_WIDTH) {
    throw new PipelineError('dimensions_exceeded', `Image is ${width} pixels wide; the limit is ${MAX_WIDTH}`, {
      details: { width, maxWidth: MAX_WIDTH },
    });
  }
}

async function streamPasses(
  zlib: ZlibReader,
  passes: PassGeometry[],
  bits: number,
  convert: RowConverter,
  sink: RowSink,
): Promise<void> {
  const widest = Math.max(...passes.map((p) => p.width));
  const maxRowBytes = rowBytes(widest, bits);
  // PNG §9.2: filters work on whole pixels, or on bytes when a pixel is smaller than one.
  const bpp = Math.max(1, bits >> 3);
  // The filter-type byte sits at index 3, so each row's data starts on a 4-byte boundary,
  // where unfilterRow works a word at a time.
  let current = new Uint8Array(4 + maxRowBytes);
  let previous = new Uint8Array(4 + maxRowBytes);
  const rgba = new Uint8Array(widest * 4);
  for (const pass of passes) {
    if (pass.width === 0 || pass.height === 0) continue; // PNG §8.2: an empty pass has no rows, not even filter bytes.
    const end = 4 + rowBytes(pass.width, bits);
    previous.fill(0, 4, end);
    const out = rgba.subarray(0, pass.width * 4);
    for (let row = 0; row < pass.height; row++) {
      await zlib.read(current.subarray(3, end));
      const data = current.subarray(4, end);
      unfilterRow(current[3]!, data, previous.subarray(4, end), bpp);
      sink.put(pass.y0 + row * pass.dy, convert(data, pass.width, out), pass.x0, pass.dx);
      [current, previous] = [previous, current];
    }
  }
}

import { PipelineError } from '../../lib/errors';
import { invalidImage } from '../bytes';
import { readGif, readSubBlocks, type GifFrame, type GifScreen } from '../container/gif';
import type { RgbaImage } from '../types';
import { decodeLzw } from './lzw';

/** Options for {@link decodeGif}. */
export interface GifDecodeOptions {
  /** Upper bound on both the logical screen's and the first frame's pixel count. */
  maxPixels: number;
}

/**
 * Decodes the FIRST frame of a GIF (for an animation, the rest is ignored)
 * onto a transparent logical screen of the GIF's width × height. The frame may
 * be smaller and offset; parts outside the screen are clipped. The frame's
 * transparent index (from its graphic control extension) stays transparent,
 * as do indices beyond the colour table.
 *
 * Image data that ends early (an early end code, or codes that cannot occur in
 * a valid stream) is not an error: the pixels not yet drawn stay transparent,
 * as browsers show a partial frame. Run `assertComplete` first to reject files
 * whose block structure is cut short.
 * @throws dimensions_exceeded when the screen or the first frame has more than `maxPixels` pixels (checked before allocating).
 * @throws invalid_image when the block structure is corrupt, there is no image or no colour table.
 */
export function decodeGif(bytes: Uint8Array, options: GifDecodeOptions): RgbaImage {
  const { screen, frames } = readGif(bytes);
  const first = frames.next();
  if (first.done) throw invalidImage('GIF has no image');
  const frame = first.value;
  checkPixels(screen.width, screen.height, options.maxPixels);
  // LZW output is bounded by the frame's area, so that area is also what bounds the CPU spent.
  checkPixels(frame.width, frame.height, options.maxPixels);
  const palette = frame.localPalette ?? screen.globalPalette;
  if (palette === undefined) throw invalidImage('GIF colour table is missing');

  const data = new Uint8ClampedArray(screen.width * screen.height * 4);
  const draw = frameWriter(frame, screen, palette, data);
  decodeLzw(readSubBlocks(bytes, frame.dataOffset), frame.minCodeSize, frame.width * frame.height, draw);
  return { width: screen.width, height: screen.height, data };
}

function checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new PipelineError(
      'dimensions_exceeded',
      `Image has ${width}x${height} pixels, more than the limit of ${maxPixels}`,
      {
        details: { width, height, maxPixels },
      },
    );
  }
}

/**
 * A callback for the LZW decoder that receives the frame's palette indices in
 * stream order and writes them to the screen, following the interlaced row
 * order (rows 0, 8, 16…; 4, 12…; 2, 6…; 1, 3…) when the frame is interlaced.
 */
function frameWriter(
  frame: GifFrame,
  screen: GifScreen,
  palette: Uint8Array,
  out: Uint8ClampedArray,
): (index: number) => void {
  const rows = frame.interlaced ? interlacedRowOrder(frame.height) : undefined;
  const colours = palette.length / 3;
  let x = 0;
  let rowInStream = 0;
  let screenRow = frame.top + (rows?.[0] ?? 0);
  return (index) => {
    const sx = frame.left + x;
    if (sx < screen.width && screenRow < screen.height && index !== frame.transparentIndex && index < colours) {
      const o = (screenRow * screen.width + sx) * 4;
      out[o] = palette[index * 3]!;
      out[o + 1] = palette[index * 3 + 1]!;
      out[o + 2] = palette[index * 3 + 2]!;
      out[o + 3] = 255;
    }
    if (++x === frame.width) {
      x = 0;
      rowInStream++;
      screenRow = frame.top + (rows === undefined ? rowInStream : (rows[rowInStream] ?? frame.height));
    }
  };
}

/** The frame row for each row in the stream, for an interlaced image (GIF89a Appendix E). */
function interlacedRowOrder(height: number): Uint32Array {
  const order = new Uint32Array(height);
  let i = 0;
  for (const [start, step] of [
    [0, 8],
    [4, 8],
    [2, 4],
    [1, 2],
  ] as const) {
    for (let row = start; row < height; row += step) order[i++] = row;
  }
  return order;
}

import type { Codecs, WebpInfo } from '../codecs';
import { PipelineError } from '../errors';
import { checkWebpDecodeCost } from '../limits';
import type { ColourConversion } from '../colour';
import { isSrgbConversion } from '../colour/transform';
import { createRowResampler } from '../resample/rows';
import { applyOrientation } from '../orient';
import { fitWithin } from '../resample/resize';
import type { ImageHeader, RgbaImage } from '../types';

/**
 * Decodes a WebP with libwebp (a fresh WASM instance per call, see
 * src/codecs/libwebp.ts) straight to at most `maxEdge` pixels on the longest
 * side: libwebp scales while it decodes (`use_scaling`), so a lossy frame is
 * never held at full size. An animation keeps its first frame, placed on its
 * canvas; the EXIF orientation is applied last.
 * @throws PipelineError `invalid_image` when the headers disagree with the
 *   probed size; `dimensions_exceeded` when a lossless frame (decoded whole by
 *   libwebp) would not fit the memory budget.
 */
export async function decodeWebpToSize(
  bytes: Uint8Array,
  header: ImageHeader,
  maxEdge: number,
  codecs: Codecs,
  colour?: ColourConversion,
): Promise<RgbaImage> {
  const target = fitWithin(header.width, header.height, maxEdge);
  let placement: Placement | undefined;
  const frame = await codecs.decodeWebp(bytes, (info) => {
    if (info.canvasWidth !== header.width || info.canvasHeight !== header.height) {
      throw new PipelineError('invalid_image', 'The WebP canvas does not match the size its header declares', {
        details: { header: `${header.width}x${header.height}`, canvas: `${info.canvasWidth}x${info.canvasHeight}` },
      });
    }
    placement = placeFrame(info, target);
    checkWebpDecodeCost({
      inputPixels: info.frame.width * info.frame.height,
      lossless: info.lossless,
      hasAlpha: info.hasAlpha,
      outputPixels: placement.width * placement.height,
      canvasPixels: placement.covers ? 0 : target.width * target.height,
      fileBytes: bytes.length,
    });
    return placement;
  });
  if (!placement) throw new Error('libwebp decoded without asking for a size');
  const canvas = placement.covers ? frame : composite(frame, placement, target);
  if (!colour || isSrgbConversion(colour)) return applyOrientation(canvas, header.orientation);
  // libwebp has already scaled (in gamma space); the profile's conversion to
  // sRGB runs on the scaled frame, orienting as it places rows.
  const resampler = createRowResampler(
    codecs,
    canvas.width,
    canvas.height,
    canvas.width,
    canvas.height,
    header.orientation,
    colour,
  );
  const rowBytes = canvas.width * 4;
  for (let y = 0; y < canvas.height; y++) resampler.put(y, canvas.data.subarray(y * rowBytes, (y + 1) * rowBytes));
  return resampler.finish();
}

/** Where the (scaled) first frame goes on the (scaled) canvas. */
interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
  /** The frame is the whole canvas (every still, most animations). */
  covers: boolean;
}

function placeFrame(info: WebpInfo, target: { width: number; height: number }): Placement {
  const { frame, canvasWidth, canvasHeight } = info;
  if (frame.x === 0 && frame.y === 0 && frame.width === canvasWidth && frame.height === canvasHeight) {
    return { x: 0, y: 0, ...target, covers: true };
  }
  const sx = target.width / canvasWidth;
  const sy = target.height / canvasHeight;
  const x = Math.min(target.width - 1, Math.floor(frame.x * sx));
  const y = Math.min(target.height - 1, Math.floor(frame.y * sy));
  const width = Math.max(1, Math.min(target.width, Math.round((frame.x + frame.width) * sx)) - x);
  const height = Math.max(1, Math.min(target.height, Math.round((frame.y + frame.height) * sy)) - y);
  return { x, y, width, height, covers: false };
}

/** The frame on a transparent canvas of the target size. */
function composite(frame: RgbaImage, at: Placement, target: { width: number; height: number }): RgbaImage {
  const data = new Uint8ClampedArray(target.width * target.height * 4);
  const rowBytes = frame.width * 4;
  for (let y = 0; y < frame.height; y++) {
    data.set(frame.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((at.y + y) * target.width + at.x) * 4);
  }
  return { ...target, data };
}

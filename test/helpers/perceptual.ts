import type { RgbaImage } from '../../src/pipeline/types';

/**
 * Alpha-weighted mean colour and mean alpha of each `size`×`size` block (edge
 * blocks may be smaller). Written here, independently of the pipeline's
 * resamplers, so a bug there cannot hide in the measure that checks them.
 */
function blockMeans(image: RgbaImage, size: number): Float64Array {
  const bw = Math.ceil(image.width / size);
  const bh = Math.ceil(image.height / size);
  const out = new Float64Array(bw * bh * 4);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      let n = 0;
      for (let y = by * size; y < Math.min(image.height, (by + 1) * size); y++) {
        for (let x = bx * size; x < Math.min(image.width, (bx + 1) * size); x++) {
          const i = (y * image.width + x) * 4;
          const alpha = image.data[i + 3]!;
          r += image.data[i]! * alpha;
          g += image.data[i + 1]! * alpha;
          b += image.data[i + 2]! * alpha;
          a += alpha;
          n++;
        }
      }
      const o = (by * bw + bx) * 4;
      out.set(a > 0 ? [r / a, g / a, b / a, a / n] : [0, 0, 0, 0], o);
    }
  }
  return out;
}

/**
 * Mean absolute difference per channel (0–255) over opaque blocks, compared
 * on 4×4 block means: a small perceptual distance that forgives lossy WebP's
 * chroma subsampling on sharp saturated edges but not wrong colours or layout.
 * @throws Error when the sizes differ.
 */
export function perceptualDistance(output: RgbaImage, reference: RgbaImage): number {
  if (output.width !== reference.width || output.height !== reference.height) {
    throw new Error(`size ${output.width}x${output.height} is not ${reference.width}x${reference.height}`);
  }
  const a = blockMeans(output, 4);
  const b = blockMeans(reference, 4);
  let total = 0;
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (b[i + 3]! < 255) continue;
    for (let c = 0; c < 3; c++) total += Math.abs(a[i + c]! - b[i + c]!);
    count += 3;
  }
  return count ? total / count : 0;
}

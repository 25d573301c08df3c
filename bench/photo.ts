// The one synthetic photo of the benchmarks: bench:memory's inputs (generate.ts)
// and bench:load's (load-inputs.ts) are drawn with it.
import { seededRandom } from '../test/helpers/seeded-random';

/** RGBA pixels (the shape of the pipeline's RgbaImage and of jSquash's encoders' input). */
export interface Picture {
  width: number;
  height: number;
  /** RGBA, 8 bits per sample. */
  data: Uint8ClampedArray;
}

export interface PhotoOptions {
  seed: number;
  /** Standard deviation of the per-sample noise, in 8-bit levels (0 = none). */
  noise: number;
  /** Give the picture a smooth alpha channel (else opaque). */
  alpha?: boolean;
}

/**
 * A photo-like picture: a smooth field (gradients and broad waves, different
 * per channel), a few hard-edged discs like objects in a scene, and
 * approximately Gaussian noise like sensor grain. Same seed, same pixels.
 */
export function photo(width: number, height: number, options: PhotoOptions): Picture {
  const random = seededRandom(options.seed);
  const data = new Uint8ClampedArray(width * height * 4);
  const phase = Array.from({ length: 9 }, () => random() * Math.PI * 2);
  const discs = Array.from({ length: 12 }, () => ({
    x: random() * width,
    y: random() * height,
    r2: (0.03 + random() * 0.12) ** 2 * width * height,
    shade: [random() * 120 - 60, random() * 120 - 60, random() * 120 - 60] as const,
  }));
  // Separable parts precomputed per row and column; the diagonal wave per pixel.
  const colWave = (c: number) =>
    Float64Array.from({ length: width }, (_, x) => 45 * Math.sin((x / width) * Math.PI * (2 + c) + phase[c]!));
  const rowWave = (c: number) =>
    Float64Array.from({ length: height }, (_, y) => 40 * Math.cos((y / height) * Math.PI * (3 - c) + phase[3 + c]!));
  const cols = [colWave(0), colWave(1), colWave(2)];
  const rows = [rowWave(0), rowWave(1), rowWave(2)];
  const base = [120, 110, 100];
  const diagonal = (2 * Math.PI * 5) / (width + height);
  const sigma = options.noise;
  for (let y = 0; y < height; y++) {
    const rowDiscs = discs.filter((d) => Math.abs(y - d.y) ** 2 < d.r2);
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      const wave = 20 * Math.sin((x + y) * diagonal + phase[6]!);
      let disc: (typeof discs)[number] | undefined;
      for (const d of rowDiscs) if ((x - d.x) ** 2 + (y - d.y) ** 2 < d.r2) disc = d;
      for (let c = 0; c < 3; c++) {
        let value = base[c]! + cols[c]![x]! + rows[c]![y]! + wave + (disc ? disc.shade[c]! : 0);
        // Irwin–Hall(3) noise: close enough to Gaussian, unit variance after scaling by 2.
        if (sigma > 0) value += (random() + random() + random() - 1.5) * 2 * sigma;
        data[at + c] = value;
      }
      data[at + 3] = options.alpha ? 255 - Math.round((127 * x * y) / (width * height)) : 255;
    }
  }
  return { width, height, data };
}

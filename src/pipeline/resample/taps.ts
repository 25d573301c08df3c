const LOBES = 3;

function lanczos(x: number): number {
  if (x === 0) return 1;
  if (x <= -LOBES || x >= LOBES) return 0;
  const px = Math.PI * x;
  return (LOBES * Math.sin(px) * Math.sin(px / LOBES)) / (px * px);
}

/** For each output index: the first source index and the normalised weights. */
export interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

/**
 * Lanczos-3 taps from `srcSize` samples to `dstSize` (pixel centres aligned,
 * the kernel widened by the reduction factor so it low-passes, weights
 * normalised to sum to 1, cut at the edges).
 */
export function computeTaps(srcSize: number, dstSize: number): Taps {
  const scale = srcSize / dstSize;
  const support = LOBES * Math.max(1, scale);
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const weights = new Float32Array(dstSize * stride);
  const filterScale = 1 / Math.max(1, scale);
  for (let i = 0; i < dstSize; i++) {
    const centre = (i + 0.5) * scale;
    const first = Math.max(0, Math.floor(centre - support));
    const last = Math.min(srcSize - 1, Math.ceil(centre + support) - 1);
    let total = 0;
    const n = Math.min(stride, last - first + 1);
    for (let k = 0; k < n; k++) {
      const w = lanczos((first + k + 0.5 - centre) * filterScale);
      weights[i * stride + k] = w;
      total += w;
    }
    for (let k = 0; k < n; k++) weights[i * stride + k]! /= total || 1;
    start[i] = first;
    count[i] = n;
  }
  return { start, count, weights, stride };
}

/**
 * {@link Taps} laid out for a row filter over interleaved pixels of
 * `channels` samples: output i reads `weights[ends[i-1] .. ends[i])` against
 * samples from `first[i]` on (already multiplied by `channels`), with no gaps,
 * so the filter walks the weights once from start to end.
 */
export interface PackedTaps {
  first: Int32Array;
  ends: Int32Array;
  weights: Float32Array;
}

/** Packs `taps` for {@link PackedTaps}' walk. */
export function packTaps(taps: Taps, channels: number): PackedTaps {
  const size = taps.start.length;
  const first = new Int32Array(size);
  const ends = new Int32Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) total += taps.count[i]!;
  const weights = new Float32Array(total);
  let at = 0;
  for (let i = 0; i < size; i++) {
    const n = taps.count[i]!;
    weights.set(taps.weights.subarray(i * taps.stride, i * taps.stride + n), at);
    at += n;
    first[i] = taps.start[i]! * channels;
    ends[i] = at;
  }
  return { first, ends, weights };
}

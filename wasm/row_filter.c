// The fixed-point resampler's per-sample loops (src/pipeline/resample/
// filter-rows.ts streams the rows; fixed-rows.ts builds the taps and tables,
// lays them out here and places the output): 8-bit samples in to linear light,
// the box pre-shrink, the two Lanczos-3 passes in WASM SIMD (four 32-bit lanes
// per instruction), and linear light out to 8-bit sRGB. The arithmetic is what
// fixed-rows.ts specifies: 32-bit products and sums that wrap, a rounding shift right by 14
// after the horizontal pass and by 13 after the vertical one, double-precision
// scaling where it divides. No libc, no allocation, no imports: the caller
// lays out every row and table in this module's memory and passes byte
// offsets. Built by wasm/build.sh with plain clang (-msimd128).

#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

// Horizontal Lanczos-3 of one interleaved row of `channels` (3 or 4) samples
// per pixel: output x is the sum over its taps of the source pixel times its
// weight, taps packed as in taps.ts `PackedTaps` (weights[ends[x-1] ..
// ends[x]) against source samples from first[x] on, `channels` apart), then
// (sum + 2^13) >> 14. Each pixel's samples are read and written as one
// 4-lane vector: with 3 channels the fourth lane reads the next pixel's first
// sample (harmless) and writes one sample past the pixel, which the next
// pixel overwrites; the caller leaves 4 samples of room after both rows.
EXPORT("filter_row")
void filter_row(const int32_t *src, int32_t *dst, const int32_t *first, const int32_t *ends,
                const int32_t *weights, int32_t width, int32_t channels) {
  const v128_t half = wasm_i32x4_splat(1 << 13);
  int32_t w = 0;
  for (int32_t x = 0; x < width; x++, dst += channels) {
    const int32_t end = ends[x];
    const int32_t *s = src + first[x];
    v128_t acc = half;
    for (; w + 1 < end; w += 2, s += 2 * channels) {
      v128_t a = wasm_i32x4_mul(wasm_v128_load(s), wasm_v128_load32_splat(weights + w));
      v128_t b = wasm_i32x4_mul(wasm_v128_load(s + channels), wasm_v128_load32_splat(weights + w + 1));
      acc = wasm_i32x4_add(acc, wasm_i32x4_add(a, b));
    }
    if (w < end) {
      acc = wasm_i32x4_add(acc, wasm_i32x4_mul(wasm_v128_load(s), wasm_v128_load32_splat(weights + w)));
      w++;
    }
    wasm_v128_store(dst, wasm_i32x4_shr(acc, 14));
  }
}

// Vertical Lanczos-3: sum[i] = Σ_t rows[t][i] × weights[t] for i < length,
// `rows` being `taps` byte offsets of ring rows. Lanes run eight samples at a
// time (two vectors); `length` is rounded up to a multiple of 8, so every row
// and `sum` need room for that many samples. Integer sums wrap the same in any order, so
// this equals the TypeScript loop exactly.
EXPORT("sum_rows")
void sum_rows(int32_t *sum, const int32_t *const *rows, const int32_t *weights, int32_t taps, int32_t length) {
  for (int32_t i = 0; i < length; i += 8) {
    v128_t lo = wasm_i32x4_splat(0);
    v128_t hi = wasm_i32x4_splat(0);
    for (int32_t t = 0; t < taps; t++) {
      const int32_t *row = rows[t] + i;
      const v128_t k = wasm_i32x4_splat(weights[t]);
      lo = wasm_i32x4_add(lo, wasm_i32x4_mul(wasm_v128_load(row), k));
      hi = wasm_i32x4_add(hi, wasm_i32x4_mul(wasm_v128_load(row + 4), k));
    }
    wasm_v128_store(sum + i, lo);
    wasm_v128_store(sum + i + 4, hi);
  }
}

// Linear light of one row of 8-bit RGBA into `mid`, in 1/65535 steps, through
// `tables` (three 256-entry tables, R then G then B). 3 channels: the row is
// opaque, alpha is dropped. 4 channels: colour is premultiplied, l × a / 255
// rounded as (l × alpha_scale[a] + 2^15) >> 16 in unsigned 32 bits
// (alpha_scale[a] = round(a × 65536 / 255)), and alpha is a × 257.
EXPORT("linear_row")
void linear_row(const uint8_t *rgba, int32_t *mid, const int32_t *tables, const uint32_t *alpha_scale, int32_t width,
                int32_t channels) {
  const int32_t *to_r = tables, *to_g = tables + 256, *to_b = tables + 512;
  if (channels == 3) {
    for (int32_t x = 0; x < width; x++, rgba += 4, mid += 3) {
      mid[0] = to_r[rgba[0]];
      mid[1] = to_g[rgba[1]];
      mid[2] = to_b[rgba[2]];
    }
    return;
  }
  for (int32_t x = 0; x < width; x++, rgba += 4, mid += 4) {
    if (rgba[3] == 255) { // (l × 65536 + 2^15) >> 16 = l
      mid[0] = to_r[rgba[0]];
      mid[1] = to_g[rgba[1]];
      mid[2] = to_b[rgba[2]];
      mid[3] = 65535;
      continue;
    }
    const uint32_t scale = alpha_scale[rgba[3]];
    mid[0] = (int32_t)(((uint32_t)to_r[rgba[0]] * scale + 0x8000u) >> 16);
    mid[1] = (int32_t)(((uint32_t)to_g[rgba[1]] * scale + 0x8000u) >> 16);
    mid[2] = (int32_t)(((uint32_t)to_b[rgba[2]] * scale + 0x8000u) >> 16);
    mid[3] = rgba[3] * 257;
  }
}

// The box pre-shrink's sums: one row of 8-bit RGBA, converted as linear_row
// does, added `box` pixels at a time into `sums` (64-bit, so any box fits).
EXPORT("box_row")
void box_row(const uint8_t *rgba, int64_t *sums, const int32_t *tables, const uint32_t *alpha_scale, int32_t width,
             int32_t box, int32_t channels) {
  const int32_t *to_r = tables, *to_g = tables + 256, *to_b = tables + 512;
  for (int32_t x = 0; x < width; x += box, sums += channels) {
    const int32_t n = width - x < box ? width - x : box;
    int64_t r = 0, g = 0, b = 0, a = 0;
    if (channels == 3) {
      for (int32_t i = 0; i < n; i++, rgba += 4) {
        r += to_r[rgba[0]];
        g += to_g[rgba[1]];
        b += to_b[rgba[2]];
      }
    } else {
      for (int32_t i = 0; i < n; i++, rgba += 4) {
        if (rgba[3] == 0) continue;
        const uint32_t scale = alpha_scale[rgba[3]];
        r += ((uint32_t)to_r[rgba[0]] * scale + 0x8000u) >> 16;
        g += ((uint32_t)to_g[rgba[1]] * scale + 0x8000u) >> 16;
        b += ((uint32_t)to_b[rgba[2]] * scale + 0x8000u) >> 16;
        a += rgba[3] * 257;
      }
      sums[3] += a;
    }
    sums[0] += r;
    sums[1] += g;
    sums[2] += b;
  }
}

// Box sums to means in `mid`: box b covered `rows` rows of `lengths[b]`
// pixels; each mean is rounded as (int)(sum × (1 / (rows × length)) + 0.5).
EXPORT("average_boxes")
void average_boxes(const int64_t *sums, int32_t *mid, const int32_t *lengths, int32_t boxes, int32_t rows,
                   int32_t channels) {
  int32_t length = 0;
  double scale = 0;
  for (int32_t b = 0; b < boxes; b++, sums += channels, mid += channels) {
    if (lengths[b] != length) {
      length = lengths[b];
      scale = 1.0 / ((double)rows * (double)length);
    }
    for (int32_t c = 0; c < channels; c++) mid[c] = (int32_t)((double)sums[c] * scale + 0.5);
  }
}

// Linear light (0 … 1, any sign) to the sRGB encode table's index.
static inline int32_t quantise(double v) {
  return v >= 1 ? 65535 : v > 0 ? (int32_t)(v * 65535 + 0.5) : 0;
}

static inline int32_t clamp_index(int32_t v) { return v < 0 ? 0 : v > 65535 ? 65535 : v; }

// A vertical sum (1/(65535 × 8192) steps) to 1/65535 steps, rounded: (v + 2^12) >> 13 in 32 bits that wrap.
static inline int32_t round13(int32_t v) { return (int32_t)((uint32_t)v + 4096u) >> 13; }

// JavaScript's Uint8ClampedArray store: clamped, rounded half to even.
static inline uint8_t clamp_byte(double v) { return v > 0 ? (v < 255 ? (uint8_t)__builtin_rint(v) : 255) : 0; }

// One vertical sum row (1/(65535 × 8192) steps) to 8-bit sRGB RGBA in `out`,
// through `matrix` (a 3×3, row-major; 0 for none) and `table` (65536 entries,
// the encode table indexed by linear light in 1/65535 steps). 3 channels:
// alpha 255. 4 channels: colour is divided by alpha; a pixel whose alpha is
// 0.5 or less (Lanczos lobes can make it tiny or negative) is (0, 0, 0, 0).
EXPORT("encode_row")
void encode_row(const int32_t *sum, uint8_t *out, const uint8_t *table, const float *matrix, int32_t width,
                int32_t channels) {
  const double unit = 1.0 / (65535.0 * 8192.0);
  const double alpha_unit = 255.0 / (65535.0 * 8192.0);
  for (int32_t x = 0; x < width; x++, sum += channels, out += 4) {
    double r, g, b;
    if (channels == 3) {
      out[3] = 255;
      if (!matrix) {
        out[0] = table[clamp_index(round13(sum[0]))];
        out[1] = table[clamp_index(round13(sum[1]))];
        out[2] = table[clamp_index(round13(sum[2]))];
        continue;
      }
      r = sum[0] * unit;
      g = sum[1] * unit;
      b = sum[2] * unit;
    } else {
      if (sum[3] == 65535 * 8192 && !matrix) {
        // Opaque (the alpha taps summed exactly to one): dividing by alpha is the opaque path's shift.
        out[0] = table[clamp_index(round13(sum[0]))];
        out[1] = table[clamp_index(round13(sum[1]))];
        out[2] = table[clamp_index(round13(sum[2]))];
        out[3] = 255;
        continue;
      }
      const double a = sum[3] * alpha_unit;
      out[3] = clamp_byte(a);
      if (!(a > 0.5)) {
        out[0] = out[1] = out[2] = 0;
        continue;
      }
      if (!matrix) {
        const double inv = 65535.0 / sum[3];
        out[0] = table[clamp_index((int32_t)(sum[0] * inv + 0.5))];
        out[1] = table[clamp_index((int32_t)(sum[1] * inv + 0.5))];
        out[2] = table[clamp_index((int32_t)(sum[2] * inv + 0.5))];
        continue;
      }
      const double inv = 1.0 / sum[3];
      r = sum[0] * inv;
      g = sum[1] * inv;
      b = sum[2] * inv;
    }
    const double m0 = matrix[0], m1 = matrix[1], m2 = matrix[2], m3 = matrix[3], m4 = matrix[4], m5 = matrix[5],
                 m6 = matrix[6], m7 = matrix[7], m8 = matrix[8];
    out[0] = table[quantise(m0 * r + m1 * g + m2 * b)];
    out[1] = table[quantise(m3 * r + m4 * g + m5 * b)];
    out[2] = table[quantise(m6 * r + m7 * g + m8 * b)];
  }
}

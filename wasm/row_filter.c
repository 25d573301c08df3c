// The resampler's two multiply-add loops (src/pipeline/resample/filter-rows.ts
// streams the rows and does everything else), in WASM SIMD: four 32-bit lanes
// per instruction where scalar JavaScript does one. The arithmetic is the
// TypeScript fixed point's, lane for lane: 32-bit products and sums that wrap
// (`Math.imul`, `| 0`), a rounding shift right by 14 after the horizontal pass,
// so the output is the same bit for bit. No libc, no allocation, no imports:
// the caller lays out every row and table in this module's memory and passes
// byte offsets. Built by wasm/build.sh with plain clang (-msimd128).

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
      v128_t a = wasm_i32x4_mul(wasm_v128_load(s), wasm_i32x4_splat(weights[w]));
      v128_t b = wasm_i32x4_mul(wasm_v128_load(s + channels), wasm_i32x4_splat(weights[w + 1]));
      acc = wasm_i32x4_add(acc, wasm_i32x4_add(a, b));
    }
    if (w < end) {
      acc = wasm_i32x4_add(acc, wasm_i32x4_mul(wasm_v128_load(s), wasm_i32x4_splat(weights[w])));
      w++;
    }
    wasm_v128_store(dst, wasm_i32x4_shr(acc, 14));
  }
}

// Vertical Lanczos-3: sum[i] = Σ_t rows[t][i] × weights[t] for i < length,
// `rows` being `taps` byte offsets of ring rows. Lanes run four samples at a
// time; `length` is rounded up to a multiple of 4, so every row and `sum` need
// room for that many samples. Integer sums wrap the same in any order, so
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

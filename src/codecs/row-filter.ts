import type { RowFilter } from '../pipeline/codecs';

interface RowFilterExports {
  memory: WebAssembly.Memory;
  filter_row(
    src: number,
    dst: number,
    first: number,
    ends: number,
    weights: number,
    width: number,
    channels: number,
  ): void;
  sum_rows(sum: number, rows: number, weights: number, taps: number, length: number): void;
}

const PAGE = 65536;

/**
 * A {@link RowFilter} from wasm/row_filter.c: a new instance (its own memory,
 * collected with the resampler that holds it), grown once to `bytes` past
 * its first page, which holds only the module's small stack.
 */
export function createRowFilter(module: WebAssembly.Module, bytes: number): RowFilter {
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as RowFilterExports;
  const { memory } = exports;
  const base = memory.buffer.byteLength;
  memory.grow(Math.ceil(bytes / PAGE));
  return {
    buffer: memory.buffer,
    base,
    filterRow: (src, dst, first, ends, weights, width, channels) =>
      exports.filter_row(src, dst, first, ends, weights, width, channels),
    sumRows: (sum, rows, weights, taps, length) => exports.sum_rows(sum, rows, weights, taps, length),
  };
}

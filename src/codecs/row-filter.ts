import type { RowFilter } from '../pipeline/codecs';

/** wasm/row_filter.c's exports: the {@link RowFilter} methods, snake_case. */
interface RowFilterExports {
  memory: WebAssembly.Memory;
  linear_row: RowFilter['linearRow'];
  box_row: RowFilter['boxRow'];
  average_boxes: RowFilter['averageBoxes'];
  filter_row: RowFilter['filterRow'];
  sum_rows: RowFilter['sumRows'];
  encode_row: RowFilter['encodeRow'];
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
    linearRow: exports.linear_row,
    boxRow: exports.box_row,
    averageBoxes: exports.average_boxes,
    filterRow: exports.filter_row,
    sumRows: exports.sum_rows,
    encodeRow: exports.encode_row,
  };
}

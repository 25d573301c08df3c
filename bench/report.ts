// Text and Markdown tables for the benchmarks' reports (one implementation for all of them).

/** Which columns are right-aligned (numbers): by default every column but the first. */
export type Aligned = (column: number) => boolean;
const allButFirst: Aligned = (i) => i > 0;

/** A plain-text table: columns padded to their widest cell, two spaces apart, a dashed rule under the header. */
export function textTable(headers: string[], rows: string[][], right: Aligned = allButFirst): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown table (right-aligned columns marked `---:`). */
export function markdownTable(headers: string[], rows: string[][], right: Aligned = allButFirst): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (right(i) ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

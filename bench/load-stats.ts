// Latency and status bookkeeping for the load benchmark.

/** What a request ended with: an HTTP status, or how it failed without one. */
export type Outcome = number | 'timeout' | 'network_error' | 'aborted';

export interface Sample {
  kind: string;
  outcome: Outcome;
  ms: number;
}

/** The value at quantile `q` (0..1) of an ascending array, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export function countOutcomes(samples: readonly Sample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(String(s.outcome), (counts.get(String(s.outcome)) ?? 0) + 1);
  // Numeric statuses first, ascending; then the named failures.
  return new Map(
    [...counts].sort(([a], [b]) => {
      const na = Number(a);
      const nb = Number(b);
      if (Number.isNaN(na) || Number.isNaN(nb))
        return Number.isNaN(na) ? (Number.isNaN(nb) ? a.localeCompare(b) : 1) : -1;
      return na - nb;
    }),
  );
}

export function formatCounts(counts: Map<string, number>, sep = ' '): string {
  return [...counts].map(([k, v]) => `${k}:${v}`).join(sep);
}

const fmtMs = (ms: number) => (Number.isNaN(ms) ? '-' : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));

/**
 * A fixed-width table: one row per request kind, then "all". Latency counts
 * only requests that got an HTTP response (timeouts and network errors are
 * in the status column, not in the percentiles).
 */
export function latencyTable(samples: readonly Sample[], kinds: readonly string[]): string {
  const rows: string[][] = [['kind', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'statuses']];
  const row = (label: string, subset: readonly Sample[]) => {
    const ms = subset
      .filter((s) => typeof s.outcome === 'number')
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    rows.push([
      label,
      String(subset.length),
      fmtMs(quantile(ms, 0.5)),
      fmtMs(quantile(ms, 0.99)),
      fmtMs(ms.at(-1) ?? NaN),
      formatCounts(countOutcomes(subset)),
    ]);
  };
  for (const kind of kinds) {
    const subset = samples.filter((s) => s.kind === kind);
    if (subset.length > 0) row(kind, subset);
  }
  row('all', samples);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

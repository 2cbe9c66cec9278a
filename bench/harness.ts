/**
 * Benchmark helpers shared by every `bench/*.ts` module: timing with warm-up and percentiles, and a
 * markdown table with a `ratio` column against the baseline row measured in the same run.
 * Benchmarks print; they never assert.
 */

/** Percentiles of a timed function, in milliseconds. */
export interface Timing {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly runs: number;
}

/** One row of a benchmark table. Exactly one row per table should be the `baseline`. */
export interface BenchRow extends Timing {
  readonly name: string;
  /** The row every other row's `ratio` is computed against. */
  readonly baseline?: boolean;
  /** A free-text remark (target, sizes). */
  readonly note?: string;
}

/** What a `bench/*.ts` module's `run()` returns: its tables, already printed. */
export interface BenchTable {
  readonly title: string;
  readonly rows: readonly BenchRow[];
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed; returns median, p10 and p90 in ms. */
export async function measure(fn: () => unknown, opts: { runs?: number; warmup?: number } = {}): Promise<Timing> {
  const runs = opts.runs ?? 10;
  const warmup = opts.warmup ?? 1;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 0.5), p10: percentile(times, 0.1), p90: percentile(times, 0.9), runs };
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4);
}

/** Prints `rows` as a markdown table (median, p10, p90 in ms, ratio to the baseline row) and returns the table. */
export function printTable(title: string, rows: readonly BenchRow[]): BenchTable {
  const base = rows.find((r) => r.baseline);
  const lines = [
    `\n### ${title}\n`,
    '| case | median ms | p10 ms | p90 ms | ratio | runs | note |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const ratio = base ? (r.median / base.median).toFixed(3) : '-';
    lines.push(
      `| ${r.name}${r.baseline ? ' (baseline)' : ''} | ${fmt(r.median)} | ${fmt(r.p10)} | ${fmt(r.p90)} | ${ratio} | ${r.runs} | ${r.note ?? ''} |`,
    );
  }
  console.log(lines.join('\n'));
  return { title, rows };
}

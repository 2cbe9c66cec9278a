/**
 * Benchmark helpers shared by every `bench/*.ts` module: timing with warm-up and percentiles, and a
 * markdown table with a `ratio` column against the baseline row measured in the same run.
 * Benchmarks print; they never assert.
 */
import { execFileSync } from 'node:child_process';

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
  return timingOf(times);
}

/** Median, p10 and p90 of `samples` (any unit; sorted in place) as a {@link Timing} of that many runs. */
export function timingOf(samples: number[]): Timing {
  samples.sort((a, b) => a - b);
  return {
    median: percentile(samples, 0.5),
    p10: percentile(samples, 0.1),
    p90: percentile(samples, 0.9),
    runs: samples.length,
  };
}

/**
 * Calls `fn(...args)`, an async function exported by the bench bundle `file` (a module's `module.filename`), in a
 * fresh Node process and returns what it resolves to (sent back as JSON): a figure free of what ran before in
 * this process (V8's type feedback, pages the allocator already touched).
 */
export function inFreshProcess<T>(file: string, fn: string, args: readonly unknown[]): T {
  const call = `require(${JSON.stringify(file)}).${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`;
  const script = `${call}.then((r) => process.stdout.write(JSON.stringify(r)))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 })) as T;
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

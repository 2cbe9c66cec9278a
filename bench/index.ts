/**
 * `npm run bench [-- name...]`: runs every benchmark module listed here (or only those named) and
 * prints their tables. Each module exports `run(): Promise<BenchTable[]>`; add yours with one line.
 */
import type { BenchTable } from './harness';

const MODULES: Record<string, () => Promise<{ run(): Promise<BenchTable[]> }>> = {
  data: () => import('./data'),
  backtest: () => import('./backtest'),
  indicators: () => import('./indicators'),
  serve: () => import('./serve'),
  live: () => import('./live'),
  desk: () => import('./desk'),
  optimize: () => import('./optimize'),
  strategies: () => import('./strategies'),
  ui: () => import('./ui'),
  models: () => import('./models'),
  'user-strategies': () => import('./user-strategies'),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in MODULES));
  if (unknown.length > 0) {
    console.error(`bench: unknown module(s) ${unknown.join(', ')}; known: ${Object.keys(MODULES).join(', ')}`);
    process.exit(2);
  }
  for (const [name, load] of Object.entries(MODULES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    console.log(`\n## ${name}`);
    const t0 = performance.now();
    await (await load()).run();
    console.error(`bench ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

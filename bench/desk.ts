/**
 * The monitoring desk (issue 16) under load: 5 books × 100 symbols replayed at full speed.
 * - host (`npm run bench -- live`): the desk's wall time against one book replayed alone (baseline, same run), and
 *   its tick-to-screen latency: from a feed delivery reaching a book to the `desk:changed` push that shows it.
 * - page (`npm run bench -- ui`): frame times of the Desk view in Chromium (playwright-core, /usr/bin/chromium)
 *   under `quantdesk serve`'s host while the 5 books run, against the same page idle (baseline, same run).
 * Prints; never asserts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpec } from '../core/backtest/spec';
import { loadDefaultDataset } from '../core/dataset/default';
import type { BookConfig } from '../core/live/books/book-config';
import { DeskService } from '../core/live/books/desk';
import { replay } from '../core/live/replay';
import { openStore, type Store } from '../core/store/sqlite-bar-store';
import { measure, printTable, type BenchRow, type BenchTable } from './harness';
import { connection } from '../core/store/internal';

const BOOKS = 5;
const SYMBOLS = 100;
const RANGE = { start: '2018-01-01', end: '2020-12-31' };

function quantile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

/** A temp store with the default dataset's generator on 100 names over 5 years. */
async function deskStore(): Promise<{ dir: string; path: string; symbols: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'qd-bench-desk-'));
  const path = join(dir, 'd.db');
  const store = openStore(path);
  const r = await loadDefaultDataset(store, { market: { seed: 20260101, instruments: SYMBOLS, ...RANGE } });
  if (!r.ok) throw new Error(r.error.message);
  const symbols = (
    connection(store)
      .prepare("SELECT symbol FROM instruments WHERE symbol <> 'SPX' ORDER BY symbol")
      .pluck()
      .all() as string[]
  ).slice(0, SYMBOLS);
  store.close();
  return { dir, path, symbols };
}

function bookConfig(name: string, i: number, symbols: string[]): BookConfig {
  return {
    name,
    strategy: 'sma-cross',
    params: { fast: 5 + i, slow: 20 + 5 * i },
    symbols,
    feed: 'replay',
    speed: 0,
    capital: 1_000_000,
    account: 'paper',
    interval: '1m',
    spec: { sizing: { method: 'fixed-qty', qty: 10 } },
  };
}

async function runDesk(store: Store, symbols: string[], tag: string, desk: DeskService): Promise<void> {
  for (let i = 0; i < BOOKS; i++) {
    const r = await desk.start(bookConfig(`${tag}-${i}`, i, symbols));
    if (!r.ok) throw new Error(r.error.message);
  }
  await Promise.all(desk.books().map((b) => b.feed?.done));
  desk.push();
}

/** Host side: wall time of the 5-book desk against one book alone, and the tick-to-screen latency. */
export async function deskHost(): Promise<BenchTable> {
  const { dir, path, symbols } = await deskStore();
  const store = openStore(path);
  const rows: BenchRow[] = [];
  try {
    let n = 0;
    const spec = parseSpec({
      strategy: 'sma-cross',
      params: { fast: 5, slow: 20 },
      symbols,
      capital: 1_000_000,
      sizing: { method: 'fixed-qty', qty: 10 },
    });
    if (!spec.ok) throw new Error(spec.errors.join('; '));
    const one = await measure(
      async () => {
        await replay(store, spec.spec, { session: `one-${n++}` });
      },
      { runs: 2, warmup: 0 },
    );
    rows.push({ name: `one book alone, ${SYMBOLS} symbols (replay, full speed)`, baseline: true, ...one });
    let pushes = 0;
    const lat: number[] = [];
    const cost: number[] = [];
    // How much of a CPU the process had during the desk runs: on a shared machine the latencies are wall time.
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const desk = await measure(
      async () => {
        const d = new DeskService(store, () => pushes++);
        await runDesk(store, symbols, `b${n++}`, d);
        for (let i = 0; i < Math.min(d.latencyCount, d.latencies.length); i++) {
          lat.push(d.latencies[i]);
          cost.push(d.pushCosts[i]);
        }
        await d.dispose();
      },
      { runs: 2, warmup: 0 },
    );
    const cpu = process.cpuUsage(cpu0);
    const share = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
    const l = Float64Array.from(lat).sort();
    const c = Float64Array.from(cost).sort();
    rows.push({
      name: `desk: ${BOOKS} books x ${SYMBOLS} symbols side by side`,
      ...desk,
      note: `${pushes} desk:changed pushes; the process had ${(share * 100).toFixed(0)}% of a CPU (load average ${loadavg()[0].toFixed(1)})`,
    });
    rows.push({
      name: 'tick-to-screen (feed delivery -> desk:changed push)',
      median: quantile(l, 0.5),
      p10: quantile(l, 0.1),
      p90: quantile(l, 0.9),
      runs: l.length,
      note: `p99 ${quantile(l, 0.99).toFixed(1)} ms (target < 100 ms)`,
    });
    rows.push({
      name: 'of which: computing + handing over one overview push',
      median: quantile(c, 0.5),
      p10: quantile(c, 0.1),
      p90: quantile(c, 0.9),
      runs: c.length,
      note: `p99 ${quantile(c, 0.99).toFixed(1)} ms`,
    });
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return printTable(`desk: ${BOOKS} books x ${SYMBOLS} symbols on replay at full speed (host)`, rows);
}

/** Page side: frame times of the Desk view while the 5 books replay at full speed, against the idle page. */
export async function deskPage(): Promise<BenchTable | null> {
  const root = join(__dirname, '..');
  const staticDir = join(root, 'out/renderer');
  if (!existsSync(join(staticDir, 'index.html')) || !existsSync('/usr/bin/chromium')) {
    console.log('desk page bench skipped: needs out/renderer (npm run build) and /usr/bin/chromium');
    return null;
  }
  const { chromium } = await import('playwright-core');
  const { startServer } = await import('../core/serve/server');
  const { dir, path, symbols } = await deskStore();
  const server = await startServer({ dbPath: path, staticDir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const rows: BenchRow[] = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
    await page.goto(server.url);
    await page.waitForSelector('body[data-connected="true"]', { timeout: 30_000 });
    await page.click('[data-view="desk"]');
    await page.waitForSelector('[data-view-ready="desk"]');
    // Frame deltas from requestAnimationFrame, recorded in the page until `stop`.
    // Scripts as text: a bundler's helpers (esbuild's __name) do not exist in the page.
    // The renderer's main-thread work (Chrome's TaskDuration, s) over a phase, per frame: what the page itself costs,
    // apart from frames the (shared, busy) machine did not schedule.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
    let busyMs = Number.NaN;
    const frames = async (during: () => Promise<void>): Promise<Float64Array> => {
      const task0 = await taskSeconds();
      await page.evaluate(`(() => {
        window.__frames = [];
        window.__stop = false;
        let last = performance.now();
        const tick = (t) => {
          window.__frames.push(t - last);
          last = t;
          if (!window.__stop) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      })()`);
      await during();
      const f = (await page.evaluate(
        '(() => { window.__stop = true; return window.__frames.slice(1); })()',
      )) as number[];
      busyMs = (((await taskSeconds()) - task0) * 1000) / Math.max(1, f.length);
      return Float64Array.from(f).sort();
    };
    const row = (name: string, f: Float64Array, baseline = false, note = ''): BenchRow => ({
      name,
      median: quantile(f, 0.5),
      p10: quantile(f, 0.1),
      p90: quantile(f, 0.9),
      runs: f.length,
      baseline,
      note: `frame interval p95 ${quantile(f, 0.95).toFixed(1)} ms; page main-thread work ${busyMs.toFixed(2)} ms per frame${note}`,
    });
    const idle = await frames(() => new Promise((r) => setTimeout(r, 2_000)));
    rows.push(row('Desk view idle (2 s)', idle, true));
    const desk = server.services.desk;
    const busy = await frames(async () => {
      const started = (await page.evaluate(`(async () => {
        const syms = ${JSON.stringify(symbols)};
        for (let i = 0; i < ${BOOKS}; i++) {
          const r = await window.api.invoke('desk:book-start', {
            name: 'page-' + i, strategy: 'sma-cross', params: { fast: 5 + i, slow: 20 + 5 * i }, symbols: syms, speed: 0, capital: 1000000, spec: { sizing: { method: 'fixed-qty', qty: 10 } },
          });
          if (!r.ok) return r.error.message;
        }
        return 'ok';
      })()`)) as string;
      if (started !== 'ok') throw new Error(started);
      await Promise.all(desk.books().map((b) => b.feed?.done));
      await new Promise((r) => setTimeout(r, 300));
    });
    const l = Float64Array.from(desk.latencies.subarray(0, Math.min(desk.latencyCount, desk.latencies.length))).sort();
    rows.push(
      row(
        `Desk view, ${BOOKS} books x ${SYMBOLS} symbols replaying at full speed`,
        busy,
        false,
        `; host tick-to-screen p99 ${quantile(l, 0.99).toFixed(1)} ms over ${l.length} pushes`,
      ),
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return printTable(
    `desk page: frame times in Chromium while ${BOOKS} books x ${SYMBOLS} symbols replay (target p95 < 16 ms)`,
    rows,
  );
}

/** `npm run bench -- desk`: the host side alone (the page side runs in `ui`). */
export async function run(): Promise<BenchTable[]> {
  return [await deskHost()];
}

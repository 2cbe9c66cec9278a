/**
 * UI hot paths under Node (the renderer's pure modules): folding a 1,000 ticks/s live feed into the
 * store once per frame instead of once per push, and turning 20 years of daily bars into chart data.
 * Then the app itself (issue 14): `quantdesk serve` on the default dataset and headless Chromium, as the
 * e2e tests run it: first paint and first chart drawn (target < 1 s), and a 10,000-trade run opened in
 * the Backtest view (target < 500 ms).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { toColumns } from '../core/backtest/json';
import { saveBacktestRun } from '../core/backtest/registry';
import { parseSpec } from '../core/backtest/spec';
import type { Trade } from '../core/backtest/types';
import type { Events } from '../core/contract';
import { openStore } from '../core/store/sqlite-bar-store';
import { alignToBars } from '../renderer/src/charts/align';
import { toCandles, toVolume, type OhlcvColumns } from '../renderer/src/charts/adapters';
import { createFrameBatcher } from '../renderer/src/lib/batch';
import { applyTickBatches, type TickFold } from '../renderer/src/stores/live-fold';
import { deskPage } from './desk';
import { measure, printTable, type BenchTable } from './harness';

type Ticked = Events['live:ticked'];

const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${i}`);

function feed(n: number): Ticked[] {
  const out: Ticked[] = [];
  for (let i = 0; i < n; i++) {
    const symbol = SYMBOLS[i % SYMBOLS.length];
    out.push({
      at: i,
      count: 1,
      prices: [{ symbol, time: i, price: 100 + (i % 17) }],
      account: { cash: 1e5, equity: 1e5 + i, grossExposure: 0, dayStartEquity: 1e5, realized: 0, unrealized: 0 },
    });
  }
  return out;
}

const EMPTY: TickFold = { ticks: 0, latencyMs: null, watch: new Map(), account: null, equity: { time: [], value: [] } };

function bars(n: number): OhlcvColumns {
  const c = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const p = 100 + Math.sin(i / 50) * 10;
    c.time[i] = Date.UTC(2006, 0, 2) + i * 86_400_000;
    c.open[i] = p;
    c.high[i] = p + 1;
    c.low[i] = p - 1;
    c.close[i] = p + 0.5;
    c.volume[i] = 1e6;
  }
  return c;
}

export async function run(): Promise<BenchTable[]> {
  // One second of a 1,000 ticks/s feed = 1,000 pushes. Per push: a state update (and a React render) each.
  // Per frame: the pushes of ~16 ms (17 at 60 fps) folded in one update; over a second, 60 updates.
  const pushes = feed(1000);
  const perPush = await measure(
    () => {
      let s = EMPTY;
      for (const b of pushes) s = applyTickBatches(s, [b], 0);
      return s;
    },
    { runs: 20, warmup: 3 },
  );
  const perFrame = await measure(
    () => {
      let s = EMPTY;
      const frames: (() => void)[] = [];
      const batcher = createFrameBatcher<Ticked>(
        (items) => (s = applyTickBatches(s, items, 0)),
        (cb) => frames.push(cb),
      );
      for (let i = 0; i < pushes.length; i++) {
        batcher.push(pushes[i]);
        if (i % 17 === 16) frames.splice(0).forEach((f) => f());
      }
      frames.splice(0).forEach((f) => f());
      return s;
    },
    { runs: 20, warmup: 3 },
  );
  const t1 = printTable('Live: one second of a 1,000 ticks/s feed, 50 symbols (state updates)', [
    { name: 'one update per push (1,000 updates)', baseline: true, ...perPush },
    { name: 'batched per frame (60 updates)', ...perFrame, note: 'renders drop from 1,000 to 60 per second' },
  ]);

  const n = 5040; // 20 years of trading days
  const cols = bars(n);
  const naive = await measure(
    () =>
      Array.from(cols.time).map((t, i) => ({
        time: Math.floor(new Date(t).getTime() / 1000),
        open: cols.open[i],
        high: cols.high[i],
        low: cols.low[i],
        close: cols.close[i],
      })),
    { runs: 30, warmup: 3 },
  );
  const adapters = await measure(() => [toCandles(cols), toVolume(cols, '#0f0', '#f00')], { runs: 30, warmup: 3 });
  // As indicators:compute returns it: Float64Array columns, NaN warm-up.
  const indTime = Float64Array.from(cols.time).slice(19);
  const indValues = indTime.map((_, i) => (i < 5 ? Number.NaN : i));
  const align = await measure(() => alignToBars(cols.time, indTime, indValues), { runs: 30, warmup: 3 });
  const t2 = printTable(`Chart: ${n} daily bars (20 years) to chart data`, [
    { name: 'naive Array.from().map with Date objects (candles only)', baseline: true, ...naive },
    { name: 'adapters: candles + volume', ...adapters },
    { name: 'align one indicator output to the bars', ...align },
  ]);
  const t3 = await deskPage();
  return [t1, t2, ...(t3 ? [t3] : []), ...(await app())];
}

const ROOT = join(__dirname, '..');

/** The default dataset in a store (`quantdesk init`), cached like the e2e suite's seed (keyed by the CLI bundle). */
function seedDb(): string {
  const key = createHash('sha256')
    .update(readFileSync(join(ROOT, 'out/cli/index.js')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'quantdesk-e2e-cache');
  const seed = join(dir, `seed-${key}.db`);
  if (!existsSync(seed)) {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `seed-${key}.${process.pid}.tmp.db`);
    execFileSync(process.execPath, [join(ROOT, 'bin/quantdesk.js'), 'init', '--db', tmp], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (const ext of ['-wal', '-shm']) rmSync(`${tmp}${ext}`, { force: true });
    renameSync(tmp, seed);
  }
  return seed;
}

/** Stores a run with `nTrades` trades over `nBars` daily bars (the Backtest view's worst case), and a small one. */
function storeRuns(db: string, nTrades: number, nBars: number): { big: string; small: string } {
  const store = openStore(db);
  try {
    const parsed = parseSpec({ strategy: 'sma-cross', symbols: ['ABAG'] });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const save = (id: string, n: number, bars: number) => {
      const t0 = Date.UTC(2006, 0, 2);
      const time = Float64Array.from({ length: bars }, (_, i) => t0 + i * 86_400_000);
      const value = Float64Array.from({ length: bars }, (_, i) => 100_000 * (1 + 0.3 * Math.sin(i / 90) + i / bars));
      const trades: Trade[] = Array.from({ length: n }, (_, i) => {
        const a = Math.floor((i / n) * (bars - 2));
        return {
          symbol: `S${String(i % 50).padStart(4, '0')}`,
          side: i % 3 ? 'long' : 'short',
          qty: 10 + (i % 7),
          entryTime: time[a],
          entryPrice: 50 + (i % 13),
          exitTime: time[a + 1],
          exitPrice: 50 + (i % 11),
          pnl: ((i % 21) - 10) * 3.5,
          commission: 1,
          returnPct: ((i % 21) - 10) / 500,
          ambiguous: false,
          exitReason: 'signal',
          entryBar: a,
          exitBar: a + 1,
        };
      });
      const metrics = {
        finalEquity: value[bars - 1],
        totalReturn: value[bars - 1] / value[0] - 1,
        cagr: 0.05,
        volatility: 0.2,
        sharpe: 0.7,
        sortino: 1,
        calmar: 0.4,
        maxDrawdown: -0.3,
        maxDrawdownDuration: 200,
        var95: -0.02,
        cvar95: -0.03,
        winRate: 0.48,
        profitFactor: 1.1,
        trades: n,
        exposure: 0.9,
        turnover: 30,
        alpha: null,
        beta: null,
        informationRatio: null,
      };
      const r = {
        spec: parsed.spec,
        metrics,
        trades,
        openPositions: [],
        equity: { time, value },
        fingerprint: 'bench',
        audit: [],
      };
      saveBacktestRun(store, {
        result: toColumns(r, id),
        fingerprint: 'bench',
        audit: [],
        createdAt: Date.now(),
        finishedAt: Date.now(),
      });
    };
    save('bt-bench-10k', nTrades, nBars);
    save('bt-bench-small', 10, 250);
    return { big: 'bt-bench-10k', small: 'bt-bench-small' };
  } finally {
    store.close();
  }
}

/**
 * In the page from its first script: the time (from navigation start) when the Chart view's price chart is
 * first ready, then two frames later (drawn), as `window.__chartAt`. Page code as text: bench/ compiles without DOM types.
 */
const CHART_WATCH = `(() => {
  const seen = () => {
    if (window.__chartAt === undefined && document.querySelector('[data-view-ready="chart"] [data-chart-ready="true"]')) {
      window.__chartAt = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => (window.__chartAt = performance.now())));
    }
  };
  new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-chart-ready'] });
})();`;

/**
 * Clicks a history row's Open and resolves with the ms until the frame showing the results (metrics, equity
 * and drawdown charts, the trade list with n rows) is painted. The analytics below mount after that frame.
 */
function openRunScript(runId: string, rows: number): string {
  return `new Promise((resolve) => {
    const id = ${JSON.stringify(runId)};
    const t0 = performance.now();
    const done = () => {
      const res = document.querySelector('[data-testid="backtest-results"]');
      const list = document.querySelector('[data-testid="trade-list"]');
      const charts = document.querySelectorAll('[data-testid="backtest-results"] [data-chart-ready="true"]').length;
      return !!res && res.textContent.includes(id) && list && list.getAttribute('data-rows') === '${rows}' && charts >= 2;
    };
    const obs = new MutationObserver(() => {
      if (!done()) return;
      obs.disconnect();
      // Painted: the frame's callback runs before the paint, a task it queues after it.
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
    });
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    document.querySelector('[data-run-id="' + id + '"] button').click();
  })`;
}

function timing(samples: number[], runs: number) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round((s.length - 1) * p)))];
  return { median: q(0.5), p10: q(0.1), p90: q(0.9), runs };
}

/** The app in Chromium against `quantdesk serve`: first paint, first chart, and a 10,000-trade run opened. */
async function app(): Promise<BenchTable[]> {
  // The renderer as it is now (`npm run bench` builds only the CLI and the benches).
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'renderer'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'qd-bench-ui-'));
  const db = join(dir, 'qd.db');
  copyFileSync(seedDb(), db);
  const ids = storeRuns(db, 10_000, 5040);
  const child = spawn(process.execPath, [join(ROOT, 'bin/quantdesk.js'), 'serve', '--db', db, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const browser = await chromium.launch({
    headless: true,
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /QuantDesk serving at (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const blank = await measure(
      async () => {
        const page = await browser.newPage();
        await page.goto('about:blank');
        await page.close();
      },
      { runs: 5, warmup: 1 },
    );
    const paints: number[] = [];
    const charts: number[] = [];
    const RUNS = 7;
    for (let i = 0; i < RUNS + 1; i++) {
      // bypassCSP: the page's policy forbids eval, which Playwright's text predicates need.
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
      // Times from the navigation's start (performance.now() = 0), recorded in the page as they happen.
      await page.addInitScript(CHART_WATCH);
      await page.goto(url);
      await page.waitForFunction('window.__chartAt !== undefined', undefined, { timeout: 60_000 });
      await page.waitForTimeout(50);
      const t = (await page.evaluate(
        `({ paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, chart: window.__chartAt })`,
      )) as { paint: number; chart: number };
      if (i > 0) {
        paints.push(t.paint);
        charts.push(t.chart);
      }
      await page.close();
    }
    const t1 = printTable(
      'App: first paint and first chart on the default dataset (`quantdesk serve` + Chromium, a new page each run)',
      [
        { name: 'open a blank page (browser baseline)', baseline: true, ...blank },
        { name: 'first contentful paint (from navigation start)', ...timing(paints, RUNS), note: 'target < 1,000 ms' },
        { name: 'first price chart drawn (from navigation start)', ...timing(charts, RUNS), note: 'target < 1,000 ms' },
      ],
    );

    // The Backtest view: open the small run, then the 10,000-trade one, timing click → results drawn.
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    await page.goto(url);
    await page.waitForSelector('body[data-connected="true"]');
    await page.keyboard.press('2');
    await page.waitForSelector(`[data-testid="run-history"] tr[data-run-id="${ids.big}"]`, { timeout: 30_000 });
    const openAndTime = async (id: string, rows: number) => (await page.evaluate(openRunScript(id, rows))) as number;
    const small: number[] = [];
    const big: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const s = await openAndTime(ids.small, 10);
      const b = await openAndTime(ids.big, 10_000);
      if (i > 0) {
        small.push(s);
        big.push(b);
      }
    }
    const fetchOnly: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      fetchOnly.push(
        (await page.evaluate(
          `(async () => { const t0 = performance.now(); await window.api.invoke('runs:get', { id: ${JSON.stringify(ids.big)} }); return performance.now() - t0; })()`,
        )) as number,
      );
    }
    await page.close();
    const t2 = printTable(
      'App: a stored run opened in the Backtest view (click → metrics, both charts and the trade list drawn)',
      [
        { name: 'a 10-trade run, 250 bars', baseline: true, ...timing(small, RUNS) },
        {
          name: 'a 10,000-trade run, 5,040 bars',
          ...timing(big, RUNS),
          note: 'target < 500 ms (includes the runs:get below)',
        },
        { name: 'of which runs:get of the 10,000-trade run over the WebSocket', ...timing(fetchOnly, RUNS) },
      ],
    );
    return [t1, t2];
  } finally {
    await browser.close().catch(() => {});
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

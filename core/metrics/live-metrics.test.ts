import { describe, expect, it } from 'vitest';
import { parseSpec } from '../backtest/spec';
import { LiveSession } from '../live/session';
import { openStore } from '../store/sqlite-bar-store';
import { getStrategy } from '../strategies';
import type { SingleStrategy } from '../strategy/types';
import { METRICS_REGISTRY, poolUtilisation, tickToSignalSeconds, ticksTotal } from './registry';
import { connection } from '../store/internal';

describe('live metrics', () => {
  it('a live session counts ticks and observes one tick-to-signal latency per signal', async () => {
    const strategy = getStrategy('sma-cross') as SingleStrategy;
    const p = parseSpec({ strategy: 'sma-cross', symbols: ['X'], params: { fast: 2, slow: 4 } });
    if (!p.ok) throw new Error(p.errors.join());
    const store = openStore(':memory:');
    const session = new LiveSession({
      store,
      session: 'm',
      spec: p.spec,
      strategy,
      params: strategy.params.parse(p.spec.params),
      symbols: ['X'],
      interval: '1m',
    });
    const ticks0 = (await ticksTotal.get()).values[0]?.value ?? 0;
    const obs0 =
      (await tickToSignalSeconds.get()).values.find((v) => v.metricName === 'quantdesk_tick_to_signal_seconds_count')
        ?.value ?? 0;
    const closes = [10, 10, 10, 10, 9, 8, 9, 11, 12, 13, 12, 10, 9, 8, 8, 9, 11, 13, 14];
    const t0 = Date.UTC(2024, 0, 2, 14, 30);
    closes.forEach((c, i) => session.ticks([{ symbol: 'X', time: t0 + i * 60_000, price: c, size: 1 }]));
    expect((await ticksTotal.get()).values[0].value - ticks0).toBe(closes.length);
    const signals = connection(store)
      .prepare("SELECT count(*) FROM alerts WHERE session = 'm' AND kind = 'signal'")
      .pluck()
      .get() as number;
    expect(signals).toBeGreaterThan(0);
    const obs = (await tickToSignalSeconds.get()).values.find(
      (v) => v.metricName === 'quantdesk_tick_to_signal_seconds_count',
    )!.value;
    expect(obs - obs0).toBe(signals);
    expect(await METRICS_REGISTRY.metrics()).toContain('quantdesk_ticks_total');
    store.close();
  });
});

describe('pool metrics', () => {
  it('pool utilisation is above 0 while batches run and back to 0 when the run ends', async () => {
    const { createThreadPool } = await import('../pool/thread-pool');
    const { buildWorkerEntry } = await import('../pool/test-support');
    const pool = createThreadPool({ workers: 2, dbPath: null, workerEntry: await buildWorkerEntry() });
    const seen: number[] = [];
    const jobs = Array.from({ length: 60 }, (_, i) => ({ kind: 'diag:spin', data: { value: i, ms: 3 } }));
    const out = await pool.run(jobs, {
      onProgress: () => void poolUtilisation.get().then((g) => seen.push(g.values[0].value)),
    });
    expect(out).toHaveLength(60);
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect((await poolUtilisation.get()).values[0].value).toBe(0);
    await pool.close();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { IndicatorSeries } from '../contract';
import { rsi } from '../indicators/rsi';
import { decodeFrame, encodeFrame } from '../model/wire';
import { testBars } from '../indicators/test-series';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch } from './registry';
import { createServices, disposeServices, type Services } from './services';
import { connection } from '../store/internal';

let store: Store | undefined;
let services: Services | undefined;
afterEach(async () => {
  if (services) await disposeServices(services);
  services = undefined;
  store?.close();
});

function setup() {
  store = openStore(':memory:');
  const { bars } = testBars()[0];
  connection(store).prepare("INSERT INTO instruments (id, symbol) VALUES (1, 'AAA')").run();
  const ins = connection(store).prepare('INSERT INTO bars VALUES (1, ?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < bars.close.length; i++)
    ins.run(bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]);
  services = createServices({ store, dbPath: ':memory:', host: 'serve', emit: () => {} });
  const handlers = createHandlers(services);
  const call = (ch: string, input?: unknown) => dispatch(handlers, ch, input, { signal: new AbortController().signal });
  return { bars, call };
}

describe('indicators:* handlers', () => {
  it('computes RSI over stored bars as Float64Array columns: EpochMs times, NaN warm-up kept, defaults filled in', async () => {
    const { bars, call } = setup();
    const r = await call('indicators:compute', { name: 'rsi', symbol: 'AAA' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value as IndicatorSeries;
    expect(v.params).toEqual({ period: 14 });
    expect(v.time).toBeInstanceOf(Float64Array);
    expect(v.time).toEqual(bars.time);
    expect(v.outputs.value).toBeInstanceOf(Float64Array);
    const want = rsi(bars.close, 14);
    expect(v.outputs.value[13]).toBeNaN();
    expect(v.outputs.value[14]).toBe(want[14]);
    expect(v.outputs.value.at(-1)).toBe(want.at(-1));
    // Over the WebSocket's frames the warm-up stays NaN (JSON alone would make it null) and the times stay ms.
    const back = decodeFrame(encodeFrame(v)) as IndicatorSeries;
    expect(back.outputs.value).toBeInstanceOf(Float64Array);
    expect(back.outputs.value[0]).toBeNaN();
    expect(back.outputs.value).toEqual(v.outputs.value);
    expect(back.time).toEqual(bars.time);
  });

  it('lists every indicator with its outputs and rejects unknown names and bad params as invalid-input', async () => {
    const { call } = setup();
    const list = await call('indicators:list');
    expect(list.ok && (list.value as { name: string }[]).find((i) => i.name === 'bbands')).toMatchObject({
      outputs: ['upper', 'middle', 'lower'],
    });
    const unknown = await call('indicators:compute', { name: 'nope', symbol: 'AAA' });
    expect(!unknown.ok && unknown.error.code).toBe('invalid-input');
    const bad = await call('indicators:compute', { name: 'rsi', symbol: 'AAA', params: { period: 0 } });
    expect(!bad.ok && bad.error.message).toMatch(/period/);
    const missing = await call('indicators:compute', { name: 'rsi', symbol: 'ZZZ' });
    expect(!missing.ok && missing.error.code).toBe('not-found');
  });
});

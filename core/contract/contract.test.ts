import { describe, expect, it } from 'vitest';
import { EVENTS, METHODS } from '../contract';
import { appEvents, appMethods } from './app';
import { backtestEvents, backtestMethods } from './backtest';
import { brokerEvents, brokerMethods } from './broker';
import { dataEvents, dataMethods, dataUploadMethods } from './data';
import { indicatorsMethods } from './indicators';
import { liveEvents, liveMethods } from './live';
import { liveSessionsMethods } from './live-sessions';
import { modelsEvents, modelsMethods } from './models';
import { optimizeEvents, optimizeMethods } from './optimize';
import { platformMethods } from './platform';
import { strategiesMethods } from './strategies';
import { deskEvents, deskMethods } from './desk';

const methodSlices = [
  appMethods,
  dataMethods,
  dataUploadMethods,
  strategiesMethods,
  backtestMethods,
  indicatorsMethods,
  optimizeMethods,
  liveMethods,
  brokerMethods,
  liveSessionsMethods,
  modelsMethods,
  platformMethods,
  deskMethods,
];
const eventSlices = [
  appEvents,
  dataEvents,
  backtestEvents,
  optimizeEvents,
  liveEvents,
  brokerEvents,
  modelsEvents,
  deskEvents,
];

describe('the contract composed of per-domain slices', () => {
  it('declares every channel in exactly one slice (a spread would silently drop a duplicate)', () => {
    const methods = methodSlices.flatMap((s) => Object.keys(s));
    expect(new Set(methods).size).toBe(methods.length);
    expect(Object.keys(METHODS).sort()).toEqual([...methods].sort());
    const events = eventSlices.flatMap((s) => Object.keys(s));
    expect(new Set(events).size).toBe(events.length);
    expect(Object.keys(EVENTS).sort()).toEqual([...events].sort());
  });

  it('validates a spec with the engine schema at the boundary: defaults filled, a bad field named under spec', () => {
    const ok = METHODS['backtest:run'].input.parse({ spec: { strategy: 'sma-cross', symbols: ['GOOG'] } });
    expect(ok.spec).toMatchObject({ capital: 100_000, fill: 'next-open', sizing: { method: 'all-in' } });
    expect(ok.save).toBe(true);
    const bad = METHODS['backtest:run'].input.safeParse({
      spec: { strategy: 'sma-cross', symbols: ['GOOG'], fill: 'someday' },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['spec.fill']);
    const sweep = METHODS['sweep:start'].input.safeParse({
      sweep: { base: {}, grid: { fast: [5] }, objective: 'sharpness' },
    });
    expect(sweep.error?.issues.map((i) => i.path.join('.'))).toEqual(['sweep.objective']);
    const model = METHODS['models:train'].input.safeParse({
      spec: { start: '2020-01-01', end: '2020-13-01', features: [{ name: 'ret_5' }] },
    });
    expect(model.error?.issues.map((i) => i.path.join('.'))).toEqual(['spec.end']);
  });
});

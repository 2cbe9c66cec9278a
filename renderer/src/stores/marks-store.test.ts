import { describe, expect, it } from 'vitest';
import type { LiveSignal } from '../../../core/contract';
import { signalMark } from './marks-store';

const base: LiveSignal = {
  alertId: 'a1',
  strategy: 'model-signal',
  symbol: 'AAA',
  time: 1_000,
  side: 'buy',
  price: 10,
  target: 1,
  reason: 'signal',
};

describe('signalMark', () => {
  it("names a model signal's largest contribution on the marker, and leaves other signals as they were", () => {
    const explanation = {
      modelId: 'm-1',
      prediction: 0.02,
      base: 0.001,
      top: [
        { feature: 'rsi(period=14)', value: 71, contribution: -0.004 },
        { feature: 'logvol', value: 9, contribution: 0.002 },
      ],
    };
    expect(signalMark({ ...base, explanation }).text).toBe('B rsi(period=14)−');
    expect(
      signalMark({
        ...base,
        explanation: {
          ...explanation,
          top: [{ feature: 'cs-rank(return(window=5))', value: 0.9, contribution: 0.01 }],
        },
      }).text,
    ).toBe('B cs-rank(return(wi…+');
    expect(signalMark(base).text).toBe('B');
    expect(signalMark({ ...base, side: 'sell', reason: 'stop', explanation }).text).toBe('S stop');
  });
});

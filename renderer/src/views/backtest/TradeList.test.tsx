import { describe, expect, it } from 'vitest';
import { shortFeature, whyText } from './TradeList';

describe('trade list explanations', () => {
  it('shortens feature labels to their name and parameter values, within the width', () => {
    expect(shortFeature('rsi(period=14)')).toBe('rsi 14');
    expect(shortFeature('return(window=5)')).toBe('return 5');
    expect(shortFeature('logvol')).toBe('logvol');
    expect(shortFeature('a-very-long-feature-name')).toBe('a-very-long-f…');
    expect(shortFeature('bollinger(period=20,k=2)', 20)).toBe('bollinger 20,2');
  });

  it('writes the full why as prediction = base + each contribution with its value', () => {
    const text = whyText({
      modelId: 'm-1',
      prediction: 0.0123,
      base: 0.001,
      top: [
        { feature: 'rsi(period=14)', value: 63.2, contribution: 0.005 },
        { feature: 'pbr', value: null, contribution: -0.0021 },
      ],
    });
    expect(text).toBe(
      'prediction 0.01230 = base 0.001000 + rsi(period=14) +0.00500 (value 63.20) + pbr −0.00210 (value missing) + …',
    );
  });
});

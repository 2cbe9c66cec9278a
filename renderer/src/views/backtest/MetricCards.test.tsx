import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BacktestMetrics } from '../../../../core/contract';
import { MetricCards } from './MetricCards';

afterEach(cleanup);

const metrics: BacktestMetrics = {
  finalEquity: 1100,
  totalReturn: 0.1,
  cagr: 0.05,
  volatility: 0.2,
  sharpe: 1.23,
  sortino: 1.5,
  calmar: 0.8,
  maxDrawdown: -0.1,
  maxDrawdownDuration: 143,
  var95: -0.0213,
  cvar95: -0.0341,
  winRate: 0.5,
  profitFactor: 1.4,
  trades: 1,
  exposure: 0.5,
  turnover: 2,
  alpha: 0.034,
  beta: 0.82,
  informationRatio: 0.41,
};

describe('metric cards (issue 11: the engine computes alpha, beta, VaR, CVaR and drawdown duration; the UI showed none)', () => {
  it('shows alpha, beta, VaR, CVaR, drawdown duration and information ratio', () => {
    const { container } = render(<MetricCards metrics={metrics} />);
    const card = (k: string) => container.querySelector(`[data-metric="${k}"] .value`)?.textContent;
    expect(card('alpha')).toMatch(/^\+3\.40\s?%$/);
    expect(card('beta')).toBe('0.82');
    expect(card('var95')).toMatch(/^-2\.13\s?%$/);
    expect(card('cvar95')).toMatch(/^-3\.41\s?%$/);
    expect(card('maxDrawdownDuration')).toBe('143 bars');
    expect(card('informationRatio')).toBe('0.41');
  });

  it('shows a dash for a run without a benchmark, or stored before the information ratio existed', () => {
    const { informationRatio: _ir, ...old } = metrics;
    const { container } = render(<MetricCards metrics={{ ...old, alpha: null, beta: null }} />);
    for (const k of ['alpha', 'beta', 'informationRatio'])
      expect(container.querySelector(`[data-metric="${k}"]`)?.getAttribute('data-value')).toBe('');
  });
});

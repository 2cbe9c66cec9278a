import { cleanup, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelDuelView, WindowApi } from '../../../../core/contract';
import { useLiveStore } from '../../stores/live-store';
import { ChampionChallenger } from './ChampionChallenger';

afterEach(cleanup);

function fakeApi(duel: ModelDuelView | null): void {
  const api = {
    invoke: async () => ({ ok: true, value: { duel } }),
    on: () => () => undefined,
  } as unknown as WindowApi;
  (window as unknown as { api: WindowApi }).api = api;
}

const strategy = { mode: 'top-k', topK: 2, nDrop: 1, rebalance: 'weekly', short: false, threshold: 0 } as const;

const metrics = (modelId: string, totalReturn: number, rankIc: number | null, own: object = {}) => ({
  modelId,
  strategy: { ...strategy, ...own },
  totalReturn,
  maxDrawdown: 0.05,
  hitRate: 0.5,
  rankIc,
  signals: 12,
  steps: 130,
});

describe('champion vs challenger panel', () => {
  it("compares both versions' strategies and live metrics side by side and shows the canary's account", async () => {
    useLiveStore.setState({ isRunning: false });
    fakeApi({
      mode: 'canary',
      fraction: 0.25,
      champion: metrics('m-champion01', 0.1234, 0.051),
      challenger: metrics('m-challenge2', -0.02, null, { topK: 3, short: true, rebalance: 'monthly' }),
      canaryAccount: {
        cash: 1,
        equity: 24_500,
        grossExposure: 0,
        dayStartEquity: 25_000,
        realized: 0,
        unrealized: 0,
      } as never,
    });
    const { container, findByTestId } = render(<ChampionChallenger />);
    await findByTestId('champion-challenger');
    const rows = Array.from(container.querySelectorAll('tbody tr'), (tr) =>
      Array.from(tr.querySelectorAll('td'), (td) => td.textContent),
    );
    // A challenger on its own top-k params says so.
    expect(rows[0]).toEqual(['Strategy', 'top 2 · drop 1 · weekly', 'top 3 + short 3 · drop 1 · monthly']);
    expect(rows[1]).toEqual(['Return (virtual book)', '12.34%', '-2.00%']);
    expect(rows[4]).toEqual(['Live rank IC', '0.0510', '–']);
    expect(container.textContent).toContain('canary trades 25% of capital');
    expect(rows.at(-1)?.[0]).toBe('Canary account equity');
  });

  it('renders nothing when the session runs no challenger', async () => {
    fakeApi(null);
    const { container } = render(<ChampionChallenger />);
    await waitFor(() => expect(container.innerHTML).toBe(''));
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeskActionReport, DeskOverview } from '../../../core/contract';
import { DESK_REPAINT_MS, killDesk, loadDesk, subscribeDesk, useDeskStore } from './desk-store';
import { installFakeApi } from './test-api';

function overview(equity: number): DeskOverview {
  return {
    at: equity,
    books: [],
    totals: { equity, dayPnl: 0, grossExposure: 0, netExposure: 0, capital: 0 },
    bySector: [],
    byBook: [],
    limits: {},
    usage: { grossExposure: null, netExposure: null, dailyLoss: null },
    killSwitch: { tripped: false, reason: null, at: null },
  };
}

beforeEach(() =>
  useDeskStore.setState({
    overview: null,
    tab: 'overview',
    book: null,
    detail: null,
    preview: null,
    report: null,
    error: null,
  }),
);
afterEach(() => vi.useRealTimers());

describe('desk store', () => {
  it('repaints the pushed overview at most every DESK_REPAINT_MS, always ending on the latest', () => {
    vi.useFakeTimers();
    const fake = installFakeApi({});
    const frames: (() => void)[] = [];
    const off = subscribeDesk((cb) => frames.push(cb));
    const runFrames = () => frames.splice(0).forEach((f) => f());
    fake.emit('desk:changed', overview(1));
    vi.advanceTimersByTime(0);
    runFrames();
    expect(useDeskStore.getState().overview?.totals.equity).toBe(1);
    for (let i = 2; i <= 5; i++) fake.emit('desk:changed', overview(i));
    vi.advanceTimersByTime(DESK_REPAINT_MS - 10);
    runFrames();
    expect(useDeskStore.getState().overview?.totals.equity).toBe(1);
    vi.advanceTimersByTime(10);
    runFrames();
    expect(useDeskStore.getState().overview?.totals.equity).toBe(5);
    off();
    expect(fake.listenerCount('desk:changed')).toBe(0);
  });

  it('loads the overview from the host and keeps what the kill switch reported for its dialog', async () => {
    const report: DeskActionReport = {
      books: [{ book: 'A', running: false, ordersCancelled: 2, ordersSubmitted: 0, feedStopped: true, broker: null }],
      openPositions: 3,
      grossExposure: 10,
      killSwitch: { tripped: true, reason: 'manual', at: 1 },
    };
    const fake = installFakeApi({
      'desk:overview': () => ({ ok: true, value: overview(7) }),
      'desk:kill': () => ({ ok: true, value: report }),
    });
    await loadDesk();
    expect(useDeskStore.getState().overview?.totals.equity).toBe(7);
    await killDesk('manual');
    expect(useDeskStore.getState().report).toEqual({ title: 'Desk kill switch tripped', value: report });
    expect(fake.calls.map((c) => c.channel)).toEqual(['desk:overview', 'desk:kill', 'desk:overview']);
  });
});

import { describe, expect, it } from 'vitest';
import { makePanel } from '../../backtest/fixtures';
import { ReplayFeed } from './replay';

const DAY = 86_400_000;
const closes = Array.from({ length: 60 }, (_, i) => 10 + i);
const panel = makePanel([{ symbol: 'A', open: closes, close: closes }]);
const t0 = Date.UTC(2020, 0, 1);

function run(feed: ReplayFeed) {
  const times: number[] = [];
  feed.start({ bars: (s) => times.push(s[0].time), ticks: () => {}, status: () => {}, issue: () => {} });
  return times;
}

describe('ReplayFeed at a speed', () => {
  it('delivers the steps a resumed session already traded at once, then keeps its pace', async () => {
    // 2 steps a second: without the catch-up, step 51 would come 25 s after the start.
    const feed = new ReplayFeed({ panel, speed: 2, catchUpUntil: t0 + 50 * DAY });
    const times = run(feed);
    await new Promise((r) => setTimeout(r, 150));
    // Steps 0..50 caught up, then the first paced step (51) at once; the next one only after 500 ms.
    expect(times).toEqual(Array.from({ length: 52 }, (_, i) => t0 + i * DAY));
    await feed.stop();
    expect(times.length).toBe(52);
  });

  it('paces every step without a catch-up', async () => {
    const feed = new ReplayFeed({ panel, speed: 2 });
    const times = run(feed);
    await new Promise((r) => setTimeout(r, 150));
    expect(times).toEqual([t0]);
    await feed.stop();
  });

  it('stops at once during a slow pace, without waiting for the next step', async () => {
    // One step every 1,000 s: stop used to wait for the pending step's timer before the feed closed.
    const feed = new ReplayFeed({ panel, speed: 0.001 });
    const closed: string[] = [];
    const times: number[] = [];
    feed.start({
      bars: (step) => times.push(step[0].time),
      ticks: () => {},
      status: (s) => closed.push(`${s.state} ${s.detail ?? ''}`),
      issue: () => {},
    });
    await new Promise((r) => setTimeout(r, 20));
    const t = performance.now();
    await feed.stop();
    expect(performance.now() - t).toBeLessThan(1000);
    expect(times).toEqual([t0]);
    expect(closed.at(-1)).toBe('closed stopped');
  });
});

import { describe, expect, it } from 'vitest';
import { createFrameBatcher, createLatestBatcher } from './batch';

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => queue.push(cb),
    get scheduled() {
      return queue.length;
    },
    tick() {
      const cbs = queue.splice(0);
      for (const cb of cbs) cb();
    },
  };
}

describe('frame batching', () => {
  it('delivers every item of a frame once, in order, with one scheduled frame', () => {
    const frames = manualFrames();
    const got: number[][] = [];
    const b = createFrameBatcher<number>((items) => got.push(items), frames.schedule);
    for (let i = 0; i < 1000; i++) b.push(i);
    expect(frames.scheduled).toBe(1);
    expect(got).toHaveLength(0);
    frames.tick();
    expect(got).toHaveLength(1);
    expect(got[0]).toHaveLength(1000);
    expect(got[0][999]).toBe(999);
    b.push(1000);
    frames.tick();
    expect(got[1]).toEqual([1000]);
  });
  it('flushes on demand and ignores pushes after dispose', () => {
    const frames = manualFrames();
    const got: string[][] = [];
    const b = createFrameBatcher<string>((items) => got.push(items), frames.schedule);
    b.push('a');
    b.flush();
    expect(got).toEqual([['a']]);
    b.dispose();
    b.push('b');
    frames.tick();
    expect(got).toEqual([['a']]);
  });
  it('keeps only the latest item per key within a frame', () => {
    const frames = manualFrames();
    const got: Map<string, { s: string; p: number }>[] = [];
    const b = createLatestBatcher<{ s: string; p: number }>(
      (t) => t.s,
      (m) => got.push(m),
      frames.schedule,
    );
    b.push({ s: 'AAA', p: 1 });
    b.push({ s: 'BBB', p: 5 });
    b.push({ s: 'AAA', p: 2 });
    expect(b.pending).toBe(2);
    frames.tick();
    expect(got).toHaveLength(1);
    expect(got[0].get('AAA')!.p).toBe(2);
    expect(got[0].get('BBB')!.p).toBe(5);
  });
});

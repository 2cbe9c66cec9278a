import { describe, expect, it } from 'vitest';
import { createFinishWaiter } from './finish-waiter';

describe('finish waiter', () => {
  it('resolves a wait when its event comes later', async () => {
    const w = createFinishWaiter<string>();
    const p = w.wait('a');
    w.finished('b', 'other');
    w.finished('a', 'done');
    expect(await p).toBe('done');
  });
  it('remembers an event that came before the wait, once', async () => {
    const w = createFinishWaiter<number>();
    w.finished('x', 7);
    expect(await w.wait('x')).toBe(7);
    let settled = false;
    void w.wait('x').then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
  });
});

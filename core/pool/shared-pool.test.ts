import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolJob } from './protocol';
import { SharedPool } from './shared-pool';
import { createThreadPool } from './thread-pool';
import { buildWorkerEntry } from './test-support';
import type { Pool } from './types';

let entry: string;
beforeAll(async () => {
  entry = await buildWorkerEntry();
});

const spin = (value: number, ms = 0): PoolJob => ({ kind: 'diag:spin', data: { value, ms } });

describe('SharedPool', () => {
  const created: Pool[] = [];
  const closed: Pool[] = [];
  const create = (size: number) => {
    const p = createThreadPool({ workers: size, dbPath: null, workerEntry: entry });
    const counted: Pool = { size: p.size, run: (j, o) => p.run(j, o), close: () => (closed.push(counted), p.close()) };
    created.push(counted);
    return counted;
  };
  const shared = new SharedPool(create, 2, 100);
  afterAll(() => shared.close());

  it('runs calls of any worker count on one pool, each on at most the workers it asked for', async () => {
    const jobs = Array.from({ length: 60 }, (_, i) => spin(i, 3));
    const one = await shared.view(1).run<{ worker: string }>(jobs);
    expect(new Set(one.map((o) => (o.ok ? o.value.worker : ''))).size).toBe(1);
    const two = await shared.view(2).run<{ worker: string }>(jobs);
    expect(two.every((o) => o.ok)).toBe(true);
    await Promise.all([shared.view(1).run(jobs), shared.view().run(jobs), shared.view(2).run(jobs)]);
    expect(created).toHaveLength(1);
    expect(shared.view(1).size).toBe(1);
    expect(shared.view().size).toBe(2);
  });

  it('refuses more workers than its size, with the bound in the message', () => {
    expect(() => shared.view(3)).toThrow(/workers: expected an integer from 1 to 2/);
    expect(() => shared.view(100_000)).toThrow(RangeError);
    expect(() => shared.view(0)).toThrow(RangeError);
  });

  it('stops its workers when idle and starts them again on the next run', async () => {
    await shared.view().run([spin(1)]);
    expect(shared.isOpen).toBe(true);
    const before = created.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(shared.isOpen).toBe(false);
    expect(closed).toContain(created[before - 1]);
    const out = await shared.view().run<{ square: number }>([spin(3)]);
    expect(out[0]).toMatchObject({ ok: true, value: { square: 9 } });
    expect(created).toHaveLength(before + 1);
  });
});

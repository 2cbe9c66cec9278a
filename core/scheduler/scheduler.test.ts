import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { addJob, checkSchedule, jobHistory } from './jobs';
import { Scheduler, type JobRunner } from './scheduler';
import { connection } from '../store/internal';

let store: Store;
afterEach(() => store?.close());

const H = 3_600_000;

describe('Scheduler', () => {
  it('runs a missed schedule once on wake (catch-up), at the latest missed slot, in the job time zone', async () => {
    store = openStore(':memory:');
    addJob(
      store,
      { name: 'krx', cron: '0 8 * * *', timezone: 'Asia/Seoul', command: ['fetch', 'news'] },
      Date.UTC(2024, 0, 1, 0, 0),
    );
    let now = Date.UTC(2024, 0, 5, 12, 0); // asleep four days
    const ran: number[] = [];
    const s = new Scheduler(store, { now: () => now, run: async () => (ran.push(now), { rowsChanged: 7 }) });
    await Promise.all(s.tick());
    await Promise.all(s.tick());
    expect(ran.length).toBe(1);
    const [run] = jobHistory(store);
    // 08:00 KST on Jan 5th is 23:00 UTC on Jan 4th.
    expect(run).toMatchObject({
      trigger: 'catch-up',
      slotAt: Date.UTC(2024, 0, 4, 23),
      status: 'ok',
      rowsChanged: 7,
      attempt: 1,
    });
    expect(s.nextWakeAt()).toBe(Date.UTC(2024, 0, 5, 23));
    now = Date.UTC(2024, 0, 5, 23, 0, 1);
    await Promise.all(s.tick());
    expect(jobHistory(store)[0]).toMatchObject({ trigger: 'schedule', slotAt: Date.UTC(2024, 0, 5, 23) });
  });

  it('New York schedules follow daylight saving time', () => {
    store = openStore(':memory:');
    const job = addJob(
      store,
      { name: 'ny', cron: '15 17 * * 1-5', timezone: 'America/New_York', command: ['fetch', 'news'] },
      0,
    );
    expect(job.ok).toBe(true);
    const s = new Scheduler(store, { now: () => Date.UTC(2024, 0, 8, 12), run: async () => ({ rowsChanged: 0 }) });
    expect(new Date(s.nextWakeAt()).toISOString()).toBe('2024-01-08T22:15:00.000Z'); // EST, UTC-5
    const summer = new Scheduler(store, { now: () => Date.UTC(2024, 6, 8, 12), run: async () => ({ rowsChanged: 0 }) });
    expect(new Date(summer.nextWakeAt()).toISOString()).toBe('2024-07-08T21:15:00.000Z'); // EDT, UTC-4
    expect(checkSchedule('61 * * * *', 'UTC').ok).toBe(false);
    expect(checkSchedule('0 8 * * *', 'Mars/Olympus').ok).toBe(false);
  });

  it('never overlaps a job with itself, in one process or across two', async () => {
    store = openStore(':memory:');
    addJob(store, { name: 'slow', cron: '* * * * *', timezone: 'UTC', command: ['fetch', 'news'] }, 0);
    let now = 10 * 60_000;
    let release!: () => void;
    let calls = 0;
    const run: JobRunner = () => {
      calls++;
      return new Promise((r) => (release = () => r({ rowsChanged: 1 })));
    };
    const a = new Scheduler(store, { now: () => now, run });
    const b = new Scheduler(store, { now: () => now, run, isAlive: () => true });
    const first = a.tick();
    now += 5 * 60_000; // the next slots come while the first run is still going
    expect(a.tick()).toEqual([]);
    expect(b.tick()).toEqual([]);
    expect(await b.runNow('slow')).toEqual({ busy: true });
    release();
    await Promise.all(first);
    expect(calls).toBe(1);
    const second = a.tick();
    expect(calls).toBe(2);
    release();
    await Promise.all(second);
  });

  it('retries a failing job with exponential backoff up to maxRetries, then waits for the next slot', async () => {
    store = openStore(':memory:');
    addJob(
      store,
      {
        name: 'flaky',
        cron: '0 0 * * *',
        timezone: 'UTC',
        command: ['fetch', 'news'],
        maxRetries: 2,
        backoffMs: 60_000,
      },
      -H,
    );
    let now = Date.UTC(1970, 0, 1, 1);
    const s = new Scheduler(store, { now: () => now, run: async () => Promise.reject(new Error('HTTP 503')) });
    await Promise.all(s.tick());
    expect(s.nextWakeAt()).toBe(now + 60_000);
    now += 59_000;
    expect(s.tick()).toEqual([]);
    now += 1_000;
    await Promise.all(s.tick());
    expect(s.nextWakeAt()).toBe(now + 120_000);
    now += 120_000;
    await Promise.all(s.tick());
    now += 10 * 60_000;
    expect(s.tick()).toEqual([]); // attempts exhausted
    expect(jobHistory(store).map((r) => [r.attempt, r.trigger, r.status, r.error])).toEqual([
      [3, 'retry', 'failed', 'HTTP 503'],
      [2, 'retry', 'failed', 'HTTP 503'],
      [1, 'catch-up', 'failed', 'HTTP 503'],
    ]);
  });

  it('marks a run whose process died as abandoned and retries it at once', async () => {
    store = openStore(':memory:');
    const job = addJob(store, { name: 'j', cron: '0 0 * * *', timezone: 'UTC', command: ['fetch', 'news'] }, 0);
    expect(job.ok).toBe(true);
    const now = Date.UTC(1970, 0, 2, 1);
    connection(store)
      .prepare(
        "INSERT INTO job_runs(job_id, slot_at, attempt, trigger, started_at, status, pid, host) VALUES (1, ?, 1, 'schedule', ?, 'running', 999999, ?)",
      )
      .run(Date.UTC(1970, 0, 2), now - 1000, (await import('node:os')).hostname());
    connection(store)
      .prepare('UPDATE jobs SET last_slot_at = ?')
      .run(Date.UTC(1970, 0, 2));
    const s = new Scheduler(store, {
      now: () => now,
      run: async () => ({ rowsChanged: 3 }),
      isAlive: (pid) => pid !== 999999,
    });
    await Promise.all(s.tick());
    expect(jobHistory(store).map((r) => [r.attempt, r.trigger, r.status])).toEqual([
      [2, 'retry', 'ok'],
      [1, 'schedule', 'abandoned'],
    ]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { UserAlertService } from '../alerts-user/service';
import { UserAlertInput, type UserAlertFire } from '../model/desk';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { addJob } from './jobs';
import { alertingRunner } from './host';
import { Scheduler, type JobRunner } from './scheduler';

let store: Store;
afterEach(() => store?.close());

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

function csv(startDay: number, closes: readonly number[]): string {
  const rows = closes.map(
    (c, i) => `AAA,${new Date(T0 + (startDay + i) * DAY).toISOString().slice(0, 10)},${c},${c},${c},${c},1000`,
  );
  return `symbol,date,open,high,low,close,volume\n${rows.join('\n')}\n`;
}

describe('scheduled fetches and the user alert pass', () => {
  it('bars a scheduled run stores are judged by the user alert rules right after the run', async () => {
    store = openStore(':memory:');
    const fires: UserAlertFire[] = [];
    const alerts = new UserAlertService(store, { alert: () => undefined, fired: (f) => fires.push(f) });
    const first = await importCsv(store, 'bars', { fileName: 'a.csv', content: csv(0, [10, 10, 10]) });
    expect(first.ok).toBe(true);
    alerts.save(
      UserAlertInput.parse({
        symbol: 'AAA',
        condition: { op: 'crosses-above', left: { kind: 'price' }, right: 11 },
        mode: 'every',
      }),
    );
    alerts.onStored();
    // What a `fetch` job does: store bars, report the rows it changed. The second run stores nothing new.
    let day = 3;
    const fetchLike: JobRunner = async () => {
      const r = await importCsv(store, 'bars', { fileName: 'f.csv', content: csv(day, [10, 12]) });
      if (!r.ok) throw new Error('import');
      return { rowsChanged: r.value.changed };
    };
    let passes = 0;
    const s = new Scheduler(store, {
      run: alertingRunner(fetchLike, () => {
        passes++;
        alerts.onStored();
      }),
    });
    addJob(store, { name: 'eod', cron: '0 22 * * *', timezone: 'UTC', command: ['fetch', 'x'] }, 0);
    await s.runNow('eod');
    // The cross on day 4 fired as the run ended: no import, upload or Jobs-view run was needed.
    await new Promise((r) => setTimeout(r, 0));
    expect(fires.map((f) => [f.time, f.source])).toEqual([[T0 + 4 * DAY, 'import']]);
    await s.runNow('eod');
    expect(passes).toBe(1);
    day = 5;
    await s.runNow('eod');
    await new Promise((r) => setTimeout(r, 0));
    expect(passes).toBe(2);
    expect(fires.map((f) => f.time)).toEqual([T0 + 4 * DAY, T0 + 6 * DAY]);
  });
});

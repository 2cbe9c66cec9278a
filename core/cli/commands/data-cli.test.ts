import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, tempDir } from '../../store/test-helpers';

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'bin', 'quantdesk.js');

describe('the real quantdesk binary: import and query', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'cli'], { cwd: root });
  });

  it('imports the fixture, rejects a bad file with exit 2, and prints the documented JSON', () => {
    const d = tempDir();
    try {
      const db = join(d.dir, 'new', 'q.db');
      const q = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
      for (const kind of ['instruments', 'bars', 'actions', 'fundamentals'] as const) {
        const r = q('import', kind, d.write(`${kind}.csv`, FIXTURE[kind]), '--db', db);
        expect([r.status, r.stderr]).toEqual([0, '']);
      }
      const bad = d.write('bad.csv', 'symbol,date,open,high,low,close,volume\nAAA,2020-01-09,2,1,1,1,1\n');
      const rb = q('import', 'bars', bad, '--db', db);
      expect(rb.status).toBe(2);
      expect(rb.stderr).toContain(`${bad}:2: high: open 2 > high 1`);
      const asof = q(
        'query',
        'asof',
        '--db',
        db,
        '--symbol',
        'AAA',
        '--field',
        'eps',
        '--date',
        '2020-06-01',
        '--json',
      );
      expect(asof.status).toBe(0);
      expect(JSON.parse(asof.stdout)).toEqual({
        symbol: 'AAA',
        field: 'eps',
        date: '2020-06-01',
        value: 1.6,
        period_end: '2020-03-31',
        known_at: '2020-06-01',
      });
      const bars = q('query', 'bars', '--db', db, '--symbol', 'BBB', '--json');
      expect(JSON.parse(bars.stdout)).toEqual([
        { date: '2020-01-02', open: 5, high: 5, low: 5, close: 5, volume: 10 },
        { date: '2020-01-08', open: 5, high: 5, low: 5, close: 5, volume: 10 },
      ]);
      const uni = q('query', 'universe', '--db', db, '--date', '2020-07-01', '--json');
      expect(JSON.parse(uni.stdout)).toEqual(['AAA', 'ZZZ']);
      const usage = q('query', 'bars', '--db', db);
      expect(usage.status).toBe(2);
      expect(usage.stdout).toBe('');
    } finally {
      d.cleanup();
    }
  });

  it('a directory, /dev/zero or a FIFO as FILE, and a directory or an impossible path as --db: exit 2 at once, one clear line, no stack', () => {
    const d = tempDir();
    try {
      const fifo = join(d.dir, 'pipe.csv');
      execFileSync('mkfifo', [fifo]);
      const file = d.write('i.csv', FIXTURE.instruments);
      const db = join(d.dir, 'q.db');
      const q = (...args: string[]) =>
        spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 15_000 });
      for (const [args, message] of [
        [['instruments', d.dir, '--db', db], `${d.dir}: is a directory, not a file`],
        [['bars', '/dev/zero', '--db', db], '/dev/zero: is a device, not a regular file'],
        [['instruments', '/dev/zero', '--db', db], '/dev/zero: is a device, not a regular file'],
        [['bars', fifo, '--db', db], `${fifo}: is a FIFO (named pipe), not a regular file`],
        [['instruments', file, '--db', d.dir], `--db ${d.dir}: is a directory`],
        [
          ['instruments', file, '--db', '/proc/nope/x.db'],
          '--db /proc/nope/x.db: cannot create directory /proc/nope (ENOENT)',
        ],
      ] as const) {
        const r = q('import', ...args);
        expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
        expect(r.stderr).toContain(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stderr.split('\n').length).toBeLessThanOrEqual(2);
      }
    } finally {
      d.cleanup();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations';
import { openStore } from './sqlite-bar-store';
import { connection } from './internal';

describe('openStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('applies every migration once, in WAL mode with foreign keys on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-store-'));
    dirs.push(dir);
    const path = join(dir, 'a.db');
    const s = openStore(path);
    expect(s.schemaVersion).toBe(MIGRATIONS.length);
    expect(connection(s).pragma('journal_mode', { simple: true })).toBe('wal');
    expect(connection(s).pragma('foreign_keys', { simple: true })).toBe(1);
    connection(s).prepare("INSERT INTO instruments(symbol) VALUES ('AAA')").run();
    s.close();
    const again = openStore(path);
    expect(again.schemaVersion).toBe(MIGRATIONS.length);
    expect(connection(again).prepare('SELECT count(*) n FROM instruments').get()).toEqual({ n: 1 });
    expect(() => connection(again).prepare('INSERT INTO bars VALUES (999, 0, 1, 1, 1, 1, 1)').run()).toThrow(
      /FOREIGN KEY/,
    );
    again.close();
  });

  it('refuses a database from a newer version instead of guessing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-store-'));
    dirs.push(dir);
    const path = join(dir, 'b.db');
    const s = openStore(path);
    connection(s).pragma(`user_version = ${MIGRATIONS.length + 5}`);
    s.close();
    expect(() => openStore(path)).toThrow(/newer than this QuantDesk/);
  });
});

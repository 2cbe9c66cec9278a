import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePanel } from '../backtest/fixtures';
import { pitFieldCacheFile, readPitFieldFile, writePitFieldFile } from '../strategies/pit-facts-cache';
import { cacheFolderOf, panelCacheFile, readPanelFile, writePanelFile } from './panel-cache';

describe('disk caches find their folder portably', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('takes the folder of a Windows path by Windows rules', () => {
    const file = 'C:\\Users\\pm\\QuantDesk\\qd.db.qdcache\\abc-pit.qdp';
    expect(cacheFolderOf(file, path.win32)).toBe('C:\\Users\\pm\\QuantDesk\\qd.db.qdcache');
    expect(cacheFolderOf('D:\\qd.db.qdcache\\x.pit', path.win32)).toBe('D:\\qd.db.qdcache');
    expect(cacheFolderOf('/home/pm/qd.db.qdcache/x.qdp', path.posix)).toBe('/home/pm/qd.db.qdcache');
  });

  it('writes and reads back the panel and PIT caches beside the database', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qd-cache-'));
    dirs.push(dir);
    const db = path.join(dir, 'qd.db');
    const panel = makePanel([{ symbol: 'AAA', open: [1, 2, 3], close: [1.5, 2.5, 3.5] }]);
    const file = panelCacheFile(db, 'fp1-k1');
    writePanelFile(file, panel, 'fp1');
    expect(readPanelFile(file, 'fp1')?.symbols).toEqual(['AAA']);
    const pit = pitFieldCacheFile(db, 'fp1', 'eps', ['AAA']);
    writePitFieldFile(
      pit,
      {
        offsets: Int32Array.from([0, 1]),
        knownAt: Float64Array.of(1),
        periodEnd: Float64Array.of(0),
        value: Float64Array.of(2),
      } as never,
      'fp1',
    );
    expect(readdirSync(path.dirname(pit)).some((n) => n.endsWith('.pit'))).toBe(true);
    expect(readPitFieldFile(pit, 'eps', 1)?.value[0]).toBe(2);
  });
});

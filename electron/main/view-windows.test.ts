import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));
vi.mock('./window', () => ({ createMainWindow: vi.fn() }));
const { readViewSet, writeViewSet } = await import('./view-windows');

describe('the torn-off view set', () => {
  it('round-trips, and keeps only valid view names from a tampered file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-views-'));
    try {
      const file = join(dir, 'view-windows.json');
      expect(readViewSet(file)).toEqual([]);
      writeViewSet(file, ['watchlist', 'alerts']);
      expect(readViewSet(file)).toEqual(['watchlist', 'alerts']);
      writeFileSync(file, JSON.stringify(['chart', '../../etc', 'x#y', 3, 'chart', 'screener']));
      expect(readViewSet(file)).toEqual(['chart', 'screener']);
      writeFileSync(file, '{not json');
      expect(readViewSet(file)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

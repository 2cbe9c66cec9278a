import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefaultDataset } from '../dataset/default';
import { openStore } from '../store/sqlite-bar-store';
import { connection } from '../store/internal';

/** Test helper: a temp folder holding `d.db`, the default dataset's generator on a small market (8 names, 2019–2021) plus SPX. */
export async function smallDefaultDb(prefix: string): Promise<{
  dir: string;
  db: string;
  symbols: string[];
  write(name: string, value: unknown): string;
  cleanup(): void;
}> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = join(dir, 'd.db');
  const store = openStore(db);
  const r = await loadDefaultDataset(store, {
    market: { seed: 20251231, instruments: 8, start: '2019-01-01', end: '2021-12-31' },
  });
  if (!r.ok) throw new Error(r.error.message);
  const symbols = connection(store)
    .prepare("SELECT symbol FROM instruments WHERE symbol <> 'SPX' ORDER BY symbol")
    .pluck()
    .all() as string[];
  store.close();
  return {
    dir,
    db,
    symbols,
    write(name, value) {
      const p = join(dir, name);
      writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

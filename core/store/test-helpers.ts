import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCsv } from './import';
import type { Store } from './sqlite-bar-store';

/** Test helper: a temp directory with a `write(name, text)` and `cleanup()`. Used by store and data tests. */
export function tempDir(prefix = 'qd-data-'): {
  dir: string;
  write(name: string, text: string): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small market with a split, a dividend, a late-known dividend, restatements, an IPO and a delisting. */
export const FIXTURE = {
  instruments: `symbol,name,sector,currency,listed_on,delisted_on
AAA,Alpha,Tech,USD,2019-01-01,
BBB,Beta,Energy,USD,2019-01-01,2020-06-30
CCC,Gamma,Tech,USD,2021-01-01,
`,
  bars: `symbol,date,open,high,low,close,volume
AAA,2020-01-02,10,10,10,10,100
AAA,2020-01-03,11,11,11,11,100
AAA,2020-01-06,6,6,6,6,200
AAA,2020-01-07,6.2,6.2,6.2,6.2,200
AAA,2020-01-08,6.3,6.3,6.3,6.3,200
BBB,2020-01-02,5,5,5,5,10
BBB,2020-01-08,5,5,5,5,10
ZZZ,2020-01-03,1,1,1,1,1
`,
  actions: `symbol,kind,ex_date,value,known_at
AAA,split,2020-01-06,2,2019-12-20
AAA,dividend,2020-01-07,0.3,2020-01-07
AAA,dividend,2020-01-08,0.5,2020-02-01
`,
  fundamentals: `symbol,field,period_end,value,known_at
AAA,eps,2019-12-31,1.0,2020-02-15
AAA,eps,2019-12-31,1.1,2020-05-01
AAA,eps,2020-03-31,1.5,2020-04-30
AAA,eps,2020-03-31,1.6,2020-06-01
BBB,eps,2020-03-31,0.7,2020-05-20
`,
};

/** Loads {@link FIXTURE} into a store. */
export async function loadFixture(s: Store): Promise<void> {
  for (const kind of ['instruments', 'bars', 'actions', 'fundamentals'] as const) {
    const r = await importCsv(s, kind, { fileName: `${kind}.csv`, content: FIXTURE[kind] });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  }
}

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../model/time';
import { crossSectionAsOf } from '../store/cross-section';
import { openStore } from '../store/sqlite-bar-store';
import { rng } from './fixtures';
import { loadPitFacts, pitRowAt } from './pit-facts';
import { connection } from '../store/internal';

const T0 = Date.UTC(2020, 0, 1);

describe('loadPitFacts', () => {
  it('agrees with the data layer crossSectionAsOf at every date, restatements and late old-period revisions included', () => {
    const store = openStore(':memory:');
    const r = rng(9);
    const symbols = ['A', 'B', 'C', 'D', 'E'];
    symbols.forEach((s, i) =>
      connection(store)
        .prepare('INSERT INTO instruments (id, symbol) VALUES (?, ?)')
        .run(i + 10, s),
    );
    const ins = connection(store).prepare('INSERT OR IGNORE INTO fundamentals VALUES (?, ?, ?, ?, ?)');
    for (let i = 0; i < symbols.length - 1; i++) {
      // E has no rows at all
      for (let k = 0; k < 40; k++) {
        const periodEnd = T0 + Math.floor(r() * 300) * DAY_MS;
        const knownAt = periodEnd + Math.floor(r() * 60) * DAY_MS;
        ins.run(i + 10, 'eps', periodEnd, knownAt, r() * 10);
        ins.run(i + 10, 'other', periodEnd, knownAt, 1);
      }
    }
    // A panel order different from the store's, and a symbol the store doesn't know
    const order = ['C', 'A', 'E', 'ZZ', 'B', 'D'];
    const facts = loadPitFacts(store, order, ['eps']);
    const f = facts.fields.get('eps')!;
    expect(facts.fields.has('other')).toBe(false);
    expect(facts.universe).toBeNull();
    let checked = 0;
    for (let d = -5; d < 400; d += 3) {
      const date = T0 + d * DAY_MS;
      const cs = crossSectionAsOf(store, 'eps', date, symbols);
      symbols.forEach((sym, k) => {
        const row = pitRowAt(f, order.indexOf(sym), date);
        const ours = row < 0 ? Number.NaN : f.value[row];
        expect(ours, `${sym} at day ${d}`).toEqual(cs.value[k]);
        if (!Number.isNaN(ours)) {
          expect(f.knownAt[row]).toBe(cs.knownAt[k]);
          checked++;
        }
      });
    }
    expect(checked).toBeGreaterThan(300);
    expect(pitRowAt(f, order.indexOf('ZZ'), T0 + 500 * DAY_MS)).toBe(-1);
    store.close();
  });

  it('loads a named universe and refuses one without members', () => {
    const store = openStore(':memory:');
    connection(store).prepare("INSERT INTO instruments (id, symbol) VALUES (1, 'A'), (2, 'B')").run();
    connection(store)
      .prepare(
        "INSERT INTO universes (name, instrument_id, valid_from, valid_to, known_at) VALUES ('IDX', 2, 100, NULL, 50), ('IDX', 1, 0, 200, 0)",
      )
      .run();
    const facts = loadPitFacts(store, ['A', 'B'], [], 'IDX');
    const u = facts.universe!;
    expect(Array.from(u.offsets)).toEqual([0, 1, 2]);
    expect(Array.from(u.validTo)).toEqual([200, Number.NaN]);
    expect(Array.from(u.knownAt)).toEqual([0, 50]);
    expect(() => loadPitFacts(store, ['A'], [], 'NOPE')).toThrow(/universe "NOPE" has no members/);
    store.close();
  });

  it('caches each field index beside a file database and drops it when the data changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-pit-'));
    try {
      const path = join(dir, 'f.db');
      const store = openStore(path);
      connection(store).prepare("INSERT INTO instruments (id, symbol) VALUES (1, 'A'), (2, 'B')").run();
      const ins = connection(store).prepare('INSERT INTO fundamentals VALUES (?, ?, ?, ?, ?)');
      ins.run(1, 'eps', 10, 20, 1.5);
      ins.run(2, 'eps', 10, 25, 2.5);
      ins.run(2, 'eps', 10, 30, 3.5);
      const first = loadPitFacts(store, ['B', 'A'], ['eps']).fields.get('eps')!;
      expect(readdirSync(join(dir, 'f.db.qdcache')).filter((n) => n.endsWith('.pit'))).toHaveLength(1);
      const again = loadPitFacts(store, ['B', 'A'], ['eps']).fields.get('eps')!;
      for (const k of ['offsets', 'knownAt', 'periodEnd', 'value'] as const)
        expect(Array.from(again[k])).toEqual(Array.from(first[k]));
      expect(Array.from(again.value)).toEqual([2.5, 3.5, 1.5]);
      ins.run(1, 'eps', 40, 50, 9);
      const fresh = loadPitFacts(store, ['B', 'A'], ['eps']).fields.get('eps')!;
      expect(Array.from(fresh.value)).toEqual([2.5, 3.5, 1.5, 9]);
      expect(readdirSync(join(dir, 'f.db.qdcache')).filter((n) => n.endsWith('.pit'))).toHaveLength(1);
      expect(
        Array.from(loadPitFacts(store, ['B', 'A'], ['eps'], undefined, { noCache: true }).fields.get('eps')!.value),
      ).toEqual([2.5, 3.5, 1.5, 9]);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

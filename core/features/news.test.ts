import { afterEach, describe, expect, it } from 'vitest';
import { seedPlanted } from '../models/test-store';
import { Prng } from '../optimize/prng';
import { instrumentId } from '../store/queries';
import { newsWriters } from '../store/news';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { evaluateBatch, type FeatureSource } from './batch';
import { resolveFeatures } from './defs';
import { storeFeatureMatrix } from './matrix';
import { buildNewsEvents, type NewsEvents } from './news';
import { FeatureStream } from './stream';
import { barsAt, testSource } from './test-panel';

const DAY = 86_400_000;

/** Random articles for the panel's symbols: times anywhere in the day, a fifth unscored. */
function articles(src: FeatureSource, n: number, seed: number) {
  const prng = new Prng(seed);
  const { time, symbols } = src.panel;
  return Array.from({ length: n }, () => ({
    symbol: symbols[Math.floor(prng.next() * symbols.length)],
    at: time[0] + Math.floor(prng.next() * (time[time.length - 1] - time[0] + DAY)),
    sentiment: prng.next() < 0.2 ? null : Math.round((prng.next() * 2 - 1) * 1000) / 1000,
  }));
}

function streamAll(src: FeatureSource, feats: ReturnType<typeof resolveFeatures>): Float64Array[] {
  const { panel } = src;
  const st = new FeatureStream(
    feats.map((f) => f.expr),
    panel.nInst,
    src.fields,
    { news: src.news ?? null },
  );
  const out = feats.map(() => new Float64Array(panel.nInst * panel.nDays));
  for (let t = 0; t < panel.nDays; t++)
    st.next(barsAt(panel, t)).forEach((v, j) => {
      for (let s = 0; s < panel.nInst; s++) out[j][s * panel.nDays + t] = v[s];
    });
  return out;
}

const DEFS = [
  { name: 'news_sentiment', days: 3 },
  { name: 'news_sentiment', days: 10 },
  { name: 'news_count' },
  { name: 'cs-zscore', feature: { name: 'news_count', days: 5 } },
];

let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

describe('news features', () => {
  it('batch equals streaming at every bar, and the values are the mean and count of the window', () => {
    const base = testSource(4, 90, 9, 5);
    const rows = articles(base, 400, 3);
    const src: FeatureSource = { ...base, news: buildNewsEvents(base.panel.symbols, rows) };
    const feats = resolveFeatures(DEFS);
    expect(feats.map((f) => f.label)).toEqual([
      'news_sentiment(days=3)',
      'news_sentiment(days=10)',
      'news_count(days=7)',
      'cs-zscore(news_count(days=5))',
    ]);
    const batch = evaluateBatch(
      src,
      feats.map((f) => f.expr),
    );
    const stream = streamAll(src, feats);
    for (let j = 0; j < feats.length; j++)
      for (let i = 0; i < batch[j].length; i++)
        if (!Object.is(batch[j][i], stream[j][i]))
          throw new Error(`${feats[j].label} at ${i}: batch ${batch[j][i]} stream ${stream[j][i]}`);
    // Against a direct count over the stored rows, at every bar of instrument 1.
    const { panel } = src;
    let checked = 0;
    for (let t = 5; t < panel.nDays; t++) {
      const T = panel.time[t];
      const win = rows.filter((r) => r.symbol === 'S1' && r.at <= T && r.at > T - 3 * DAY);
      const scored = win.filter((r) => r.sentiment !== null).map((r) => r.sentiment!);
      const k = panel.nDays + t;
      const week = rows.filter((r) => r.symbol === 'S1' && r.at <= T && r.at > T - 7 * DAY).length;
      expect(batch[2][k]).toBe(week);
      if (scored.length === 0) expect(Number.isNaN(batch[0][k])).toBe(true);
      else {
        expect(batch[0][k]).toBeCloseTo(scored.reduce((a, b) => a + b, 0) / scored.length, 12);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    // No bar, no value: instrument 1 lists on day 5.
    expect(Number.isNaN(batch[2][panel.nDays + 4])).toBe(true);
  });

  it('has no look-ahead: articles that count after T, added or changed, change no value at or before T', () => {
    const base = testSource(3, 80, 4, 0);
    const rows = articles(base, 300, 8);
    const feats = resolveFeatures(DEFS);
    const exprs = feats.map((f) => f.expr);
    const { panel } = base;
    const T = panel.time[40];
    const before = evaluateBatch({ ...base, news: buildNewsEvents(panel.symbols, rows) }, exprs);
    const prng = new Prng(99);
    const future = [
      // Rescored and extra articles after T, one a millisecond after T.
      ...rows.map((r) => (r.at > T ? { ...r, sentiment: prng.next() } : r)),
      ...articles(base, 200, 21).map((r) => ({ ...r, at: Math.max(r.at, T + 1) })),
      { symbol: 'S0', at: T + 1, sentiment: 1 },
    ];
    const ev: NewsEvents = buildNewsEvents(panel.symbols, future);
    const after = evaluateBatch({ ...base, news: ev }, exprs);
    const afterStream = streamAll({ ...base, news: ev }, feats);
    let changedLater = 0;
    for (let j = 0; j < exprs.length; j++)
      for (let s = 0; s < panel.nInst; s++)
        for (let t = 0; t < panel.nDays; t++) {
          const k = s * panel.nDays + t;
          if (panel.time[t] <= T) {
            expect(Object.is(after[j][k], before[j][k])).toBe(true);
            expect(Object.is(afterStream[j][k], before[j][k])).toBe(true);
          } else if (!Object.is(after[j][k], before[j][k])) changedLater++;
        }
    expect(changedLater).toBeGreaterThan(0);
  });

  it('a live stream picks up news stored while it runs and still equals the batch over the final store', () => {
    const base = testSource(3, 70, 12, 0);
    const { panel } = base;
    const rows = articles(base, 250, 5);
    const cut = panel.time[30];
    // Rows "stored" after day 30 all count after it (they became known then), as the news store guarantees.
    const early = rows.filter((r) => r.at <= cut);
    const full = buildNewsEvents(panel.symbols, rows);
    const feats = resolveFeatures(DEFS);
    const batch = evaluateBatch(
      { ...base, news: full },
      feats.map((f) => f.expr),
    );
    const st = new FeatureStream(
      feats.map((f) => f.expr),
      panel.nInst,
      base.fields,
      { news: buildNewsEvents(panel.symbols, early) },
    );
    for (let t = 0; t < panel.nDays; t++) {
      if (t === 31) st.setNews(full);
      const v = st.next(barsAt(panel, t));
      for (let j = 0; j < feats.length; j++)
        for (let s = 0; s < panel.nInst; s++) expect(Object.is(v[j][s], batch[j][s * panel.nDays + t])).toBe(true);
    }
    expect(rows.length - early.length).toBeGreaterThan(50);
  });

  it('reads the news store: an article counts from the later of its publication and when it became known', async () => {
    store = openStore(':memory:');
    const panel = await seedPlanted(store, 3, 40);
    const w = newsWriters(store);
    const sym = panel.symbols[1];
    const id = instrumentId(store, sym)!;
    const d = (t: number) => panel.time[t];
    const put = (key: string, publishedAt: number | null, knownAt: number, sentiment: number | null) =>
      w.link(
        w.insert({
          key,
          feed: 'f',
          title: key,
          link: '',
          summary: '',
          publishedAt,
          knownAt,
          lang: 'en',
          sentiment,
          score: null,
        })!,
        id,
        sym,
      );
    put('early-known-late', d(10), d(20), 0.5); // backfilled: counts from day 20
    put('dated-ahead', d(25), d(22), -0.25); // dated in the future: counts from day 25
    put('plain', null, d(22), 1);
    const { matrix, src } = storeFeatureMatrix(
      store,
      [
        { name: 'news_count', days: 30 },
        { name: 'news_sentiment', days: 30 },
      ],
      {
        noCache: true,
      },
    );
    const s = src.panel.symbols.indexOf(sym);
    const at = (j: number, t: number) => matrix.columns[j][s * src.panel.nDays + src.panel.time.indexOf(d(t))];
    expect([at(0, 19), at(0, 20), at(0, 21), at(0, 22), at(0, 24), at(0, 25)]).toEqual([0, 1, 1, 2, 2, 3]);
    expect(Number.isNaN(at(1, 19))).toBe(true);
    expect(at(1, 22)).toBeCloseTo(0.75, 12);
    expect(at(1, 25)).toBeCloseTo((0.5 + 1 - 0.25) / 3, 12);
  });
});

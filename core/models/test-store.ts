import { formatDate } from '../model/time';
import { importCsv } from '../store/import';
import type { Store } from '../store/sqlite-bar-store';
import { plantedMarket } from './planted';

/** Test support: imports the planted market (`nInst` names × `nDays` days, seed 5) and a book value per name into `store`; returns the panel. */
export async function seedPlanted(store: Store, nInst = 8, nDays = 330) {
  const { panel } = plantedMarket(nInst, nDays, 5, true);
  const ins = [
    'symbol,name,sector,currency,listed_on,delisted_on',
    ...panel.symbols.map((x) => `${x},${x},Tech,USD,,`),
  ];
  const bars = ['symbol,date,open,high,low,close,volume'];
  const fund = ['symbol,field,period_end,value,known_at'];
  for (let i = 0; i < panel.nInst; i++) {
    for (let t = 0; t < panel.nDays; t++) {
      const k = i * panel.nDays + t;
      bars.push(
        `${panel.symbols[i]},${formatDate(panel.time[t])},${panel.open[k]},${panel.high[k]},${panel.low[k]},${panel.close[k]},${Math.round(panel.volume[k])}`,
      );
    }
    for (let t = 30; t < panel.nDays; t += 90)
      fund.push(
        `${panel.symbols[i]},book_value_per_share,${formatDate(panel.time[t - 30])},${10 + i + t / 100},${formatDate(panel.time[t])}`,
      );
  }
  for (const [kind, rows] of [
    ['instruments', ins],
    ['bars', bars],
    ['fundamentals', fund],
  ] as const) {
    const r = await importCsv(store, kind, { fileName: `${kind}.csv`, content: `${rows.join('\n')}\n` });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  }
  return panel;
}

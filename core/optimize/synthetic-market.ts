import { openStore, type Store } from '../store/sqlite-bar-store';
import { Prng } from './prng';
import { rawWriter } from '../store/raw-writer';
import { inTransaction } from '../store/transaction';

const DAY = 86_400_000;

/** Options of {@link createSyntheticStore}. */
export interface SyntheticMarket {
  readonly symbols: number;
  /** Trading days (weekdays from 2015-01-05). */
  readonly days: number;
  readonly seed?: number;
}

/**
 * Creates (or replaces the bars of) a store at `path` holding `symbols` random-walk instruments
 * (`S0000`, `S0001`, …) over `days` weekdays: daily log-returns with drift and volatility drawn per
 * symbol, open/high/low consistent with the close. For tests and benchmarks of sweeps: the data is
 * a deterministic function of the options.
 */
export function createSyntheticStore(path: string, market: SyntheticMarket): Store {
  const store = openStore(path);
  const rng = new Prng(market.seed ?? 1);
  const days: number[] = [];
  for (let t = Date.UTC(2015, 0, 5); days.length < market.days; t += DAY) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) days.push(t);
  }
  const w = rawWriter(store);
  const gauss = () => {
    const u = Math.max(1e-12, rng.next());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  };
  inTransaction(store, () => {
    for (let s = 0; s < market.symbols; s++) {
      const symbol = `S${String(s).padStart(4, '0')}`;
      const id = w.instrument(symbol, symbol, s % 2 ? 'Tech' : 'Energy', 'USD', days[0]);
      const drift = (rng.next() - 0.4) * 0.0008;
      const vol = 0.01 + rng.next() * 0.02;
      let close = 20 + rng.next() * 80;
      for (const t of days) {
        const open = close * Math.exp(vol * 0.3 * gauss());
        close = close * Math.exp(drift + vol * gauss());
        const hi = Math.max(open, close) * (1 + Math.abs(gauss()) * vol * 0.5);
        const lo = Math.min(open, close) * (1 - Math.abs(gauss()) * vol * 0.5);
        w.bar(id, t, round4(open), round4(hi), round4(lo), round4(close), 1000 + Math.floor(rng.next() * 1e5));
      }
    }
    w.recordImport(
      'bars',
      `synthetic:${market.symbols}x${market.days}:${market.seed ?? 1}`,
      'synthetic',
      market.symbols * market.days,
      market.symbols * market.days,
      Date.now(),
    );
  });
  return store;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

import { DAY_MS, formatDate } from '../model/time';

/** The seed of the default dataset. Changing it (or the generator) changes every synthetic number. */
export const DEFAULT_SEED = 20_251_231;

/** Parameters of {@link generateMarket}. */
export interface MarketSpec {
  readonly seed: number;
  readonly instruments: number;
  /** First and last calendar dates (`YYYY-MM-DD`); bars fall on every Monday–Friday between them. */
  readonly start: string;
  readonly end: string;
}

/** The default dataset: 500 instruments in 10 sectors, business days 2015-01-01 .. 2025-12-31. */
export const DEFAULT_MARKET: MarketSpec = {
  seed: DEFAULT_SEED,
  instruments: 500,
  start: '2015-01-01',
  end: '2025-12-31',
};

/** The sectors, in order; instrument i belongs to sector i mod 10. */
export const SECTORS = [
  'Technology',
  'Healthcare',
  'Financials',
  'Energy',
  'Industrials',
  'Consumer Staples',
  'Consumer Discretionary',
  'Utilities',
  'Materials',
  'Communication',
] as const;

/** A generated market as the four CSV texts the import service reads. */
export interface SyntheticMarket {
  readonly instruments: string;
  readonly bars: string;
  readonly actions: string;
  readonly fundamentals: string;
  readonly barCount: number;
}

/**
 * sfc32: small, fast, deterministic across platforms (32-bit integer ops only). State lives in an
 * Int32Array so no step allocates (closure-captured uint32s would be boxed as heap numbers).
 */
function rng(seed: number): () => number {
  const st = Int32Array.of(0x9e3779b9 | 0, 0x243f6a88, 0xb7e15162 | 0, seed | 0);
  const next = (): number => {
    const a = st[0];
    const b = st[1];
    const c = st[2];
    const d = (st[3] + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    st[0] = b ^ (b >>> 9);
    st[1] = (c + (c << 3)) | 0;
    st[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    st[3] = d;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  return next;
}

function normalGen(u: () => number): () => number {
  // Box–Muller gives two normals; the spare waits in a typed array (no boxed double in the closure).
  const spare = new Float64Array(1).fill(Number.NaN);
  return () => {
    const s = spare[0];
    if (s === s) {
      spare[0] = Number.NaN;
      return s;
    }
    let x = 0;
    while (x === 0) x = u();
    const r = Math.sqrt(-2 * Math.log(x));
    const th = 2 * Math.PI * u();
    spare[0] = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

/** Monday–Friday dates from `start` to `end` inclusive, as EpochMs. */
export function businessDays(start: string, end: string): Float64Array {
  const out: number[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += DAY_MS) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(t);
  }
  return Float64Array.from(out);
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10000) / 10000;

/**
 * Generates a deterministic synthetic market (same spec, same bytes): GARCH(1,1) volatility for a
 * market factor, one factor per sector and each stock's own noise (so volatility clusters and stocks
 * of a sector co-move), IPOs after the start, delistings (random, or when the price falls under $1),
 * 2-for-1 / 3-for-1 splits announced 20 business days ahead when a price runs above $400, quarterly
 * cash dividends declared 10 business days before ex, and quarterly fundamentals
 * (book_value_per_share, eps, shares_outstanding) published 25–60 days after the period end with
 * occasional restatements months later. Prices in the bars are raw (they drop on split and ex dates).
 */
export function generateMarket(spec: MarketSpec = DEFAULT_MARKET): SyntheticMarket {
  const u = rng(spec.seed);
  const gauss = normalGen(u);
  const days = businessDays(spec.start, spec.end);
  const nD = days.length;
  const nI = spec.instruments;
  const nS = SECTORS.length;
  const endMs = days[nD - 1];

  // --- instruments
  const symbols: string[] = [];
  const taken = new Set(['SPX']);
  const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  while (symbols.length < nI) {
    const len = u() < 0.6 ? 3 : 4;
    let s = '';
    for (let k = 0; k < len; k++) s += L[Math.floor(u() * 26)];
    if (!taken.has(s)) {
      taken.add(s);
      symbols.push(s);
    }
  }
  const SYL = [
    'ar',
    'bel',
    'cor',
    'dex',
    'en',
    'fal',
    'gen',
    'hal',
    'ix',
    'jor',
    'kin',
    'lum',
    'mar',
    'nov',
    'or',
    'pra',
    'quin',
    'ros',
    'sol',
    'tek',
    'ul',
    'ver',
    'wex',
    'xan',
    'yor',
    'zen',
  ];
  const SUFFIX = ['Holdings', 'Group', 'Corp', 'Inc', 'Industries', 'Systems', 'Partners', 'Labs'];
  const first = new Int32Array(nI); // first bar index
  const last = new Int32Array(nI).fill(nD - 1); // last bar index (inclusive)
  const listedOn = new Float64Array(nI);
  const beta = new Float64Array(nI);
  const load = new Float64Array(nI);
  const drift = new Float64Array(nI);
  const idioVar = new Float64Array(nI);
  const idioLong = new Float64Array(nI);
  const price = new Float64Array(nI);
  const baseVol = new Float64Array(nI);
  const payer = new Uint8Array(nI);
  const yieldPa = new Float64Array(nI);
  const divPhase = new Int32Array(nI);
  const randomDelist = new Int32Array(nI).fill(-1);
  const names: string[] = [];
  for (let i = 0; i < nI; i++) {
    const name = SYL[Math.floor(u() * SYL.length)] + SYL[Math.floor(u() * SYL.length)];
    names.push(`${name[0].toUpperCase()}${name.slice(1)} ${SUFFIX[Math.floor(u() * SUFFIX.length)]}`);
    const ipo = u() < 0.2;
    first[i] = ipo ? 250 + Math.floor(u() * (nD - 500)) : 0;
    // Instruments trading from the start were listed some years before it.
    listedOn[i] = ipo ? days[first[i]] : days[0] - Math.floor(365 * (1 + u() * 20)) * DAY_MS;
    if (u() < 0.08) randomDelist[i] = first[i] + 250 + Math.floor(u() * Math.max(1, nD - first[i] - 300));
    beta[i] = 0.6 + 0.8 * u();
    load[i] = 0.7 + 0.6 * u();
    drift[i] = (u() - 0.4) * 0.0006;
    idioLong[i] = (0.01 + 0.015 * u()) ** 2;
    idioVar[i] = idioLong[i];
    price[i] = Math.exp(Math.log(15) + u() * Math.log(10));
    baseVol[i] = Math.round(2e5 * Math.exp(u() * Math.log(100)));
    payer[i] = u() < 0.55 ? 1 : 0;
    yieldPa[i] = 0.01 + 0.03 * u();
    divPhase[i] = Math.floor(u() * 63);
  }

  // --- bars, day by day so the factors are shared
  const size = nI * nD;
  const O = new Float64Array(size).fill(Number.NaN);
  const H = new Float64Array(size);
  const Lo = new Float64Array(size);
  const C = new Float64Array(size);
  const V = new Float64Array(size);
  const actions: string[] = ['symbol,kind,ex_date,value,known_at'];
  const splitDay = new Int32Array(nI).fill(-1);
  const splitRatio = new Float64Array(nI);
  const lastSplit = new Int32Array(nI).fill(-1000);
  const splits: { ex: number; ratio: number }[][] = Array.from({ length: nI }, () => []);
  const divDay = new Int32Array(nI).fill(-1);
  const divAmt = new Float64Array(nI);
  const mLong = 1e-4;
  let mVar = mLong;
  const sLong = 0.5e-4;
  const sVar = new Float64Array(nS).fill(sLong);
  const sRet = new Float64Array(nS);
  let mRet = 0;
  for (let d = 0; d < nD; d++) {
    // GARCH(1,1): variance reacts to yesterday's squared shock, decays to its long-run level.
    mVar = mLong * 0.02 + 0.1 * mRet * mRet + 0.88 * mVar;
    mRet = 0.0003 + Math.sqrt(mVar) * gauss();
    for (let k = 0; k < nS; k++) {
      sVar[k] = sLong * 0.04 + 0.07 * sRet[k] * sRet[k] + 0.89 * sVar[k];
      sRet[k] = Math.sqrt(sVar[k]) * gauss();
    }
    for (let i = 0; i < nI; i++) {
      if (d < first[i] || d > last[i]) continue;
      const j = i * nD + d;
      const e = Math.sqrt(idioVar[i]) * gauss();
      const r = drift[i] + beta[i] * mRet + load[i] * sRet[i % nS] + e;
      idioVar[i] = idioLong[i] * 0.03 + 0.09 * e * e + 0.88 * idioVar[i];
      let prev = price[i];
      if (splitDay[i] === d) {
        prev /= splitRatio[i];
        baseVol[i] *= splitRatio[i];
        splitDay[i] = -1;
      }
      if (divDay[i] === d) {
        prev = Math.max(prev - divAmt[i], prev * 0.5);
        divDay[i] = -1;
      }
      const sigma = Math.sqrt(mVar + sVar[i % nS] + idioVar[i]);
      const o = r2(prev * Math.exp(0.25 * sigma * gauss()));
      const c = r2(prev * Math.exp(r));
      const h = Math.max(r2(Math.max(o, c) * Math.exp(0.5 * sigma * Math.abs(gauss()))), o, c);
      const l = Math.max(0.01, Math.min(r2(Math.min(o, c) * Math.exp(-0.5 * sigma * Math.abs(gauss()))), o, c));
      O[j] = o;
      H[j] = h;
      Lo[j] = l;
      C[j] = c;
      V[j] = Math.round(baseVol[i] * Math.exp(0.3 * gauss()) * (1 + 20 * Math.abs(r)));
      price[i] = c;
      // Delist the day after: randomly, or when the price falls under $1.
      if (d < nD - 1 && (c < 1 || d === randomDelist[i])) {
        last[i] = d;
        continue;
      }
      if (splitDay[i] < 0 && c > 400 && d - lastSplit[i] > 250 && d + 20 < nD) {
        splitDay[i] = d + 20;
        splitRatio[i] = c > 900 ? 3 : 2;
        lastSplit[i] = d;
        splits[i].push({ ex: days[d + 20], ratio: splitRatio[i] });
        actions.push(`${symbols[i]},split,${formatDate(days[d + 20])},${splitRatio[i]},${formatDate(days[d])}`);
      }
      if (payer[i] && divDay[i] < 0 && d + 10 < nD && (d + divPhase[i]) % 63 === 0 && d + 10 !== splitDay[i]) {
        divDay[i] = d + 10;
        divAmt[i] = Math.max(0.01, r2((c * yieldPa[i]) / 4));
        actions.push(`${symbols[i]},dividend,${formatDate(days[d + 10])},${divAmt[i]},${formatDate(days[d])}`);
      }
    }
  }

  // --- CSV texts, instrument-major (ascending dates per symbol)
  const instruments = ['symbol,name,sector,currency,listed_on,delisted_on'];
  const bars: string[] = ['symbol,date,open,high,low,close,volume'];
  const dateText = Array.from(days, (t) => formatDate(t));
  let barCount = 0;
  for (let i = 0; i < nI; i++) {
    const delisted = last[i] < nD - 1 ? dateText[last[i] + 1] : '';
    instruments.push(`${symbols[i]},${names[i]},${SECTORS[i % nS]},USD,${formatDate(listedOn[i])},${delisted}`);
    const s = symbols[i];
    // One string per instrument keeps the short-lived line strings in the young generation.
    const lines: string[] = [];
    for (let d = first[i]; d <= last[i]; d++) {
      const j = i * nD + d;
      lines.push(`${s},${dateText[d]},${O[j]},${H[j]},${Lo[j]},${C[j]},${V[j]}`);
    }
    barCount += lines.length;
    bars.push(lines.join('\n'));
  }

  // --- fundamentals: quarterly, published with a lag, some restated later
  const fundamentals: string[] = ['symbol,field,period_end,value,known_at'];
  const quarterEnds: number[] = [];
  for (let y = Number(spec.start.slice(0, 4)); y <= Number(spec.end.slice(0, 4)); y++) {
    for (const [m, dd] of [
      [2, 31],
      [5, 30],
      [8, 30],
      [11, 31],
    ])
      quarterEnds.push(Date.UTC(y, m, dd));
  }
  const dayIndexAt = (t: number): number => {
    let lo = 0;
    let hi = nD;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (days[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  };
  for (let i = 0; i < nI; i++) {
    const pe = 10 + 25 * u();
    const pb = 1 + 5 * u();
    const shares0 = Math.round(5e7 * Math.exp(u() * Math.log(40)));
    for (const q of quarterEnds) {
      const d = dayIndexAt(q);
      if (d < first[i] || d > last[i]) continue;
      const lag = 25 + Math.floor(u() * 36);
      const known = q + lag * DAY_MS;
      if (known > endMs) continue;
      // Raw price at period end and the share count after the splits that happened by then.
      const p = C[i * nD + d];
      let mult = 1;
      for (const sp of splits[i]) if (sp.ex <= q) mult *= sp.ratio;
      const values: [string, number][] = [
        ['book_value_per_share', r4((p / pb) * (1 + 0.05 * gauss()))],
        ['eps', r4((p / pe / 4) * (1 + 0.4 * gauss()))],
        ['shares_outstanding', Math.round(shares0 * mult * (1 + (0.002 * (q - days[0])) / (365 * DAY_MS)))],
      ];
      for (const [field, v] of values) {
        fundamentals.push(`${symbols[i]},${field},${formatDate(q)},${v},${formatDate(known)}`);
        if (u() < 0.04) {
          const later = known + (30 + Math.floor(u() * 120)) * DAY_MS;
          if (later <= endMs) {
            const restated =
              field === 'shares_outstanding' ? Math.round(v * (1 + 0.01 * gauss())) : r4(v * (1 + 0.05 * gauss()));
            fundamentals.push(`${symbols[i]},${field},${formatDate(q)},${restated},${formatDate(later)}`);
          }
        }
      }
    }
  }
  return {
    instruments: instruments.join('\n') + '\n',
    bars: bars.join('\n') + '\n',
    actions: actions.join('\n') + '\n',
    fundamentals: fundamentals.join('\n') + '\n',
    barCount,
  };
}

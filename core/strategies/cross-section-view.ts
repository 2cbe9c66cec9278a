import type { Panel } from '../data/panel-types';
import type { CrossSectionView } from '../strategy/types';
import { pitRowAt, type PitFacts, type PitField } from './pit-facts';

/**
 * What a cross-section read, for the run's audit: the latest `known_at` (fundamentals, universe
 * membership) or bar time (prices) behind any value it returned. `latestKnownAt <= date` always; the
 * view throws rather than return a fact from after its date.
 */
export interface CrossSectionAudit {
  /** The decision date (EpochMs). */
  readonly date: number;
  /** Latest `known_at` / bar time of any fact read; -Infinity when nothing was read. */
  readonly latestKnownAt: number;
  /** Number of facts (values) read. */
  readonly factsRead: number;
}

/** A {@link CrossSectionView} that records what it read. */
export interface AuditedCrossSectionView extends CrossSectionView {
  /** The audit record so far (call after the strategy's `weights`). */
  audit(): CrossSectionAudit;
  /** Panel instrument index of a symbol, -1 if not in the panel. */
  indexOf(symbol: string): number;
}

const symbolIndexCache = new WeakMap<Panel, Map<string, number>>();

function symbolIndex(panel: Panel): Map<string, number> {
  let m = symbolIndexCache.get(panel);
  if (!m) {
    m = new Map(panel.symbols.map((s, i) => [s, i]));
    symbolIndexCache.set(panel, m);
  }
  return m;
}

/** Index of the last panel day with `time <= date`, or -1. */
export function dayIndexAtOrBefore(time: Float64Array, date: number): number {
  let lo = 0;
  let hi = time.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] <= date) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The point-in-time cross-section of `panel` and `facts` at `date` (EpochMs): what a cross-sectional
 * strategy may read at that rebalance. Prices come from bars at or before `date`; fundamentals are
 * the latest period's latest version with `known_at <= date`; the universe is the named PIT universe's
 * members known and valid at `date` (or every panel instrument inside its listing window), minus
 * names delisted on or before `date`. Every read is recorded in {@link AuditedCrossSectionView.audit}.
 *
 * The engine creates one per rebalance date; the view is cheap (one binary search over days, the
 * universe scan is O(instruments)).
 */
export function createCrossSectionView(panel: Panel, facts: PitFacts, date: number): AuditedCrossSectionView {
  return new PanelCrossSectionView(panel, facts, date);
}

/** A class rather than a closure bag: one shape and prototype methods keep the factor loops monomorphic. */
class PanelCrossSectionView implements AuditedCrossSectionView {
  readonly date: number;
  readonly universe: string[] = [];
  readonly #panel: Panel;
  readonly #facts: PitFacts;
  readonly #index: Map<string, number>;
  readonly #t: number;
  /** Per instrument, the day of its last bar at or before the date (-1 none, -2 not looked up yet). */
  readonly #lastAtT: Int32Array;
  #latest = Number.NEGATIVE_INFINITY;
  #factsRead = 0;

  constructor(panel: Panel, facts: PitFacts, date: number) {
    this.date = date;
    this.#panel = panel;
    this.#facts = facts;
    this.#index = symbolIndex(panel);
    this.#t = dayIndexAtOrBefore(panel.time, date);
    this.#lastAtT = new Int32Array(panel.nInst).fill(-2);
    const uni = facts.universe;
    for (let s = 0; s < panel.nInst; s++) {
      const delisted = panel.delistedOn[s];
      if (!Number.isNaN(delisted) && delisted <= date) continue;
      const listed = panel.listedOn[s];
      if (!Number.isNaN(listed) && listed > date) continue;
      if (uni) {
        let member = false;
        let memberKnownAt = 0;
        for (let r = uni.offsets[s]; r < uni.offsets[s + 1]; r++) {
          if (uni.knownAt[r] > date) break; // sorted by knownAt
          if (uni.validFrom[r] <= date && (Number.isNaN(uni.validTo[r]) || date < uni.validTo[r])) {
            member = true;
            memberKnownAt = uni.knownAt[r];
          }
        }
        if (!member) continue;
        this.#note(memberKnownAt);
      }
      if (this.#lastAt(s) < 0) continue;
      this.universe.push(panel.symbols[s]);
    }
  }

  #note(knownAt: number): void {
    if (knownAt > this.date) throw new Error(`look-ahead: a fact known at ${knownAt} was read at ${this.date}`);
    if (knownAt > this.#latest) this.#latest = knownAt;
    this.#factsRead++;
  }

  /** Day index of instrument `s`'s last bar at or before day `from`, -1 if none. */
  #lastBar(s: number, from: number): number {
    const close = this.#panel.close;
    const base = s * this.#panel.nDays;
    for (let d = from; d >= 0; d--) if (close[base + d] === close[base + d]) return d;
    return -1;
  }

  /** {@link #lastBar} at the view's day, remembered: the factor loops ask for each name's close several times. */
  #lastAt(s: number): number {
    let d = this.#lastAtT[s];
    if (d === -2) d = this.#lastAtT[s] = this.#t < 0 ? -1 : this.#lastBar(s, this.#t);
    return d;
  }

  #memoSymbol = '';
  #memoIndex = -1;
  #memoField = '';
  #memoPit: PitField | undefined;

  indexOf(symbol: string): number {
    // Factors read several facts of one name in a row: remember the last lookup.
    if (symbol === this.#memoSymbol) return this.#memoIndex;
    this.#memoSymbol = symbol;
    return (this.#memoIndex = this.#index.get(symbol) ?? -1);
  }

  close(symbol: string): number {
    return this.closeLag(symbol, 0);
  }

  rawClose(symbol: string): number {
    const s = this.indexOf(symbol);
    if (s < 0 || this.#t < 0) return Number.NaN;
    const d = this.#lastAt(s);
    if (d < 0) return Number.NaN;
    this.#note(this.#panel.time[d]);
    const at = s * this.#panel.nDays + d;
    const factor = this.#panel.priceFactor;
    return factor ? this.#panel.close[at] / factor[at] : this.#panel.close[at];
  }

  bar(symbol: string, field: 'open' | 'high' | 'low' | 'close' | 'volume'): number {
    const s = this.indexOf(symbol);
    if (s < 0 || this.#t < 0) return Number.NaN;
    const d = this.#lastAt(s);
    if (d < 0) return Number.NaN;
    const col =
      field === 'open'
        ? this.#panel.open
        : field === 'high'
          ? this.#panel.high
          : field === 'low'
            ? this.#panel.low
            : field === 'volume'
              ? this.#panel.volume
              : this.#panel.close;
    this.#note(this.#panel.time[d]);
    return col[s * this.#panel.nDays + d];
  }

  closeLag(symbol: string, lagDays: number): number {
    const s = this.indexOf(symbol);
    if (s < 0 || this.#t - lagDays < 0) return Number.NaN;
    const d = lagDays === 0 ? this.#lastAt(s) : this.#lastBar(s, this.#t - lagDays);
    if (d < 0) return Number.NaN;
    this.#note(this.#panel.time[d]);
    return this.#panel.close[s * this.#panel.nDays + d];
  }

  volatility(symbol: string, days: number): number {
    const s = this.indexOf(symbol);
    const t = this.#t;
    if (s < 0 || t < days || days < 2) return Number.NaN;
    const close = this.#panel.close;
    const base = s * this.#panel.nDays;
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (let d = t - days + 1; d <= t; d++) {
      const r = close[base + d] / close[base + d - 1] - 1;
      if (Number.isNaN(r)) continue;
      n++;
      const delta = r - mean;
      mean += delta / n;
      m2 += delta * (r - mean);
    }
    if (n < 2) return Number.NaN;
    this.#note(this.#panel.time[t]);
    return Math.sqrt(m2 / (n - 1));
  }

  fundamental(symbol: string, field: string): number {
    let f = this.#memoPit;
    if (field !== this.#memoField || !f) {
      f = this.#facts.fields.get(field);
      if (!f) throw new Error(`fundamental field "${field}" was not loaded for this cross-section`);
      this.#memoField = field;
      this.#memoPit = f;
    }
    const s = this.indexOf(symbol);
    if (s < 0) return Number.NaN;
    const r = pitRowAt(f, s, this.date);
    if (r < 0) return Number.NaN;
    this.#note(f.knownAt[r]);
    return f.value[r];
  }

  audit(): CrossSectionAudit {
    return { date: this.date, latestKnownAt: this.#latest, factsRead: this.#factsRead };
  }
}

/** Point-in-time callbacks in the shape `runBacktest`'s options take, with a per-date audit. */
export interface PitAccess {
  /** The latest value of `field` for `symbol` known at `asOf` (latest period, latest version), NaN if none. */
  fundamental(symbol: string, field: string, asOf: number): number;
  /** Members of the facts' named universe valid and known at `asOf`; undefined-free, delisted names excluded. */
  universeAt(asOf: number): readonly string[];
  /** Per decision date (EpochMs), the latest `known_at` of any fact read at it (-Infinity if none). */
  readonly audit: Map<number, number>;
}

/**
 * Adapts {@link PitFacts} to the engine's `fundamental` / `universeAt` callbacks, recording for every
 * `asOf` asked the latest `known_at` it returned, so a run can store "decision date → latest fact used".
 * Throws if a fact known after `asOf` would be returned (it cannot be, by construction).
 */
export function createPitAccess(panel: Panel, facts: PitFacts): PitAccess {
  const index = symbolIndex(panel);
  const audit = new Map<number, number>();
  const note = (asOf: number, knownAt: number) => {
    if (knownAt > asOf) throw new Error(`look-ahead: a fact known at ${knownAt} was read at ${asOf}`);
    const prev = audit.get(asOf);
    if (prev === undefined || knownAt > prev) audit.set(asOf, knownAt);
  };
  return {
    audit,
    fundamental(symbol, field, asOf) {
      const f = facts.fields.get(field);
      if (!f) throw new Error(`fundamental field "${field}" was not loaded`);
      const s = index.get(symbol);
      if (!audit.has(asOf)) audit.set(asOf, Number.NEGATIVE_INFINITY);
      if (s === undefined) return Number.NaN;
      const r = pitRowAt(f, s, asOf);
      if (r < 0) return Number.NaN;
      note(asOf, f.knownAt[r]);
      return f.value[r];
    },
    universeAt(asOf) {
      if (!audit.has(asOf)) audit.set(asOf, Number.NEGATIVE_INFINITY);
      const view = createCrossSectionView(panel, facts, asOf);
      const a = view.audit();
      if (a.factsRead > 0) note(asOf, a.latestKnownAt);
      return view.universe;
    },
  };
}

import { INDICATORS, type Indicator, type IndicatorStream } from '../indicators/registry';
import type { AlertCondition, AlertOperand, AlertSeries } from '../model/desk';

export { describeCondition } from '../model/desk';

/** One closed bar as a rule reads it (EpochMs time, traded prices). */
export interface RuleBar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A problem with a condition a user wrote (an unknown indicator, bad parameters), naming the field. */
export class ConditionError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ConditionError';
  }
}

/** Reads one series bar by bar: the streaming form of an indicator from the registry, or a bar field. */
interface SeriesReader {
  next(bar: RuleBar): number;
}

function seriesReader(s: AlertSeries, path: string): SeriesReader {
  switch (s.kind) {
    case 'price':
      return { next: (b) => b.close };
    case 'volume':
      return { next: (b) => b.volume };
    case 'change': {
      let prev = Number.NaN;
      return {
        next: (b) => {
          const v = prev > 0 ? (b.close / prev - 1) * 100 : Number.NaN;
          prev = b.close;
          return v;
        },
      };
    }
    case 'indicator': {
      const ind = (INDICATORS as Record<string, Indicator>)[s.name];
      if (!ind)
        throw new ConditionError(
          `${path}.name`,
          `unknown indicator "${s.name}" (one of ${Object.keys(INDICATORS).join(', ')})`,
        );
      const output = s.output ?? ind.outputs[0];
      if (!ind.outputs.includes(output))
        throw new ConditionError(`${path}.output`, `${s.name} has outputs ${ind.outputs.join(', ')}, not "${output}"`);
      let stream: IndicatorStream;
      try {
        stream = ind.stream(s.params);
      } catch (e) {
        const issue = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
        throw new ConditionError(
          `${path}.params${issue?.path.length ? `.${issue.path.map(String).join('.')}` : ''}`,
          issue?.message ?? (e as Error).message,
        );
      }
      return { next: (b) => stream.next(b)[output] };
    }
  }
}

function operandReader(o: AlertOperand, path: string): SeriesReader {
  if (typeof o === 'number') return { next: () => o };
  return seriesReader(o, path);
}

/** What one bar did to a rule's condition. */
export interface Step {
  /** The condition holds on this bar (a cross happened, the level is passed, the move is big enough). */
  readonly hit: boolean;
  /** The left series' value on this bar (NaN in warm-up). */
  readonly value: number;
}

/**
 * A condition's state over a stream of bars of one symbol: the indicators it reads (their streaming forms,
 * which equal the batch forms the charts and the backtests use), the previous bar's values for crosses and
 * bands, and the last `bars` values for a move in N bars. Feed it every bar in time order; a bar that only
 * warms it up is stepped the same way and its result ignored. NaN on either side never hits.
 */
export class ConditionState {
  readonly #c: AlertCondition;
  readonly #left: SeriesReader;
  readonly #right: SeriesReader | null;
  readonly #lower: SeriesReader | null;
  readonly #upper: SeriesReader | null;
  #prevL = Number.NaN;
  #prevR = Number.NaN;
  #prevLo = Number.NaN;
  #prevHi = Number.NaN;
  // Ring of the last `bars + 1` left values (moves in N bars).
  readonly #ring: Float64Array | null;
  #n = 0;

  /** Throws {@link ConditionError} naming the field of an unknown indicator or bad parameters. */
  constructor(c: AlertCondition, path = 'condition') {
    this.#c = c;
    this.#left = seriesReader(c.left, `${path}.left`);
    this.#right = 'right' in c ? operandReader(c.right, `${path}.right`) : null;
    this.#lower = 'lower' in c ? operandReader(c.lower, `${path}.lower`) : null;
    this.#upper = 'upper' in c ? operandReader(c.upper, `${path}.upper`) : null;
    this.#ring = 'bars' in c ? new Float64Array(c.bars + 1).fill(Number.NaN) : null;
  }

  /** Steps one bar; returns whether the condition holds on it and the left value. */
  next(bar: RuleBar): Step {
    const c = this.#c;
    const l = this.#left.next(bar);
    let hit = false;
    if (this.#right) {
      const r = this.#right.next(bar);
      const pl = this.#prevL;
      const pr = this.#prevR;
      const now = Number.isFinite(l) && Number.isFinite(r);
      const before = Number.isFinite(pl) && Number.isFinite(pr);
      switch (c.op) {
        case 'crosses-above':
          hit = now && before && pl <= pr && l > r;
          break;
        case 'crosses-below':
          hit = now && before && pl >= pr && l < r;
          break;
        case 'crosses':
          hit = now && before && ((pl <= pr && l > r) || (pl >= pr && l < r));
          break;
        case 'above':
          hit = now && l > r;
          break;
        case 'below':
          hit = now && l < r;
          break;
      }
      this.#prevR = r;
    } else if (this.#lower && this.#upper) {
      const a = this.#lower.next(bar);
      const b = this.#upper.next(bar);
      const inside = (x: number, p: number, q: number) => x >= Math.min(p, q) && x <= Math.max(p, q);
      const known = (x: number, p: number, q: number) => Number.isFinite(x) && Number.isFinite(p) && Number.isFinite(q);
      if (known(l, a, b) && known(this.#prevL, this.#prevLo, this.#prevHi)) {
        const wasIn = inside(this.#prevL, this.#prevLo, this.#prevHi);
        const isIn = inside(l, a, b);
        hit = c.op === 'enters-band' ? !wasIn && isIn : wasIn && !isIn;
      }
      this.#prevLo = a;
      this.#prevHi = b;
    } else if (this.#ring && 'pct' in c) {
      const ring = this.#ring;
      const len = ring.length;
      ring[this.#n % len] = l;
      // The value `bars` bars ago sits just after the newest in the ring once it is full.
      const past = this.#n + 1 >= len ? ring[(this.#n + 1) % len] : Number.NaN;
      this.#n++;
      if (Number.isFinite(l) && Number.isFinite(past) && past !== 0) {
        const move = ((l - past) / Math.abs(past)) * 100;
        hit =
          c.op === 'moves-up-pct'
            ? move >= c.pct
            : c.op === 'moves-down-pct'
              ? move <= -c.pct
              : Math.abs(move) >= c.pct;
      }
    }
    this.#prevL = l;
    return { hit, value: l };
  }
}

/** A rule's firing policy: once or every time, paused, with an expiry on the wall clock. */
export interface RulePolicy {
  readonly mode: 'once' | 'every';
  readonly expiresAt: number | null;
  readonly paused: boolean;
  /** True once a `once` rule fired. */
  readonly triggered: boolean;
}

/** Whether a rule may fire now: not paused, not a `once` rule that fired, not past its expiry (wall clock `now`). */
export function canFire(p: RulePolicy, now: number): 'yes' | 'paused' | 'triggered' | 'expired' {
  if (p.paused) return 'paused';
  if (p.mode === 'once' && p.triggered) return 'triggered';
  if (p.expiresAt !== null && now > p.expiresAt) return 'expired';
  return 'yes';
}

/** Validates a condition's indicators and parameters; throws {@link ConditionError}. */
export function checkCondition(c: AlertCondition, path = 'condition'): void {
  new ConditionState(c, path);
}

/**
 * Shared indicator work across the runs of one worker (issue #14 item 2).
 *
 * A sweep runs the same strategy many times on the same bars with different parameters: an
 * `ema-cross` grid over fast 5..104 and slow 110..309 computes EMA(20) of a symbol once per
 * combination that names 20. Inside a {@link withIndicatorMemo} scope (the engine and the sweep
 * kernels open one around each `strategy.init` of a symbol), a streaming indicator's constructor
 * returns a stand-in:
 *
 * - the first stream of a (class, parameters) key in the scope's slot **records** what it is fed and
 *   what it returns while computing as usual;
 * - later streams of the same key **replay** the recording: `next(v)` checks that `v` is the value the
 *   recording was fed at that index (bit for bit, NaN and the sign of zero included) and returns the
 *   recorded output, an index increment. At the first input that differs (another series, another
 *   adjustment) or past the end of the recording, the replay builds the real stream, feeds it the
 *   inputs seen so far and carries on computing: a replay can never return a number the real stream
 *   would not have returned.
 *
 * So it is invisible to strategies (built-in or written with the SDK: the same classes), changes no
 * number, and needs no key for the input series. Slots are per (owner object, index): the owner is
 * the panel a worker keeps across jobs, the index the symbol. Memory is bounded (see
 * {@link setIndicatorMemoBudget}); the least recently used recordings are dropped first.
 */
import type { BarInput } from './types';

/**
 * An append-only input column: values below `len` never change once written. Every stream of a symbol
 * is usually fed the same series (its closes), so recordings start on the slot's shared column and
 * only a recorder fed something else takes a copy of its own (see {@link putInput}): the memo holds a
 * symbol's closes once, not once per key, and every replay compares against the same hot array.
 */
interface Column {
  readonly data: Float64Array;
  len: number;
  /** Live recordings reading it; at 0 its bytes leave the budget. */
  refs: number;
}

/** A recording: inputs (one column per input field) and outputs (one column per output field). */
interface Recording {
  readonly slot: Slot;
  readonly key: string;
  /** A recorder swaps a column for another at the first input that differs from it. */
  readonly inp: Column[];
  readonly out: Float64Array[];
  len: number;
  /** Bytes of the outputs (columns are counted on their own, once). */
  readonly bytes: number;
  /** Dropped by the budget: its recorder stops writing (replays already made read what it holds). */
  dead: boolean;
}

/** One (owner, index) slot: its recordings by key, and its input columns per input field of each shape. */
interface Slot {
  readonly recs: Map<string, Recording>;
  /** Columns of one-value inputs (`value`, `value-row`), the first being where new recordings start. */
  readonly value: Column[][];
  /** Columns of bar inputs, per field (open, high, low, close, volume). */
  readonly bar: Column[][];
}

interface ActiveScope {
  readonly slot: Slot;
  readonly owner: object;
  readonly index: number;
  readonly capacity: number;
}

let active: ActiveScope | null = null;
const owners = new WeakMap<object, Map<number, Slot>>();
/** Every live recording in use order (oldest first) for the budget. */
const lru = new Set<Recording>();
let usedBytes = 0;
let budgetBytes = defaultBudget();
let stats = { recorded: 0, replayed: 0, diverged: 0 };

function defaultBudget(): number {
  // A user strategy's sandbox has no `process`: its host hands its own budget over as a global for the load.
  const host = (globalThis as { __qdIndicatorMemoBytes?: unknown }).__qdIndicatorMemoBytes;
  if (typeof host === 'number' && host >= 0) return host;
  const mb = Number(typeof process !== 'undefined' ? process.env?.QD_INDICATOR_MEMO_MB : undefined);
  return (Number.isFinite(mb) && mb >= 0 ? mb : 256) * 1024 * 1024;
}

/** Sets the memory budget of all recordings (bytes; 0 turns the memo off). Returns the previous one. */
export function setIndicatorMemoBudget(bytes: number): number {
  const prev = budgetBytes;
  budgetBytes = Math.max(0, bytes);
  evict(0);
  return prev;
}

/** The memory budget of all recordings (bytes). */
export function indicatorMemoBudget(): number {
  return budgetBytes;
}

/** Counters for tests and benchmarks: streams that recorded, replayed, and replays that fell back. */
export function indicatorMemoStats(): { recorded: number; replayed: number; diverged: number; bytes: number } {
  return { ...stats, bytes: usedBytes };
}

/** Drops every recording and zeroes the counters. */
export function clearIndicatorMemo(): void {
  for (const rec of lru) drop(rec);
  stats = { recorded: 0, replayed: 0, diverged: 0 };
}

/**
 * Runs `fn` (a strategy's `init` for one symbol) with indicator streams memoised in the slot
 * (`owner`, `index`); `capacity` is the most values one stream will be fed (the symbol's bars).
 * Scopes do not nest: an inner call runs `fn` in the inner slot and restores the outer one.
 */
export function withIndicatorMemo<T>(owner: object, index: number, capacity: number, fn: () => T): T {
  if (budgetBytes === 0) return fn();
  let slots = owners.get(owner);
  if (!slots) owners.set(owner, (slots = new Map()));
  let slot = slots.get(index);
  if (!slot) slots.set(index, (slot = { recs: new Map(), value: [[]], bar: [[], [], [], [], []] }));
  const prev = active;
  active = { slot, owner, index, capacity };
  try {
    return fn();
  } finally {
    active = prev;
  }
}

/** The open scope, if any: the sandbox passes it on to a user strategy's own copy of the indicators. */
export function currentIndicatorMemo(): {
  readonly owner: object;
  readonly index: number;
  readonly capacity: number;
} | null {
  return active;
}

/** Frees bytes until `extra` more fit in the budget. */
function evict(extra: number): void {
  for (const rec of lru) {
    if (usedBytes + extra <= budgetBytes) return;
    drop(rec);
  }
}

/** Takes `rec` out of its slot and the budget. */
function drop(rec: Recording): void {
  lru.delete(rec);
  rec.dead = true;
  if (rec.slot.recs.get(rec.key) === rec) rec.slot.recs.delete(rec.key);
  usedBytes -= rec.bytes;
  rec.inp.forEach((col, x) => release(rec, x, col));
}

/** One reader fewer for input column `x` of `rec`'s shape; an unread column leaves the slot and the budget. */
function release(rec: Recording, x: number, col: Column): void {
  if (--col.refs > 0) return;
  usedBytes -= col.data.byteLength;
  const list = (rec.inp.length === 5 ? rec.slot.bar : rec.slot.value)[x];
  const at = list.indexOf(col);
  if (at >= 0) list.splice(at, 1);
}

function newColumn(capacity: number): Column {
  usedBytes += capacity * 8;
  return { data: new Float64Array(capacity), len: 0, refs: 0 };
}

function newRecording(scope: ActiveScope, key: string, nIn: number, nOut: number): Recording | null {
  const { capacity, slot } = scope;
  const bytes = capacity * 8 * nOut;
  if (capacity <= 0 || bytes + capacity * 8 * nIn > budgetBytes) return null;
  // Room for the outputs and, should the slot hold none of this capacity, the input columns.
  evict(bytes + capacity * 8 * nIn);
  const lists = nIn === 5 ? slot.bar : slot.value;
  const inp = lists.map((list) => {
    let col = list.find((c) => c.data.length === capacity);
    if (!col) list.push((col = newColumn(capacity)));
    col.refs++;
    return col;
  });
  const rec: Recording = {
    slot,
    key,
    inp,
    out: Array.from({ length: nOut }, () => new Float64Array(capacity)),
    len: 0,
    bytes,
    dead: false,
  };
  usedBytes += bytes;
  return rec;
}

/**
 * Records input `v` at index `k` (= `rec.len`) of input field `x` of `rec`: nothing to write when its
 * column already holds `v` there, appended when the column ends at `k`, else the recording moves to a
 * column of the slot that holds its inputs so far and `v` (or to a new copy of them).
 */
function putInput(rec: Recording, x: number, k: number, v: number): void {
  const col = rec.inp[x];
  if (k < col.len) {
    if (same(col.data[k], v)) return;
    const list = (rec.inp.length === 5 ? rec.slot.bar : rec.slot.value)[x];
    let next = list.find((c) => c !== col && c.data.length === col.data.length && fits(c, col, k, v));
    if (!next) {
      list.push((next = newColumn(col.data.length)));
      next.data.set(col.data.subarray(0, k));
      next.len = k;
    }
    next.refs++;
    rec.inp[x] = next;
    release(rec, x, col);
    if (k < next.len) return;
    next.data[k] = v;
    next.len = k + 1;
    return;
  }
  col.data[k] = v;
  col.len = k + 1;
}

/** Whether column `c` holds `col`'s first `k` values and then `v` (or ends at `k`, so `v` can be appended). */
function fits(c: Column, col: Column, k: number, v: number): boolean {
  if (c.len < k) return false;
  for (let j = 0; j < k; j++) if (!same(c.data[j], col.data[j])) return false;
  return c.len === k || same(c.data[k], v);
}

/** Whether `a` and `b` are the same number bit for bit as far as arithmetic can tell (NaN = NaN, 0 ≠ -0). */
function same(a: number, b: number): boolean {
  return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b;
}

/** The memo's view of a stream of one of the three shapes it knows. */
type Shape = 'value' | 'bar' | 'value-row';

/**
 * Called last in a memoisable stream's constructor (`self` is the stream just built): returns a
 * stand-in (a recorder around `self`, or a replay) when a scope is open, else null (the constructor
 * then returns itself). `make` builds a real stream for a replay that falls back; it runs with the
 * scope closed, so it is never memoised twice.
 */
export function memoStream<T extends object>(
  cls: string,
  args: readonly number[],
  shape: Shape,
  fields: readonly string[],
  self: T,
  make: () => T,
): T | null {
  const scope = active;
  if (scope === null) return null;
  const key = args.length === 1 ? cls + '(' + args[0] + ')' : `${cls}(${args.join(',')})`;
  active = null;
  try {
    const rec = scope.slot.recs.get(key);
    if (rec) {
      lru.delete(rec);
      lru.add(rec);
      stats.replayed++;
      return replay(rec, shape, fields, make);
    }
    const fresh = newRecording(scope, key, shape === 'bar' ? 5 : 1, shape === 'value-row' ? fields.length : 1);
    if (!fresh) return null;
    scope.slot.recs.set(key, fresh);
    lru.add(fresh);
    stats.recorded++;
    return record<T>(fresh, shape, fields, self);
  } finally {
    active = scope;
  }
}

function record<T extends object>(rec: Recording, shape: Shape, fields: readonly string[], real: any): T {
  let i = 0;
  const cap = rec.out[0].length;
  if (shape === 'value') return new ValueMemo(rec, () => real, real) as unknown as T;
  if (shape === 'value-row') {
    return {
      next(v: number): unknown {
        const row = real.next(v);
        if (i === rec.len && i < cap && !rec.dead) {
          putInput(rec, 0, i, v);
          for (let f = 0; f < fields.length; f++) rec.out[f][i] = row[fields[f]];
          rec.len = i + 1;
        }
        i++;
        return row;
      },
    } as T;
  }
  const out = rec.out[0];
  const put = (bo: number, bh: number, bl: number, bc: number, bv: number, y: number): number => {
    if (i === rec.len && i < cap && !rec.dead) {
      putInput(rec, 0, i, bo);
      putInput(rec, 1, i, bh);
      putInput(rec, 2, i, bl);
      putInput(rec, 3, i, bc);
      putInput(rec, 4, i, bv);
      out[i] = y;
      rec.len = i + 1;
    }
    i++;
    return y;
  };
  let stopped = false;
  return {
    next(bar: BarInput): number {
      const y = real.next(bar);
      return stopped ? y : put(bar.open, bar.high, bar.low, bar.close, bar.volume, y);
    },
    /** A direct `step` feeds the real stream without a recording: the recording stops at its prefix. */
    step(...a: number[]): number {
      stopped = true;
      return real.step(...a);
    },
  } as T;
}

/**
 * The value {@link ValueMemo.next} hands its slow path. Not an argument: a call's argument is a boxed number,
 * and TurboFan boxes a strategy's close once for the slow paths of every stream it feeds (one conversion node
 * with a use in each), scheduled before them all, so a replayed bar allocated a heap number even though no slow
 * path ran (20 MB of garbage per run of a 500-name × 2,520-bar sma-cross, half of all it allocated).
 */
const slowInput = new Float64Array(1);

/**
 * A one-value stream's stand-in, recording or replaying, as one class: the hot call sites in strategies
 * then see one shape and one small `next`, which V8 inlines (a recorder of another shape beside the
 * replays made those call sites polymorphic, and every result a boxed number).
 */
class ValueMemo {
  readonly #rec: Recording;
  /** The recording's input column's values (re-read on the slow path: a recorder may move to another column). */
  #inp: Float64Array;
  readonly #out: Float64Array;
  readonly #make: () => { next(v: number): number };
  /** Values fed so far. */
  #i = 0;
  /** Recorded values the fast path may return (-1 while recording or computing live: it never matches). */
  #len: number;
  /** The real stream once this computes: the recorder's own, or a replay's after it diverged. */
  #live: { next(v: number): number } | null;
  /** Whether this stream writes the recording (the first stream of its key). */
  readonly #recording: boolean;
  /** How {@link next} leaves its fast path: {@link ValueMemo.slow} (other functions only in the static block). */
  readonly #slow: (self: ValueMemo) => number;
  constructor(
    rec: Recording,
    make: () => { next(v: number): number },
    real: { next(v: number): number } | null,
    slow: (self: ValueMemo) => number = ValueMemo.slow,
  ) {
    this.#slow = slow;
    this.#rec = rec;
    this.#inp = rec.inp[0].data;
    this.#out = rec.out[0];
    this.#make = make;
    this.#live = real;
    this.#recording = real !== null;
    this.#len = real !== null ? -1 : rec.len;
  }
  /** A recorded non-zero input returns the recorded output; everything else takes {@link #next}. */
  next(v: number): number {
    const k = this.#i;
    if (k < this.#len && v === this.#inp[k] && v !== 0) {
      this.#i = k + 1;
      return this.#out[k];
    }
    slowInput[0] = v;
    // The unary plus types the slow result as a number: the fast result then stays an unboxed double.
    return +this.#slow(this);
  }
  /** The slow path, called out of line (see the static block), on the value in {@link slowInput}. */
  private static slow(self: ValueMemo): number {
    return self.#next(slowInput[0]);
  }
  static {
    // The slow-path call in `next` is made megamorphic here, before any stream runs: TurboFan then never
    // inlines the slow path (recording, live computing, divergence) into `next` and on into a strategy's
    // onBar. Inlined or not depended on the feedback when onBar was optimised (early in a sweep most
    // streams record, later nearly all replay) and on whether the slow path had been optimised on its own
    // by then, and the same sweep ran at two speeds from one process to the next. These two streams over
    // an empty recording only call the functions given to them; no memo state is touched.
    //
    // Each is called many times, not once: V8 allocates a function's feedback vector only after it has run
    // some hundreds of bytecodes (lazy feedback allocation), and calls before that record no target. With
    // one call each the site stayed unrecorded, the recording run made it monomorphic, and `next` was
    // optimised with the whole slow path inlined (745 bytecodes for an SMA), too big to inline into a
    // strategy's step: on a wide sma-cross run in its own process every replayed value was then an
    // out-of-line call returning a boxed number.
    const rec = { inp: [{ data: new Float64Array(0), len: 0, refs: 0 }], out: [new Float64Array(0)], len: 0 };
    const live = { next: (v: number) => v };
    const streams = [(_: ValueMemo) => slowInput[0], (_: ValueMemo) => -slowInput[0]].map(
      (f) => new ValueMemo(rec as unknown as Recording, () => live, live, f),
    );
    for (let n = 0; n < 200; n++) streams[n & 1].next(1);
  }
  /** Recording, computing live, zero (its sign compared), NaN, a recording grown since, divergence. */
  #next(v: number): number {
    const k = this.#i;
    const live = this.#live;
    const rec = this.#rec;
    if (live !== null) {
      const y = live.next(v);
      if (this.#recording && k === rec.len && k < this.#out.length && !rec.dead) {
        putInput(rec, 0, k, v);
        this.#out[k] = y;
        rec.len = k + 1;
      }
      this.#i = k + 1;
      return y;
    }
    // A replay: the recording may have grown since (a recorder of the same key fed in the same bar).
    this.#len = rec.len;
    this.#inp = rec.inp[0].data;
    if (k < this.#len && same(v, this.#inp[k])) {
      this.#i = k + 1;
      return this.#out[k];
    }
    // Diverged, or past the recording: the real stream, fed the inputs seen so far, computes from here.
    stats.diverged++;
    const s = this.#make();
    for (let j = 0; j < k; j++) s.next(this.#inp[j]);
    this.#live = s;
    this.#len = -1;
    this.#i = k + 1;
    return s.next(v);
  }
}

function replay<T extends object>(rec: Recording, shape: Shape, fields: readonly string[], make: () => T): T {
  let i = 0;
  let live: any = null;
  /** The real stream, fed the first `i` recorded inputs: from here on the replay computes. */
  const goLive = (): any => {
    stats.diverged++;
    const s: any = make();
    if (shape === 'bar') {
      const [o, h, l, c, vol] = rec.inp.map((col) => col.data);
      const bar = { open: 0, high: 0, low: 0, close: 0, volume: 0 };
      for (let k = 0; k < i; k++) {
        bar.open = o[k];
        bar.high = h[k];
        bar.low = l[k];
        bar.close = c[k];
        bar.volume = vol[k];
        s.next(bar);
      }
    } else for (let k = 0; k < i; k++) s.next(rec.inp[0].data[k]);
    live = s;
    return s;
  };
  if (shape === 'value') return new ValueMemo(rec, make as () => { next(v: number): number }, null) as unknown as T;
  if (shape === 'value-row') {
    const row: Record<string, number> = Object.fromEntries(fields.map((f) => [f, Number.NaN]));
    return {
      next(v: number): unknown {
        if (live === null) {
          const k = i;
          if (k < rec.len && same(v, rec.inp[0].data[k])) {
            i = k + 1;
            for (let f = 0; f < fields.length; f++) row[fields[f]] = rec.out[f][k];
            return row;
          }
          goLive();
        }
        return live.next(v);
      },
    } as T;
  }
  const out = rec.out[0];
  const inp = rec.inp;
  return {
    step(...a: number[]): number {
      return (live ?? goLive()).step(...a);
    },
    next(bar: BarInput): number {
      if (live === null) {
        const k = i;
        if (
          k < rec.len &&
          same(bar.close, inp[3].data[k]) &&
          same(bar.high, inp[1].data[k]) &&
          same(bar.low, inp[2].data[k]) &&
          same(bar.open, inp[0].data[k]) &&
          same(bar.volume, inp[4].data[k])
        ) {
          i = k + 1;
          return out[k];
        }
        goLive();
      }
      return live.next(bar);
    },
  } as T;
}

/**
 * The feature expression language, in the manner of Qlib's: fields (`$close`, `$volume`, `$eps`, …), numbers,
 * arithmetic (`+ - * /`), comparisons (`> < >= <= == !=`, giving 1 or 0), `&&`, `||`, unary minus, and calls
 * (`Mean($close, 5)`, `Corr($close, Log($volume + 1), 10)`, `If(c, a, b)`, `CSRank(x)`). Parsed into a small
 * AST that the batch evaluator (`batch.ts`) and the streaming evaluator (`stream.ts`) both walk.
 *
 * Windows are strict: a rolling value exists only when all `N` bars of the window are present (no NaN),
 * unlike Qlib's `min_periods=1`; `Ref(x, N)` needs `N >= 0` (a negative shift would read the future).
 */

/** A parsed expression. */
export type Expr =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'field'; readonly name: string }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'neg'; readonly a: Expr }
  | { readonly k: 'call'; readonly op: CallOp; readonly args: readonly Expr[]; readonly n: number; readonly q: number }
  | {
      readonly k: 'ind';
      readonly name: string;
      readonly params: Readonly<Record<string, number>>;
      readonly output: string;
    }
  /** A user feature (`defineFeature`): loaded by source hash, params as canonical JSON. */
  | { readonly k: 'user'; readonly name: string; readonly hash: string; readonly params: string }
  /** News over the last `days` days as known at the bar: mean sentiment or article count. */
  | { readonly k: 'news'; readonly stat: NewsStat; readonly days: number };

/** What a news feature computes over its window: mean sentiment of scored articles, or the count of articles. */
export type NewsStat = 'mean' | 'count';

/** Binary operators. */
export type BinOp = '+' | '-' | '*' | '/' | '>' | '<' | '>=' | '<=' | '==' | '!=' | '&&' | '||';

/** Price fields every instrument has; any other `$name` is a point-in-time fundamental field. */
export const BAR_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'rawclose'] as const;

interface OpSpec {
  /** Expression arguments. */
  readonly exprs: number;
  /** Trailing numeric arguments: 0 none, 1 window N, 2 window N and quantile q. */
  readonly nums: 0 | 1 | 2;
  readonly doc: string;
}

/** Every call operator: its arity and what it computes. */
export const OPS = {
  Ref: { exprs: 1, nums: 1, doc: 'x N bars ago (N >= 0)' },
  Delta: { exprs: 1, nums: 1, doc: 'x - Ref(x, N)' },
  Mean: { exprs: 1, nums: 1, doc: 'rolling mean over N bars' },
  Sum: { exprs: 1, nums: 1, doc: 'rolling sum' },
  Std: { exprs: 1, nums: 1, doc: 'rolling sample standard deviation (ddof 1)' },
  Var: { exprs: 1, nums: 1, doc: 'rolling sample variance (ddof 1)' },
  Max: { exprs: 1, nums: 1, doc: 'rolling maximum' },
  Min: { exprs: 1, nums: 1, doc: 'rolling minimum' },
  Med: { exprs: 1, nums: 1, doc: 'rolling median' },
  Quantile: { exprs: 1, nums: 2, doc: 'rolling quantile q (linear interpolation, as pandas)' },
  Rank: {
    exprs: 1,
    nums: 1,
    doc: "percentile of the current value in its last N (scipy percentileofscore 'rank' / 100)",
  },
  IdxMax: { exprs: 1, nums: 1, doc: '1-based position of the maximum in the window (first on ties)' },
  IdxMin: { exprs: 1, nums: 1, doc: '1-based position of the minimum in the window (first on ties)' },
  Slope: { exprs: 1, nums: 1, doc: 'least-squares slope of x on 0..N-1' },
  Rsquare: { exprs: 1, nums: 1, doc: 'R² of that regression' },
  Resi: { exprs: 1, nums: 1, doc: 'residual of the last point of that regression' },
  Corr: { exprs: 2, nums: 1, doc: 'rolling Pearson correlation of x and y' },
  Cov: { exprs: 2, nums: 1, doc: 'rolling sample covariance of x and y' },
  Abs: { exprs: 1, nums: 0, doc: '|x|' },
  Log: { exprs: 1, nums: 0, doc: 'natural log (NaN for x <= 0)' },
  Sign: { exprs: 1, nums: 0, doc: 'sign of x' },
  Sqrt: { exprs: 1, nums: 0, doc: 'square root' },
  Power: { exprs: 2, nums: 0, doc: 'x ** y' },
  Greater: { exprs: 2, nums: 0, doc: 'max(x, y)' },
  Less: { exprs: 2, nums: 0, doc: 'min(x, y)' },
  If: { exprs: 3, nums: 0, doc: 'b where c != 0, else c2 (NaN where c is NaN)' },
  CSRank: { exprs: 1, nums: 0, doc: 'cross-sectional percentile rank per date in (0, 1] (average ties)' },
  CSZScore: { exprs: 1, nums: 0, doc: 'cross-sectional z-score per date (population sd)' },
} as const satisfies Record<string, OpSpec>;

/** A call operator name. */
export type CallOp = keyof typeof OPS;

/** A parse error with the 0-based column it happened at. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} at column ${column + 1}`);
    this.name = 'ExprError';
  }
}

type Tok =
  | { t: 'num'; v: number; at: number }
  | { t: 'field'; v: string; at: number }
  | { t: 'id'; v: string; at: number }
  | { t: 'p'; v: string; at: number };

const MAX_LEN = 4096;

function tokenize(src: string): Tok[] {
  if (src.length > MAX_LEN) throw new ExprError(`expression longer than ${MAX_LEN} characters`, MAX_LEN);
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const at = i;
    const num = /^(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)/i.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]), at });
      i += num[0].length;
      continue;
    }
    const id = /^\$?[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      if (id[0][0] === '$') out.push({ t: 'field', v: id[0].slice(1), at });
      else out.push({ t: 'id', v: id[0], at });
      i += id[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['>=', '<=', '==', '!=', '&&', '||'].includes(two)) {
      out.push({ t: 'p', v: two, at });
      i += 2;
      continue;
    }
    if ('+-*/()<>,'.includes(c)) {
      out.push({ t: 'p', v: c, at });
      i++;
      continue;
    }
    throw new ExprError(`unexpected character "${c}"`, i);
  }
  return out;
}

const PREC: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '>': 3,
  '<': 3,
  '>=': 3,
  '<=': 3,
  '==': 3,
  '!=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
};

/** Parses an expression; throws {@link ExprError} naming the column of the first problem. */
export function parseExpr(src: string): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const end = src.length;
  const expect = (v: string) => {
    const t = toks[p];
    if (!t || t.t !== 'p' || t.v !== v) throw new ExprError(`expected "${v}"`, t ? t.at : end);
    p++;
  };
  const primary = (): Expr => {
    const t = toks[p++];
    if (!t) throw new ExprError('unexpected end of expression', end);
    if (t.t === 'num') return { k: 'num', v: t.v };
    if (t.t === 'field') return { k: 'field', name: t.v };
    if (t.t === 'p' && t.v === '(') {
      const e = binary(0);
      expect(')');
      return e;
    }
    if (t.t === 'p' && t.v === '-') return { k: 'neg', a: unary() };
    if (t.t === 'id') {
      if (t.v === 'NaN') return { k: 'num', v: Number.NaN };
      if (!(t.v in OPS)) throw new ExprError(`unknown operator "${t.v}" (${Object.keys(OPS).join(', ')})`, t.at);
      const op = t.v as CallOp;
      const spec: OpSpec = OPS[op];
      expect('(');
      const args: Expr[] = [];
      for (let k = 0; k < spec.exprs; k++) {
        if (k > 0) expect(',');
        args.push(binary(0));
      }
      const nums: number[] = [];
      for (let k = 0; k < spec.nums; k++) {
        expect(',');
        const neg = peek()?.t === 'p' && peek()!.v === '-';
        if (neg) p++;
        const nt = toks[p++];
        if (!nt || nt.t !== 'num') throw new ExprError(`${op}: expected a number`, nt ? nt.at : end);
        nums.push(neg ? -nt.v : nt.v);
      }
      expect(')');
      const n = nums[0] ?? 0;
      const q = nums[1] ?? 0;
      if (spec.nums >= 1) {
        const min =
          op === 'Ref' || op === 'Delta'
            ? 0
            : op === 'Std' ||
                op === 'Var' ||
                op === 'Slope' ||
                op === 'Rsquare' ||
                op === 'Resi' ||
                op === 'Corr' ||
                op === 'Cov'
              ? 2
              : 1;
        if (!Number.isInteger(n) || n < min || n > 10_000)
          throw new ExprError(`${op}: window must be an integer in ${min}..10000 (got ${n})`, t.at);
      }
      if (spec.nums === 2 && !(q >= 0 && q <= 1))
        throw new ExprError(`${op}: quantile must be in [0, 1] (got ${q})`, t.at);
      return { k: 'call', op, args, n, q };
    }
    throw new ExprError(`unexpected "${t.v}"`, t.at);
  };
  const unary = (): Expr => primary();
  const binary = (minPrec: number): Expr => {
    let left = unary();
    for (;;) {
      const t = peek();
      if (!t || t.t !== 'p' || !(t.v in PREC) || PREC[t.v] <= minPrec) return left;
      p++;
      const right = binary(PREC[t.v]);
      left = { k: 'bin', op: t.v as BinOp, a: left, b: right };
    }
  };
  const e = binary(0);
  if (p < toks.length) throw new ExprError(`unexpected "${String(toks[p].v)}"`, toks[p].at);
  return e;
}

/** A canonical text of an expression (used as a cache and memo key; equal for equal trees). */
export function exprKey(e: Expr): string {
  switch (e.k) {
    case 'num':
      return Number.isNaN(e.v) ? 'NaN' : String(e.v);
    case 'field':
      return `$${e.name}`;
    case 'neg':
      return `(-${exprKey(e.a)})`;
    case 'bin':
      return `(${exprKey(e.a)}${e.op}${exprKey(e.b)})`;
    case 'call': {
      const spec: OpSpec = OPS[e.op];
      const nums = spec.nums === 0 ? [] : spec.nums === 1 ? [e.n] : [e.n, e.q];
      return `${e.op}(${[...e.args.map(exprKey), ...nums].join(',')})`;
    }
    case 'ind':
      return `Ind(${e.name},${JSON.stringify(e.params)},${e.output})`;
    case 'user':
      return `User(${e.name},${e.hash},${e.params})`;
    case 'news':
      return `News(${e.stat},${e.days})`;
  }
}

/** The fundamental fields (non-bar `$name`s) an expression reads. */
export function fundamentalFields(e: Expr, out = new Set<string>()): Set<string> {
  if (e.k === 'field' && !(BAR_FIELDS as readonly string[]).includes(e.name)) out.add(e.name);
  if (e.k === 'bin') {
    fundamentalFields(e.a, out);
    fundamentalFields(e.b, out);
  }
  if (e.k === 'neg') fundamentalFields(e.a, out);
  if (e.k === 'call') for (const a of e.args) fundamentalFields(a, out);
  return out;
}

/** Whether an expression reads news (so its source must load the news store). */
export function readsNews(e: Expr): boolean {
  if (e.k === 'news') return true;
  if (e.k === 'bin') return readsNews(e.a) || readsNews(e.b);
  if (e.k === 'neg') return readsNews(e.a);
  if (e.k === 'call') return e.args.some(readsNews);
  return false;
}

/** Bars of history an expression needs before its first value (an upper bound; indicators count their period × 3). */
export function lookback(e: Expr): number {
  switch (e.k) {
    case 'num':
    case 'field':
      return 0;
    case 'neg':
      return lookback(e.a);
    case 'bin':
      return Math.max(lookback(e.a), lookback(e.b));
    case 'call': {
      const inner = Math.max(0, ...e.args.map(lookback));
      const spec: OpSpec = OPS[e.op];
      if (spec.nums === 0) return inner;
      return inner + (e.op === 'Ref' || e.op === 'Delta' ? e.n : e.n - 1);
    }
    case 'ind':
      return 3 * Math.max(1, ...Object.values(e.params));
    case 'user':
    case 'news':
      return 0;
  }
}

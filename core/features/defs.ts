import { createHash } from 'node:crypto';
import { z } from 'zod';
import { INDICATORS, type Indicator } from '../indicators/registry';
import { ALPHA158 } from './alpha158';
import { exprKey, parseExpr, type Expr } from './expr';
import { checkUserFeatureOnce, findUserFeature, userFeatures, type FeatureContext } from './user';
import type { SandboxedFeature } from '../sdk/feature-sandbox';

export type { FeatureContext } from './user';

/** One entry of a feature spec: `{ "name": "return", "window": 5 }`, `{ "name": "expr", "expr": "…" }`, … */
export type FeatureDef = { readonly name: string } & Readonly<Record<string, unknown>>;

/** A resolved feature: the column label a matrix, a model and an explanation show, and its expression. */
export interface ResolvedFeature {
  readonly label: string;
  readonly expr: Expr;
}

interface Named {
  readonly description: string;
  readonly params: z.ZodObject;
  resolve(p: Record<string, unknown>, ctx: FeatureContext): ResolvedFeature[];
  /** A user feature: parameters are parsed in its sandbox, not by `params`. */
  readonly user?: SandboxedFeature;
}

const win = (def: number) => z.number().int().min(1).max(10_000).default(def);

function one(label: string, src: string): ResolvedFeature[] {
  return [{ label, expr: parseExpr(src) }];
}

function suffix(p: Record<string, unknown>): string {
  const keys = Object.keys(p).filter((k) => k !== 'name');
  return keys.length === 0
    ? ''
    : `(${keys.map((k) => `${k}=${typeof p[k] === 'object' ? JSON.stringify(p[k]) : String(p[k])}`).join(',')})`;
}

const FUNDAMENTAL: Record<string, { description: string; expr: string }> = {
  pbr: {
    description: 'price-to-book: traded close / book_value_per_share known at the date (NaN when book <= 0)',
    expr: 'If($book_value_per_share > 0, $rawclose / $book_value_per_share, NaN)',
  },
  per: {
    description: 'price-to-earnings: traded close / eps known at the date (NaN when eps <= 0)',
    expr: 'If($eps > 0, $rawclose / $eps, NaN)',
  },
  'earnings-yield': { description: 'eps known at the date / traded close', expr: '$eps / $rawclose' },
  'book-to-price': {
    description: 'book_value_per_share known at the date / traded close',
    expr: '$book_value_per_share / $rawclose',
  },
  'market-cap': {
    description: 'traded close × shares_outstanding known at the date',
    expr: '$rawclose * $shares_outstanding',
  },
};

function named(): Map<string, Named> {
  const m = new Map<string, Named>();
  m.set('return', {
    description: 'close / close `window` bars ago - 1 (adjusted prices)',
    params: z.strictObject({ window: win(1) }),
    resolve: (p) => one(`return${suffix(p)}`, `$close / Ref($close, ${p.window as number}) - 1`),
  });
  m.set('volatility', {
    description: 'sample standard deviation of daily returns over `window` bars',
    params: z.strictObject({ window: z.number().int().min(2).max(10_000).default(20) }),
    resolve: (p) => one(`volatility${suffix(p)}`, `Std($close / Ref($close, 1) - 1, ${p.window as number})`),
  });
  m.set('ma-ratio', {
    description: 'close / simple moving average of close over `window` bars',
    params: z.strictObject({ window: win(20) }),
    resolve: (p) => one(`ma-ratio${suffix(p)}`, `$close / Mean($close, ${p.window as number})`),
  });
  m.set('volume-ratio', {
    description: 'volume / mean volume over `window` bars',
    params: z.strictObject({ window: win(20) }),
    resolve: (p) => one(`volume-ratio${suffix(p)}`, `$volume / Mean($volume, ${p.window as number})`),
  });
  for (const [name, f] of Object.entries(FUNDAMENTAL)) {
    m.set(name, { description: f.description, params: z.strictObject({}), resolve: () => one(name, f.expr) });
  }
  m.set('expr', {
    description: 'any expression, e.g. "Mean($close, 5) / $close" (label defaults to the expression)',
    params: z.strictObject({ expr: z.string().min(1), label: z.string().min(1).optional() }),
    resolve: (p) => one((p.label as string | undefined) ?? (p.expr as string), p.expr as string),
  });
  for (const op of ['cs-rank', 'cs-zscore'] as const) {
    m.set(op, {
      description: `cross-sectional ${op === 'cs-rank' ? 'percentile rank' : 'z-score'} per date of another feature ("feature": {...})`,
      params: z.strictObject({ feature: z.looseObject({ name: z.string() }) }),
      resolve: (p, ctx) =>
        resolveFeatures([p.feature as FeatureDef], 'features', ctx).map((f) => ({
          label: `${op}(${f.label})`,
          expr: { k: 'call', op: op === 'cs-rank' ? 'CSRank' : 'CSZScore', args: [f.expr], n: 0, q: 0 },
        })),
    });
  }
  m.set('news_sentiment', {
    description:
      "mean sentiment of the symbol's stored news over the last `days` days, counting an article only once published and known at the bar (NaN: none scored)",
    params: z.strictObject({ days: win(7) }),
    resolve: (p) => [
      { label: `news_sentiment${suffix(p)}`, expr: { k: 'news', stat: 'mean', days: p.days as number } },
    ],
  });
  m.set('news_count', {
    description: "number of the symbol's stored news articles over the last `days` days, as known at the bar",
    params: z.strictObject({ days: win(7) }),
    resolve: (p) => [{ label: `news_count${suffix(p)}`, expr: { k: 'news', stat: 'count', days: p.days as number } }],
  });
  m.set('alpha158', {
    description: `the whole Alpha158-style library (${ALPHA158.size} features)`,
    params: z.strictObject({}),
    resolve: () => [...ALPHA158].map(([label, src]) => ({ label, expr: parseExpr(src) })),
  });
  for (const [name, ind] of Object.entries(INDICATORS as Record<string, Indicator>)) {
    const shape = (ind.params as unknown as z.ZodObject).shape;
    const multi = ind.outputs.length > 1;
    m.set(name, {
      description: `indicator: ${ind.description}${multi ? ` (output: ${ind.outputs.join(' | ')})` : ''}`,
      params: z.strictObject({
        ...shape,
        ...(multi ? { output: z.enum(ind.outputs as [string, ...string[]]).default(ind.outputs[0]) } : {}),
      }),
      resolve: (p) => {
        const { output, ...rest } = p as Record<string, number | string>;
        return [
          {
            label: `${name}${suffix(p)}`,
            expr: {
              k: 'ind',
              name,
              params: rest as Record<string, number>,
              output: (output as string | undefined) ?? ind.outputs[0],
            },
          },
        ];
      },
    });
  }
  for (const [label, src] of ALPHA158)
    m.set(label, { description: `Alpha158: ${src}`, params: z.strictObject({}), resolve: () => one(label, src) });
  return m;
}

let registry: Map<string, Named> | null = null;
function features(): Map<string, Named> {
  registry ??= named();
  return registry;
}

/** Whether `name` is a built-in feature (user features may not take it). */
export function isBuiltinFeature(name: string): boolean {
  return features().has(name);
}

/** A user feature as a named definition: params parsed in its sandbox, resolved to a `user` expression. */
function userNamed(f: SandboxedFeature): Named {
  return {
    description: f.description,
    params: z.strictObject({}),
    user: f,
    resolve: (p) => {
      // The two forms must agree (and so a batch form cannot read later bars) for these very parameters.
      const mismatch = checkUserFeatureOnce(f, p);
      if (mismatch) throw new Error(mismatch);
      return [
        {
          label: `${f.name}${suffix(p)}`,
          expr: { k: 'user', name: f.name, hash: f.hash, params: JSON.stringify(p) },
        },
      ];
    },
  };
}

function lookup(name: string, ctx: FeatureContext): Named | undefined {
  const b = features().get(name);
  if (b) return b;
  const u = findUserFeature(name, ctx);
  return u ? userNamed(u) : undefined;
}

/** A problem in a feature spec, naming the entry (0-based) and field. */
export class FeatureSpecError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'FeatureSpecError';
  }
}

/**
 * Resolves feature definitions (defaults applied) into labelled expressions; throws {@link FeatureSpecError}.
 * Names not built in are user features (`defineFeature`): a file path, or a name stored in `ctx.store`.
 */
export function resolveFeatures(
  defs: readonly FeatureDef[],
  path = 'features',
  ctx: FeatureContext = {},
): ResolvedFeature[] {
  const out: ResolvedFeature[] = [];
  defs.forEach((d, i) => {
    const at = `${path}.${i}`;
    if (typeof d !== 'object' || d === null || typeof d.name !== 'string')
      throw new FeatureSpecError(at, 'expected an object with a "name"');
    let f: Named | undefined;
    try {
      f = lookup(d.name, ctx);
    } catch (e) {
      // A user feature file that does not load: its own FILE:LINE:COL message, under the spec's entry.
      throw new FeatureSpecError(`${at}.name`, (e as Error).message);
    }
    if (!f) throw new FeatureSpecError(`${at}.name`, `unknown feature "${d.name}" (see quantdesk features list)`);
    const { name: _name, ...rest } = d;
    let data: Record<string, unknown>;
    if (f.user) {
      const r = f.user.parseParams(rest);
      if (!r.ok) {
        const issue = r.issues[0];
        throw new FeatureSpecError(`${at}${issue.path.length ? `.${issue.path.join('.')}` : ''}`, issue.message);
      }
      data = r.data;
    } else {
      const parsed = f.params.safeParse(rest);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new FeatureSpecError(`${at}${issue.path.length ? `.${issue.path.join('.')}` : ''}`, issue.message);
      }
      data = parsed.data as Record<string, unknown>;
    }
    try {
      out.push(...f.resolve(data, ctx));
    } catch (e) {
      if (e instanceof FeatureSpecError) throw e;
      throw new FeatureSpecError(at, (e as Error).message);
    }
  });
  const seen = new Set<string>();
  for (const f of out) {
    if (seen.has(f.label)) throw new FeatureSpecError(path, `feature "${f.label}" appears twice`);
    seen.add(f.label);
  }
  return out;
}

/** Hash of a resolved feature set (labels and canonical expressions), for caches and model lineage. */
export function featureSetHash(features: readonly ResolvedFeature[]): string {
  const text = JSON.stringify(features.map((f) => [f.label, exprKey(f.expr)]));
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** One named feature as `features list` shows it. */
export interface FeatureInfo {
  readonly name: string;
  readonly description: string;
  /** Parameters and their defaults (null: required, no default). */
  readonly params: Record<string, unknown>;
  /** Only on user features: `"user"`, the file it was added from and its source hash. */
  readonly source?: 'user';
  readonly file?: string;
  readonly hash?: string;
}

/** Every named feature with its parameters and defaults; then the user features (stored in `ctx.store`, or loaded). */
export function listFeatures(ctx: FeatureContext = {}): FeatureInfo[] {
  const builtin = [...features()].map(([name, f]) => {
    const params: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(f.params.shape)) {
      const r = (s as z.ZodType).safeParse(undefined);
      params[k] = r.success ? (r.data ?? null) : null;
    }
    return { name, description: f.description, params };
  });
  const user = userFeatures(ctx).map((f): FeatureInfo => {
    const props = (f.jsonSchema.properties ?? {}) as Record<string, { default?: unknown }>;
    const params: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(props)) params[k] = p.default ?? null;
    return { name: f.name, description: f.description, params, source: 'user', file: f.file, hash: f.hash };
  });
  return [...builtin, ...user];
}

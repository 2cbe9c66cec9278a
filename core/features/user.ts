/**
 * Features written in code (`defineFeature` from `quantdesk/sdk`): a file, or a copy stored with `quantdesk
 * features add` (by source hash, as user strategies are), loaded in the sandbox once per hash. A spec names one
 * by its name (`{ "name": "my-feature", "period": 10 }`) or by its path (`{ "name": "./my-feature.ts" }`).
 */
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { Prng } from '../optimize/prng';
import { loadSandboxedFeature, type FeatureBars, type SandboxedFeature } from '../sdk/feature-sandbox';
import { sourceHash, StrategyCodeError } from '../sdk/sandbox';
import { getSource } from '../store/strategy-sources';
import { latestUserFeature, listUserFeatures } from '../store/feature-sources';
import type { Store } from '../store/sqlite-bar-store';
import type { StrategySource } from '../strategies/registry';

const loadedByHash = new Map<string, SandboxedFeature>();
const byName = new Map<string, SandboxedFeature>();

/** Loads the user feature in `src` in the sandbox, once per hash, without registering its name (a check). */
export function loadUserFeature(src: StrategySource): SandboxedFeature {
  let f = loadedByHash.get(src.hash);
  if (!f) {
    f = loadSandboxedFeature(src);
    loadedByHash.set(src.hash, f);
  }
  return f;
}

/** Loads (once per hash) and registers the user feature in `src` under its name; returns it. */
export function registerUserFeature(src: StrategySource): SandboxedFeature {
  const f = loadUserFeature(src);
  byName.set(f.name, f);
  return f;
}

/** The loaded user feature with source hash `hash` (what a feature expression carries). @throws when none is loaded. */
export function userFeatureByHash(hash: string): SandboxedFeature {
  const f = loadedByHash.get(hash);
  if (!f) throw new Error(`user feature ${hash.slice(0, 12)} is not loaded in this process`);
  return f;
}

/** Whether a spec's feature name is a path to a feature file. */
export function isFeaturePath(name: string): boolean {
  return /\.(m?ts|m?js)$/i.test(name);
}

/** A feature file read as a source (name: the file name without extension). @throws StrategyCodeError when unreadable. */
export function readFeatureFile(path: string): StrategySource {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new StrategyCodeError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { name: basename(path).replace(/\.(m?ts|m?js)$/i, ''), file: path, source, hash: sourceHash(source) };
}

/** Where a user feature may be found: the store holding `features add`'s copies. */
export interface FeatureContext {
  readonly store?: Store | null;
}

/**
 * The user feature a spec's name refers to: a file path (read afresh, loaded once per hash), the newest stored
 * version of that name in `ctx.store`, or one registered in this process; undefined when none.
 */
export function findUserFeature(name: string, ctx: FeatureContext = {}): SandboxedFeature | undefined {
  if (isFeaturePath(name)) return registerUserFeature(readFeatureFile(isAbsolute(name) ? name : resolve(name)));
  const v = ctx.store ? latestUserFeature(ctx.store, name) : undefined;
  const stored = v ? getSource(ctx.store!, v.hash) : undefined;
  if (stored)
    return registerUserFeature({ name: stored.name, file: stored.file, source: stored.source, hash: stored.hash });
  return byName.get(name);
}

/** The user features stored in `ctx.store` (newest version of each name), loaded. */
export function userFeatures(ctx: FeatureContext = {}): SandboxedFeature[] {
  const out = new Map<string, SandboxedFeature>();
  if (ctx.store)
    for (const v of listUserFeatures(ctx.store)) {
      const s = getSource(ctx.store, v.hash);
      if (s) out.set(v.name, registerUserFeature({ name: v.name, file: s.file, source: s.source, hash: s.hash }));
    }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A random-walk market of one symbol (`n` bars), for checking a feature's two forms. */
function syntheticBars(n: number, seed: number): FeatureBars {
  const prng = new Prng(seed);
  const cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p * (1 + 0.005 * (prng.next() - 0.5));
    p *= 1 + 0.04 * (prng.next() - 0.5);
    cols.time[i] = 1_600_000_000_000 + i * 86_400_000;
    cols.open[i] = o;
    cols.close[i] = p;
    cols.high[i] = Math.max(o, p) * (1 + 0.01 * prng.next());
    cols.low[i] = Math.min(o, p) * (1 - 0.01 * prng.next());
    cols.volume[i] = 1000 * Math.floor(1 + 20 * prng.next());
  }
  return cols;
}

const checked = new Map<string, string | null>();

/** {@link checkUserFeature}, once per source hash and parameters in this process. */
export function checkUserFeatureOnce(f: SandboxedFeature, params: Record<string, unknown>): string | null {
  const key = `${f.hash}:${JSON.stringify(params)}`;
  let r = checked.get(key);
  if (r === undefined) {
    r = checkUserFeature(f, params);
    checked.set(key, r);
  }
  return r;
}

/**
 * The batch = streaming check of a user feature at `params` on a synthetic market of `bars` bars: null when the
 * two forms agree at every bar (NaN where the other is NaN, else within 1e-9 relative), else a message naming
 * the file, the field at fault and the first bar that differs.
 */
export function checkUserFeature(f: SandboxedFeature, params: Record<string, unknown>, bars = 300): string | null {
  const b = syntheticBars(bars, 11);
  const batch = f.batch(b, params);
  const st = f.stream(params);
  for (let i = 0; i < bars; i++) {
    const v = st.next(b.time[i], b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]);
    const a = batch[i];
    const same = Number.isNaN(a) ? Number.isNaN(v) : Math.abs(a - v) <= 1e-9 * Math.max(1, Math.abs(a));
    if (!same) {
      const why =
        f.hasBatch && f.hasStream
          ? '"batch" and "next" disagree'
          : f.hasBatch
            ? `"window": batch over the last ${f.window(params)} bars differs from batch over all bars (declare a window covering every bar a value reads; a value may not read later bars)`
            : '"next" is not deterministic (stepping it twice gives different values)';
      return `${f.file}: ${why}, at bar ${i} of a synthetic market: batch ${a}, streaming ${v}`;
    }
  }
  return null;
}

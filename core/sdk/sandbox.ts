/**
 * The sandbox that runs user strategies: each source is compiled by esbuild (TypeScript or JavaScript,
 * no disk access, no bundling) and evaluated in its own V8 context (`node:vm`) that holds nothing but
 * the language's builtins and the SDK, itself evaluated inside that context. Nothing from the host's
 * realm is ever handed to user code: calls cross with primitives and JSON strings only, so no
 * `x.constructor.constructor` leads back to the host's `Function`, and code generation from strings
 * (`eval`, `Function`) is disabled for the context. `Date.now`/`new Date()` are refused, `Math.random`
 * is a PRNG seeded per run, and there is no `process`, `require`, `fetch`, timers or `console`.
 *
 * Code runs at full JIT speed (the same isolate); an endless loop is stopped by {@link runGuarded}'s
 * per-step time limit (see `./guard`). Errors are reported as `FILE:LINE:COL: message` of the user's
 * own source, through esbuild's source map.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { types } from 'node:util';
import vm from 'node:vm';
import { z } from 'zod';
import { BacktestInputError } from '../backtest/types';
import type { StrategySource } from '../strategies/registry';
import type { BarView, CrossSectionView, Decision, Strategy } from '../strategy/types';
import { currentIndicatorMemo, indicatorMemoBudget } from '../indicators/memo';
import type { WeightsLike } from '../strategy/weights';

/** The module name user code may import; everything else fails at load. */
export const SDK_MODULE = 'quantdesk/sdk';

/** Thrown for a user strategy that fails to compile, load or run: the message is `FILE:LINE:COL: message`. */
export class StrategyCodeError extends BacktestInputError {
  constructor(message: string) {
    super([message]);
    this.name = 'StrategyCodeError';
  }
}

/** sha256 hex of a source text (the id a user strategy travels and is stored by). */
export function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

let runtimeCode: string | null = null;
let runtimeScript: vm.Script | null = null;

/**
 * The SDK as one script that defines `__qd_sdk` in whichever context runs it: prebuilt beside the
 * bundle (`sdk-runtime.js`, see scripts/build.mjs), or built here from the sources (tests, tsx).
 */
export function sdkRuntime(): vm.Script {
  if (runtimeScript) return runtimeScript;
  const prebuilt = join(__dirname, 'sdk-runtime.js');
  if (existsSync(prebuilt)) runtimeCode = readFileSync(prebuilt, 'utf8');
  else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const r = esbuild.buildSync({
      entryPoints: [join(__dirname, 'index.ts')],
      bundle: true,
      format: 'iife',
      globalName: '__qd_sdk',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    runtimeCode = r.outputFiles[0].text;
  }
  runtimeScript = new vm.Script(runtimeCode, { filename: 'quantdesk-sdk.js' });
  return runtimeScript;
}

/** The compiled form of a source: CommonJS JavaScript and its source map. */
export interface Compiled {
  readonly code: string;
  readonly map: SourceMap;
}

export function compile(src: StrategySource): Compiled {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const loader = /\.js$/i.test(src.file) || /\.mjs$/i.test(src.file) ? 'js' : 'ts';
  try {
    // verbatimModuleSyntax: an import is kept even when unused, so `import fs from 'fs'` fails at load
    // (TypeScript would drop an unused import silently); `import type` still goes.
    const r = esbuild.transformSync(src.source, {
      loader,
      format: 'cjs',
      sourcemap: 'external',
      sourcefile: src.file,
      target: 'es2022',
      logLevel: 'silent',
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    return { code: r.code, map: new SourceMap(JSON.parse(r.map)) };
  } catch (e) {
    const errs = (
      e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }
    ).errors;
    const first = errs?.[0];
    if (first) {
      const loc = first.location;
      throw new StrategyCodeError(
        loc ? `${src.file}:${loc.line}:${loc.column + 1}: ${first.text}` : `${src.file}: ${first.text}`,
      );
    }
    throw new StrategyCodeError(`${src.file}: ${(e as Error).message}`);
  }
}

// Runs inside the context before the user's module: hardens the globals, then builds the bridge the
// host calls. Everything it uses is captured here, before user code could replace a builtin.
/**
 * The first statements of every sandbox prelude (strategies and features): hardens the context's globals (no
 * WebAssembly, shared memory or weak refs, a seeded `Math.random` whose seed is `seed`, a `Date` without a clock)
 * and defines `CtxError`, `JSONparse`, `JSONstringify`, `ObjectKeys`, `isArray` taken before user code runs.
 */
export const HARDEN = String.raw`  const G = globalThis;
  const JSONparse = JSON.parse, JSONstringify = JSON.stringify, ObjectKeys = Object.keys, isArray = Array.isArray;
  const CtxError = Error, NaN_ = NaN, MapProto = Map.prototype, mapEntries = Map.prototype.entries;
  const AB = ArrayBuffer, F64 = Float64Array, I32 = Int32Array;
  Object.defineProperty(CtxError, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
  for (const k of ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef']) delete G[k];
  let seed = 0, draws = 0;
  function random() {
    draws++;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  Math.random = random;
  const RealDate = Date;
  function SafeDate(...a) {
    if (!new.target || a.length === 0) throw new CtxError('the clock is not available in a strategy (Date(), new Date(), Date.now): use bar.time');
    return new RealDate(...a);
  }
  SafeDate.prototype = RealDate.prototype;
  SafeDate.UTC = RealDate.UTC;
  SafeDate.parse = RealDate.parse;
  SafeDate.now = function now() { throw new CtxError('the clock is not available in a strategy (Date.now): use bar.time'); };
  Object.defineProperty(RealDate.prototype, 'constructor', { value: SafeDate, writable: false, configurable: false });
  G.Date = SafeDate;

`;

const PRELUDE = String.raw`(function (sdk, factory, hostCall) {
  'use strict';
  ${HARDEN}
  // The SDK's exports as a frozen object of plain values: the bundle's are getters reading a second
  // object of getters through one shared keyed load, a megamorphic lookup on every call from user code
  // (a quarter of a user ema-cross's time). Frozen values are constants that user code's calls inline.
  const sdkExports = {};
  Object.defineProperty(sdkExports, '__esModule', { value: true });
  for (const k of ObjectKeys(sdk)) sdkExports[k] = sdk[k];
  Object.freeze(sdkExports);
  const mod = { exports: {} };
  function require(name) {
    if (name === ${JSON.stringify(SDK_MODULE)}) return sdkExports;
    throw new CtxError('\u0000import:' + String(name));
  }
  // The SDK's indicator memo (indicators/memo.ts), taken before user code runs: the host opens a scope
  // per symbol and passes it in as primitives; owners are context objects keyed by the host's number.
  const withMemo = sdk.__withIndicatorMemo;
  const memoOwners = new Map();
  factory(require, mod, mod.exports);
  const def = mod.exports && mod.exports.__esModule ? mod.exports.default : (mod.exports.default || mod.exports);
  if (!def || typeof def !== 'object' || typeof def.kind !== 'string') throw new CtxError('the default export must be defineStrategy({...}) from ' + ${JSON.stringify(SDK_MODULE)});
  const parsedByJson = new Map();
  function params(json) {
    let p = parsedByJson.get(json);
    if (p === undefined) { p = def.params.parse(JSONparse(json)); parsedByJson.set(json, p); }
    return p;
  }
  function call(op, a, b) {
    let r;
    try { r = hostCall(op, a, b); } catch (e) { throw new CtxError('host call failed'); }
    if (typeof r === 'string' && r.charCodeAt(0) === 0) throw new CtxError(r.slice(1));
    return r;
  }
  function makeView() {
    const n = call('universeLength');
    const universe = [];
    for (let k = 0; k < n; k++) universe.push(call('universeAt', k));
    return {
      date: call('date'),
      universe,
      close: (s) => call('close', '' + s),
      rawClose: (s) => call('rawClose', '' + s),
      closeLag: (s, lag) => call('closeLag', '' + s, +lag),
      volatility: (s, days) => call('volatility', '' + s, +days),
      fundamental: (s, field) => call('fundamental', '' + s, '' + field),
      bar: (s, field) => call('bar', '' + s, '' + field),
    };
  }
  function weightsJson(w) {
    if (w === null || w === undefined) return 'null';
    const out = [];
    if (w instanceof Map) { for (const [k, v] of mapEntries.call(w)) out.push(['' + k, +v]); }
    else for (const k of ObjectKeys(w)) out.push([k, +w[k]]);
    return JSONstringify(out);
  }
  function schemaJson() {
    try { return JSONstringify(sdk.z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' })); } catch (e) { return '{}'; }
  }
  const view = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  function initState(json, owner, index, capacity) {
    if (owner < 0 || typeof withMemo !== 'function') return def.init(params(json));
    let o = memoOwners.get(owner);
    if (o === undefined) { o = {}; memoOwners.set(owner, o); }
    return withMemo(o, index, capacity, () => def.init(params(json)));
  }
  // A symbol's bars and one run's decisions, for stepAll: columns of cap values in one buffer the host
  // writes and reads through views of its own. User code never sees the buffer, only the view object.
  let cap = 0, buf = null, T, O, H, L, C, V, TG, AT;
  function columns(m) {
    if (m > cap) {
      cap = m;
      buf = new AB(cap * 60);
      T = new F64(buf, 0, cap); O = new F64(buf, cap * 8, cap); H = new F64(buf, cap * 16, cap);
      L = new F64(buf, cap * 24, cap); C = new F64(buf, cap * 32, cap); V = new F64(buf, cap * 40, cap);
      TG = new F64(buf, cap * 48, cap); AT = new I32(buf, cap * 56, cap);
    }
    return buf;
  }
  // onBar over the first m bars of the columns (see stepAll). The user's onBar is called through a call site
  // that has already seen two other functions (the warm-up below, before user code runs), so its feedback is
  // megamorphic for good and TurboFan never inlines onBar into this loop: onBar is optimised on its own, as
  // the host's onBar is under the engine's and the signal kernel's loops. Inlined, what TurboFan made of the
  // loop depended on the feedback at the moment it compiled it (recording streams early in a sweep, replays
  // later), and a sweep ran 1.2x or 1.6x the built-in's time from one run to the next.
  function barsLoop(strat, state, m) {
    // Locals: onBar is an opaque call, after which closure variables would be loaded again on every bar.
    const bar = view, t = T, o = O, h = H, l = L, c = C, v = V, at = AT, tg = TG;
    let k = 0;
    for (let j = 0; j < m; j++) {
      bar.index = j; bar.time = t[j]; bar.open = o[j]; bar.high = h[j]; bar.low = l[j]; bar.close = c[j]; bar.volume = v[j];
      const d = strat.onBar(state, bar);
      if (d === null || d === undefined) continue;
      if (typeof d !== 'number') return -1;
      if (d !== d) continue;
      at[k] = j;
      tg[k++] = d;
    }
    return k;
  }
  columns(1);
  barsLoop({ onBar() { return null; } }, null, 1);
  barsLoop({ onBar: function () { return null; } }, null, 1);
  cap = 0; buf = null;
  return {
    describe: () => JSONstringify({ name: '' + (def.name || ''), description: '' + (def.description || ''), kind: def.kind, schema: schemaJson() }),
    parse(json) {
      const r = def.params.safeParse(JSONparse(json));
      if (r.success) return JSONstringify({ ok: true, data: r.data });
      return JSONstringify({ ok: false, issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: '' + i.message })) });
    },
    seed(s) { seed = s | 0; },
    init: initState,
    columns,
    // init, then onBar over the first m bars of the columns, as the host's init and onBar calls would,
    // in one call: decisions that are numbers (NaN dropped) go to AT/TG; anything else ends the run
    // with -1 (an order intent: the host runs it in the engine); with noRandom, a Math.random draw
    // ends it with -2.
    stepAll(s, json, owner, index, capacity, m, noRandom) {
      seed = s | 0;
      draws = 0;
      const k = barsLoop(def, initState(json, owner, index, capacity), m);
      return k >= 0 && noRandom && draws !== 0 ? -2 : k;
    },
    onBar(state, index, time, open, high, low, close, volume) {
      view.index = index; view.time = time; view.open = open; view.high = high; view.low = low; view.close = close; view.volume = volume;
      return def.onBar(state, view);
    },
    rebalance: (json) => '' + def.rebalance(params(json)),
    fields: (json) => JSONstringify(def.fields ? [...def.fields(params(json))].map(String) : []),
    weights: (json) => weightsJson(def.weights(params(json), makeView())),
    step: (state) => weightsJson(def.step(state, makeView())),
  };
})`;

const memoOwnerNumbers = new WeakMap<object, number>();
let memoOwnerCount = 0;
/** A number standing for a memo owner (a panel) inside every context: objects never cross. */
function memoOwnerNumber(owner: object): number {
  let k = memoOwnerNumbers.get(owner);
  if (k === undefined) memoOwnerNumbers.set(owner, (k = memoOwnerCount++));
  return k;
}

/** The bridge object the prelude returns (a context-realm object the host only calls). */
interface Bridge {
  describe(): string;
  parse(json: string): string;
  seed(s: number): void;
  init(json: string, memoOwner: number, memoIndex: number, memoCapacity: number): unknown;
  columns(m: number): unknown;
  stepAll(
    seed: number,
    json: string,
    memoOwner: number,
    memoIndex: number,
    memoCapacity: number,
    m: number,
    noRandom: boolean,
  ): number;
  onBar(
    state: unknown,
    index: number,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): unknown;
  rebalance(json: string): string;
  fields(json: string): string;
  weights(json: string): string;
  step(state: unknown): string;
}

/** A user strategy loaded in the sandbox: a {@link Strategy} the engine runs like a built-in. */
export type SandboxedStrategy = Strategy & {
  readonly sandboxed: true;
  readonly file: string;
  readonly hash: string;
  readonly jsonSchema: Record<string, unknown>;
  /** A single-symbol strategy's door for whole series (the signal kernel): one call per run, not per bar. */
  readonly stepper?: SandboxStepper;
};

/** Host views over a sandbox's columns: a symbol's bars in, one run's decisions out. */
export interface StepColumns {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Per decision, the bar it was made on (increasing). */
  readonly at: Int32Array;
  /** Per decision, the target (a number, never NaN). */
  readonly target: Float64Array;
}

/**
 * Steps a sandboxed single-symbol strategy over a whole series in one crossing into its context:
 * the bars are written once per symbol into columns the context owns, then each run (one combination)
 * is one call that inits the strategy and calls its `onBar` on every bar inside the context, exactly as
 * the host's `init` and per-bar `onBar` would (same view object, fields, index and random seed).
 */
export interface SandboxStepper {
  /** Views for at least `m` bars; they stay valid until a call with a larger `m`. */
  columns(m: number): StepColumns;
  /** The parameters as `stepAll` takes them (once per combination). */
  paramsKey(p: unknown): string;
  /**
   * `init` with the parameters (memoised like {@link Strategy} `init` in an open indicator-memo scope), then
   * `onBar` over the first `m` bars of the columns; returns how many decisions were written to `at`/`target`,
   * or -1 when a bar returned something other than a number or null (an order intent: run it in the engine),
   * or with `noRandom`, -2 when the strategy drew from `Math.random` (over several names the engine draws
   * in its own interleaved order). Must run under {@link withTimeLimit}.
   */
  stepAll(paramsKey: string, m: number, noRandom: boolean): number;
}

let overridden = false;
const envTimeout = Number(process.env.QUANTDESK_STRATEGY_TIMEOUT_MS);
let defaultTimeoutMs = envTimeout > 0 ? envTimeout : 10_000;

/** The per-step time limit for user code (default 10 s; `--strategy-timeout`). */
export function strategyTimeoutMs(): number {
  // The CLI's --strategy-timeout sets the environment, possibly after this module loaded.
  const env = Number(process.env.QUANTDESK_STRATEGY_TIMEOUT_MS);
  return env > 0 && !overridden ? env : defaultTimeoutMs;
}

/** Sets the per-step time limit for user code in this process. */
export function setStrategyTimeoutMs(ms: number): void {
  if (!(ms > 0)) throw new RangeError(`strategy timeout must be > 0 ms, got ${ms}`);
  defaultTimeoutMs = ms;
  overridden = true;
}

// Made on the first time-limited call: a context costs a few ms, and a process that runs only built-in
// strategies (`quantdesk backtest` of sma-cross) never needs one.
let watchdog: vm.Context | undefined;
let watchScript: vm.Script | undefined;

/**
 * Runs `fn` (host code that calls into user code) with a time limit: V8 terminates it when it runs
 * longer than `timeoutMs`, and this throws a clear error naming `file`. The watchdog context is
 * separate from every strategy's, so user code never sees `fn`.
 */
export function withTimeLimit<T>(fn: () => T, file: string, timeoutMs = strategyTimeoutMs()): T {
  // Nested limits: the outer one already bounds the call (and a second watchdog would cost ~0.1 ms).
  if (guardDepth > 0) return fn();
  watchdog ??= vm.createContext(Object.create(null));
  watchScript ??= new vm.Script('__run()', { filename: 'quantdesk-watchdog' });
  const context = watchdog;
  (context as { __run?: () => T }).__run = fn;
  guardDepth++;
  try {
    return watchScript.runInContext(context, { timeout: timeoutMs }) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new StrategyCodeError(
        `${file}: the strategy was stopped after ${(timeoutMs / 1000).toFixed(timeoutMs % 1000 ? 1 : 0)} s without finishing a step (an endless loop?); raise --strategy-timeout if it is only slow`,
      );
    }
    throw e;
  } finally {
    guardDepth--;
    (context as { __run?: unknown }).__run = undefined;
  }
}

/** How many {@link withTimeLimit} calls are running (0: user code called now would run unbounded). */
let guardDepth = 0;

/** Maps an error thrown by user code to `FILE:LINE:COL: message` of the user's source. */
export function userError(e: unknown, src: StrategySource, compiled: Compiled, scriptName: string): Error {
  if (e instanceof BacktestInputError) return e;
  let message: string;
  let stack = '';
  try {
    message = String((e as { message?: unknown })?.message ?? e);
    stack = String((e as { stack?: unknown })?.stack ?? '');
  } catch {
    message = 'the strategy threw a value that cannot be read';
  }
  if (message.startsWith('\u0000import:')) {
    const name = message.slice('\u0000import:'.length);
    return new StrategyCodeError(
      `${locateImport(src, name)}: cannot import "${name}": a strategy may import only ${SDK_MODULE}`,
    );
  }
  if ((e as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return e as Error;
  const escaped = scriptName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  if (m) {
    const entry = compiled.map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as {
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry && entry.originalLine !== undefined)
      return new StrategyCodeError(
        `${src.file}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}: ${message}`,
      );
  }
  return new StrategyCodeError(`${src.file}: ${message}`);
}

/** `FILE:LINE:COL` of the import of `name` in the source (the file alone when it cannot be found). */
function locateImport(src: StrategySource, name: string): string {
  const lines = src.source.split('\n');
  const q = JSON.stringify(name).slice(1, -1);
  for (let i = 0; i < lines.length; i++) {
    for (const quote of ["'", '"', '`']) {
      const at = lines[i].indexOf(`${quote}${q}${quote}`);
      if (at >= 0 && /\b(import|from|require)\b/.test(lines[i])) return `${src.file}:${i + 1}:${at + 1}`;
    }
  }
  return src.file;
}

/**
 * Compiles and loads `src` in a fresh sandbox and returns it as a strategy. Module evaluation runs
 * under the time limit.
 * @throws StrategyCodeError (`FILE:LINE:COL: message`) for a compile error, a forbidden import, a
 * throw at load or a default export that is not a strategy.
 */
export function loadSandboxedStrategy(src: StrategySource, timeoutMs = strategyTimeoutMs()): SandboxedStrategy {
  const compiled = compile(src);
  const context = vm.createContext(Object.create(null), {
    codeGeneration: { strings: false, wasm: false },
    name: src.file,
  });
  // The sandbox's copy of the indicator memo gets the host's budget (it has no `process` to read it from).
  const global = context as { __qdIndicatorMemoBytes?: number };
  global.__qdIndicatorMemoBytes = indicatorMemoBudget();
  try {
    sdkRuntime().runInContext(context);
  } finally {
    delete global.__qdIndicatorMemoBytes;
  }
  const scriptName = `quantdesk-user:${src.hash.slice(0, 12)}.js`;
  const wrapped = `(function (require, module, exports) {\n${compiled.code}\n})`;
  let bridge: Bridge;
  let current: CrossSectionView | null = null;
  // The one host function the context holds; it takes and returns primitives and never throws.
  const hostCall = (op: string, a: unknown, b: unknown): unknown => {
    try {
      const v = current;
      if (!v) return '\u0000no cross-section outside a decision';
      switch (op) {
        case 'date':
          return v.date;
        case 'universeLength':
          return v.universe.length;
        case 'universeAt':
          return String(v.universe[Number(a)]);
        case 'close':
          return v.close(String(a));
        case 'rawClose':
          return v.rawClose(String(a));
        case 'closeLag':
          return v.closeLag(String(a), Number(b));
        case 'volatility':
          return v.volatility(String(a), Number(b));
        case 'fundamental':
          return v.fundamental(String(a), String(b));
        case 'bar': {
          const f = String(b);
          if (f !== 'open' && f !== 'high' && f !== 'low' && f !== 'close' && f !== 'volume')
            return `\u0000view.bar: unknown field "${f}" (open, high, low, close, volume)`;
          return v.bar ? v.bar(String(a), f) : Number.NaN;
        }
        default:
          return `\u0000unknown view call ${String(op)}`;
      }
    } catch (e) {
      return `\u0000${String((e as Error)?.message ?? e)}`;
    }
  };
  try {
    bridge = withTimeLimit(
      () => {
        const factory = new vm.Script(wrapped, { filename: scriptName, lineOffset: -1 }).runInContext(context);
        const prelude = new vm.Script(PRELUDE, { filename: 'quantdesk-prelude.js' }).runInContext(context) as (
          sdk: unknown,
          f: unknown,
          h: unknown,
        ) => Bridge;
        return prelude(vm.runInContext('__qd_sdk', context), factory, hostCall);
      },
      src.file,
      timeoutMs,
    );
  } catch (e) {
    throw userError(e, src, compiled, scriptName);
  }
  const fail = (e: unknown) => userError(e, src, compiled, scriptName);
  const info = JSON.parse(bridge.describe()) as {
    name: string;
    description: string;
    kind: Strategy['kind'];
    schema: string;
  };
  const jsonSchema = JSON.parse(info.schema) as Record<string, unknown>;
  const params = z.unknown().transform((value, ctx) => {
    let r: { ok: true; data: unknown } | { ok: false; issues: { path: string[]; message: string }[] };
    try {
      r = JSON.parse(bridge.parse(JSON.stringify(value ?? {})));
    } catch (e) {
      throw fail(e);
    }
    if (r.ok) return r.data;
    for (const i of r.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
    return z.NEVER;
  });
  const name = info.name || src.name;
  const base = {
    name,
    description: info.description || `user strategy ${name}`,
    params,
    sandboxed: true as const,
    file: src.file,
    hash: src.hash,
    jsonSchema,
  };
  // Params reach the context as JSON text; the parsed copy is cached there per text.
  const key = (p: unknown) => JSON.stringify(p ?? {});
  const weightsOf = (json: string): ReadonlyMap<string, number> => {
    const arr = JSON.parse(json) as [string, number][] | null;
    return (arr === null ? null : new Map(arr)) as ReadonlyMap<string, number>;
  };
  if (info.kind === 'single') {
    const onBarLimited = (state: unknown, bar: BarView): Decision => {
      let d: unknown;
      try {
        d = withTimeLimit(
          () => bridge.onBar(state, bar.index, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume),
          src.file,
        );
      } catch (e) {
        throw fail(e);
      }
      return typeof d === 'number' || d === null || d === undefined ? ((d ?? null) as Decision) : toIntent(d, fail);
    };
    let cap = 0;
    let cols: StepColumns | null = null;
    const seed = seedOf(src.hash);
    const stepper: SandboxStepper = {
      columns(m: number): StepColumns {
        if (cols === null || m > cap) {
          const ab = bridge.columns(m);
          // Built by the prelude's own constructors; the host's views read it without calling into the context.
          if (!types.isArrayBuffer(ab)) throw new Error(`${src.file}: the sandbox's columns are not an ArrayBuffer`);
          cap = m;
          const f = (k: number) => new Float64Array(ab, k * 8 * m, m);
          cols = {
            time: f(0),
            open: f(1),
            high: f(2),
            low: f(3),
            close: f(4),
            volume: f(5),
            target: f(6),
            at: new Int32Array(ab, 56 * m, m),
          };
        }
        return cols;
      },
      paramsKey: key,
      stepAll(json: string, m: number, noRandom: boolean): number {
        if (guardDepth === 0) throw new Error('stepAll runs user code: call it under withTimeLimit');
        if (m > cap) throw new RangeError(`stepAll: ${m} bars, columns hold ${cap}`);
        const memo = currentIndicatorMemo();
        let k: unknown;
        try {
          k = memo
            ? bridge.stepAll(seed, json, memoOwnerNumber(memo.owner), memo.index, memo.capacity, m, noRandom)
            : bridge.stepAll(seed, json, -1, 0, 0, m, noRandom);
        } catch (e) {
          throw fail(e);
        }
        return typeof k === 'number' && (k >= 0 || k === -2) ? k : -1;
      },
    };
    return {
      ...base,
      kind: 'single',
      stepper,
      init(p: unknown) {
        try {
          bridge.seed(seedOf(src.hash));
          const memo = currentIndicatorMemo();
          return memo
            ? bridge.init(key(p), memoOwnerNumber(memo.owner), memo.index, memo.capacity)
            : bridge.init(key(p), -1, 0, 0);
        } catch (e) {
          throw fail(e);
        }
      },
      onBar(state: unknown, bar: BarView): Decision {
        // Outside a time-limited batch (the live runner steps bar by bar), each call gets its own limit.
        // Kept out of this function: a closure here would allocate a context on every bar.
        if (guardDepth === 0) return onBarLimited(state, bar);
        let d: unknown;
        try {
          d = bridge.onBar(state, bar.index, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume);
        } catch (e) {
          throw fail(e);
        }
        return typeof d === 'number' || d === null || d === undefined ? ((d ?? null) as Decision) : toIntent(d, fail);
      },
    };
  }
  const withView = <T>(view: CrossSectionView, f: () => T): T => {
    current = view;
    try {
      return withTimeLimit(f, src.file);
    } catch (e) {
      throw fail(e);
    } finally {
      current = null;
    }
  };
  const fields = (p: unknown) => {
    try {
      return JSON.parse(bridge.fields(key(p))) as string[];
    } catch (e) {
      throw fail(e);
    }
  };
  if (info.kind === 'cross-sectional') {
    return {
      ...base,
      kind: 'cross-sectional',
      rebalance: (p: unknown) => bridge.rebalance(key(p)) as never,
      fields,
      weights: (p: unknown, view: CrossSectionView) => withView(view, () => weightsOf(bridge.weights(key(p)))),
    };
  }
  if (info.kind === 'portfolio') {
    return {
      ...base,
      kind: 'portfolio',
      fields,
      init(p: unknown) {
        try {
          bridge.seed(seedOf(src.hash));
          const memo = currentIndicatorMemo();
          return memo
            ? bridge.init(key(p), memoOwnerNumber(memo.owner), memo.index, memo.capacity)
            : bridge.init(key(p), -1, 0, 0);
        } catch (e) {
          throw fail(e);
        }
      },
      step: (state: unknown, view: CrossSectionView) =>
        withView(view, () => weightsOf(bridge.step(state)) as WeightsLike),
    };
  }
  throw new StrategyCodeError(`${src.file}: unknown strategy kind "${String(info.kind)}"`);
}

/** The `Math.random` seed of a source (from its hash). */
export function seedOf(hash: string): number {
  return Number.parseInt(hash.slice(0, 8), 16) | 0;
}

/** Copies an order intent returned by user code into a host object (numbers and the type only). */
function toIntent(d: unknown, fail: (e: unknown) => Error): Decision {
  try {
    const o = d as Record<string, unknown>;
    const num = (v: unknown) => (v === undefined ? undefined : Number(v));
    const type = o.type === undefined ? undefined : String(o.type);
    return {
      target: Number(o.target),
      ...(type !== undefined ? { type: type as 'market' | 'limit' | 'stop' } : {}),
      ...(o.price !== undefined ? { price: num(o.price) } : {}),
      ...(o.stopLoss !== undefined ? { stopLoss: num(o.stopLoss) } : {}),
      ...(o.takeProfit !== undefined ? { takeProfit: num(o.takeProfit) } : {}),
      ...(o.trailingStopPct !== undefined ? { trailingStopPct: num(o.trailingStopPct) } : {}),
    };
  } catch (e) {
    throw fail(e);
  }
}

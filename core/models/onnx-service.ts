import { createHash } from 'node:crypto';
import { evaluateBatch } from '../features/batch';
import { resolveFeatures, type FeatureDef } from '../features/defs';
import { loadFeatureSource } from '../features/matrix';
import { formatDate, parseDate } from '../model/time';
import type { Store } from '../store/sqlite-bar-store';
import { computeLabels } from './labels';
import { modelMetrics } from './metrics';
import { loadOnnx, onnxHash, onnxManifestSchema, type OnnxManifest } from './onnx';
import { getModel, insertModel, MODEL_CODE_VERSION, type ModelRecord } from './registry';
import { notCoveredError, type ExplainOutput, type TrainOutput } from './service';
import { shapleyValues } from './shapley';
import { featureSetHash, FeatureSpecError } from '../features/defs';
import { memberAt } from '../features/members';

/** Parses a manifest; problems as `path: message`. */
export function parseManifest(raw: unknown): { ok: true; manifest: OnnxManifest } | { ok: false; problems: string[] } {
  const r = onnxManifestSchema.safeParse(raw);
  if (r.success) return { ok: true, manifest: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || '(manifest)'}: ${i.message}`) };
}

/**
 * The manifest's features over the store (up to `to`): with a named `universe`, cross-sections rank within it and
 * `member(s, t)` says whether instrument s was a member on day t as known that day (always true without one).
 */
function sourceFor(store: Store, manifest: OnnxManifest, to?: number) {
  const features = resolveFeatures(manifest.features as FeatureDef[], 'features', { store });
  let src;
  try {
    src = loadFeatureSource(store, features, {
      ...(manifest.symbols ? { symbols: manifest.symbols } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(manifest.universe !== undefined ? { universe: manifest.universe } : {}),
    });
  } catch (e) {
    // An unknown universe is the manifest's field.
    if (manifest.universe !== undefined && /^universe "/.test((e as Error).message))
      throw new FeatureSpecError('universe', (e as Error).message);
    throw e;
  }
  const u = src.universe;
  const { time } = src.panel;
  return {
    features,
    src,
    member: (s: number, t: number) => !u || memberAt(u, s, time[t]),
    cols: evaluateBatch(
      src,
      features.map((f) => f.expr),
    ),
  };
}

/**
 * The scope part of an import's id: the same bytes scored on another universe or symbols list are another registry
 * version (the registry keeps the first record of an id, so without it a second import was silently not stored).
 * Empty for every instrument of the store, so those ids are as before.
 */
function scopeTag(manifest: OnnxManifest): string {
  const u = manifest.universe === 'all' ? undefined : manifest.universe;
  if (u === undefined && manifest.symbols === undefined) return '';
  const h = createHash('sha256').update(JSON.stringify([u ?? 'all', manifest.symbols ?? null]));
  return `-u${h.digest('hex').slice(0, 6)}`;
}

/**
 * Imports an ONNX model with its manifest: checks it runs on the manifest's features, scores it out of sample on
 * the store's days after its training window (purged by the label horizon) and records it in the registry.
 */
export async function importOnnx(
  store: Store,
  bytes: Uint8Array,
  manifest: OnnxManifest,
  now = Date.now(),
): Promise<TrainOutput> {
  const runner = await loadOnnx(bytes, manifest);
  try {
    const { features, src, cols, member } = sourceFor(store, manifest);
    const { panel } = src;
    const labels = computeLabels(panel, manifest.label);
    const trainEnd = parseDate(manifest.trainEnd)!;
    let first = 0;
    while (first < panel.nDays && panel.time[first] <= trainEnd) first++;
    first += manifest.label.horizon;
    const rows: Float64Array[] = [];
    const keys: number[] = [];
    for (let s = 0; s < panel.nInst; s++) {
      for (let t = first; t < panel.nDays; t++) {
        const k = s * panel.nDays + t;
        if (!Number.isFinite(panel.close[k]) || !member(s, t)) continue;
        rows.push(Float64Array.from(cols, (c) => c[k]));
        keys.push(k);
      }
    }
    if (rows.length === 0)
      throw new Error(
        `no days in the store after the training window (${manifest.trainEnd}) + horizon to score the model on`,
      );
    const pred = await runner.run(rows);
    const objective = manifest.label.kind === 'forward-direction' ? 'binary' : 'regression';
    // A classifier's output is a probability here: centre it so hit rate and AUC read it like log-odds.
    const p = objective === 'binary' ? pred.map((v) => v - 0.5) : pred;
    const metrics = modelMetrics(
      keys.map((k) => panel.time[k % panel.nDays]),
      p,
      keys.map((k) => labels[k]),
      objective,
    );
    const hash = onnxHash(bytes);
    const fh = featureSetHash(features);
    const windows = [
      {
        trainStart: manifest.trainStart,
        trainEnd: manifest.trainEnd,
        testStart: formatDate(panel.time[Math.min(first, panel.nDays - 1)]),
        testEnd: formatDate(panel.time[panel.nDays - 1]),
        metrics,
      },
    ];
    const record: ModelRecord = {
      id: `onnx-${hash}-${fh.slice(0, 6)}${scopeTag(manifest)}`,
      kind: 'onnx',
      name: manifest.name ?? null,
      spec: manifest,
      lineage: {
        dataFingerprint: panel.fingerprint,
        featureSetHash: fh,
        features: features.map((f) => f.label),
        label: manifest.label,
        hyperparameters: { onnxSha256: hash, input: runner.inputName, output: runner.outputName },
        walkForward: { trainStart: manifest.trainStart, trainEnd: manifest.trainEnd },
        codeVersion: MODEL_CODE_VERSION,
        ...(manifest.source ? { source: manifest.source } : {}),
      },
      metrics,
      windows,
      importance: null,
      createdAt: now,
    };
    insertModel(store, record, Buffer.from(bytes));
    return { modelId: record.id, windows, metrics };
  } finally {
    await runner.release();
  }
}

/** Prediction and exact Shapley explanation (against 32 background rows from the training window) of an ONNX model. */
export async function explainOnnxAt(store: Store, id: string, symbol: string, date: string): Promise<ExplainOutput> {
  const got = getModel(store, id);
  if (!got || got.record.kind !== 'onnx')
    throw new Error(`no model "${id}" in the registry (see quantdesk models list)`);
  const manifest = got.record.spec as OnnxManifest;
  const d = parseDate(date);
  if (d === null) throw new Error(`--date: expected YYYY-MM-DD, got "${date}"`);
  if (date <= manifest.trainEnd)
    throw new Error(`no out-of-sample model covers ${date}: the model was trained up to ${manifest.trainEnd}`);
  const { features, src, cols, member } = sourceFor(store, manifest, d);
  const { panel } = src;
  const s = panel.symbols.indexOf(symbol);
  const t = panel.nDays - 1;
  if (t < 0 || formatDate(panel.time[t]) !== formatDate(d))
    throw new Error(`no bars on ${formatDate(d)} (not a trading day in the store)`);
  if (s < 0 || !member(s, t) || !Number.isFinite(panel.close[s * panel.nDays + t]))
    throw notCoveredError(symbol, formatDate(d), src.universe?.name, s >= 0 && member(s, t));
  const x = Float64Array.from(cols, (c) => c[s * panel.nDays + t]);
  const a = parseDate(manifest.trainStart)!;
  const b = parseDate(manifest.trainEnd)!;
  const inTrain: number[] = [];
  for (let i = 0; i < panel.nInst; i++)
    for (let k = 0; k < panel.nDays; k++)
      if (panel.time[k] >= a && panel.time[k] <= b && Number.isFinite(panel.close[i * panel.nDays + k]) && member(i, k))
        inTrain.push(i * panel.nDays + k);
  const step = Math.max(1, Math.floor(inTrain.length / 32));
  const background = inTrain
    .filter((_, i) => i % step === 0)
    .slice(0, 32)
    .map((k) => Float64Array.from(cols, (c) => (Number.isFinite(c[k]) ? c[k] : 0)));
  if (background.length === 0) throw new Error('no bars in the training window to explain against');
  const runner = await loadOnnx(got.artifact, manifest);
  try {
    const e = await shapleyValues((rows) => runner.run(rows), x, background);
    const contributions = features.map((f, j) => ({
      feature: f.label,
      value: Number.isFinite(x[j]) ? x[j] : null,
      contribution: e.contributions[j],
    }));
    contributions.sort(
      (p, q) => Math.abs(q.contribution) - Math.abs(p.contribution) || p.feature.localeCompare(q.feature),
    );
    return { prediction: e.prediction, base: e.base, contributions };
  } finally {
    await runner.release();
  }
}

/** Predictions of an ONNX model for every symbol (or one) at a date after its training window. */
export async function predictOnnxAt(
  store: Store,
  id: string,
  date: string,
  symbol?: string,
): Promise<{ symbol: string; date: string; prediction: number; window: string }[]> {
  const got = getModel(store, id);
  if (!got || got.record.kind !== 'onnx')
    throw new Error(`no model "${id}" in the registry (see quantdesk models list)`);
  const manifest = got.record.spec as OnnxManifest;
  const d = parseDate(date);
  if (d === null) throw new Error(`--date: expected YYYY-MM-DD, got "${date}"`);
  if (date <= manifest.trainEnd)
    throw new Error(`no out-of-sample model covers ${date}: the model was trained up to ${manifest.trainEnd}`);
  const { src, cols, member } = sourceFor(store, manifest, d);
  const { panel } = src;
  const t = panel.nDays - 1;
  if (t < 0 || formatDate(panel.time[t]) !== formatDate(d))
    throw new Error(`no bars on ${formatDate(d)} (not a trading day in the store)`);
  const idx: number[] = [];
  for (let s = 0; s < panel.nInst; s++)
    if (
      (symbol === undefined || panel.symbols[s] === symbol) &&
      Number.isFinite(panel.close[s * panel.nDays + t]) &&
      member(s, t)
    )
      idx.push(s);
  if (symbol !== undefined && idx.length === 0) {
    const s = panel.symbols.indexOf(symbol);
    throw notCoveredError(symbol, formatDate(d), src.universe?.name, s >= 0 && member(s, t));
  }
  const runner = await loadOnnx(got.artifact, manifest);
  try {
    const out = await runner.run(idx.map((s) => Float64Array.from(cols, (c) => c[s * panel.nDays + t])));
    return idx.map((s, i) => ({ symbol: panel.symbols[s], date: formatDate(d), prediction: out[i], window: 'latest' }));
  } finally {
    await runner.release();
  }
}

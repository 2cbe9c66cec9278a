/**
 * The floor under issue 14's ≤ 100 ms: a Node process that only prints a finished run's `backtest --json`
 * bytes, with the CLI's own print code (`outputJsonBytes`) and nothing else (no store, no engine, no registry).
 * `node out/bench/print-floor.js COLUMNS.json EQUITY.bin` (written by bench/backtest.ts from a real run):
 * COLUMNS.json holds spec, metrics, trades, open positions and runId, EQUITY.bin the equity times then values
 * as float64. Bundled on its own (scripts/build.mjs), so its start loads nothing the print does not need.
 */
import { readFileSync, writeSync } from 'node:fs';
import { outputJsonBytes, type BacktestColumns } from '../core/backtest/json';

const [colsFile, equityFile] = process.argv.slice(2);
const head = JSON.parse(readFileSync(colsFile, 'utf8')) as Omit<BacktestColumns, 'equity'>;
const raw = readFileSync(equityFile);
const n = raw.length / 16;
const floats = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + n * 16));
const time = floats.subarray(0, n);
const value = floats.subarray(n);
const bytes = outputJsonBytes({ ...head, equity: { time, value, drawdown: new Float64Array(0) } }, '\n');
let at = 0;
while (at < bytes.length) at += writeSync(1, bytes, at);

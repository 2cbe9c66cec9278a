/**
 * Phase marks of one CLI process, for `npm run bench -- backtest`'s split: with `QUANTDESK_TIMINGS=1`,
 * bin/quantdesk.js prints `quantdesk timings: {"wall":{"name": ms, ...},"cpu":{...}}` on stderr at exit: each
 * mark in milliseconds since the process started (`performance.now()`) and the process's CPU time by then
 * (user + system, every thread), in the order they were made. Off (one
 * environment read) otherwise. The marks live on `globalThis` under a registered symbol: the dispatcher and
 * each command are separate bundles, each with its own copy of this module.
 */
const KEY = Symbol.for('quantdesk.timings');

type Marks = [string, number, number][];

/** Records `name` now, when timings are on (bin/quantdesk.js created the list). */
export function mark(name: string): void {
  const marks = (globalThis as { [KEY]?: Marks })[KEY];
  if (marks === undefined) return;
  const cpu = process.cpuUsage();
  marks.push([name, performance.now(), (cpu.user + cpu.system) / 1000]);
}

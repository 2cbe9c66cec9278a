import { INDICATORS, isIndicatorName, listIndicators } from '../indicators/registry';
import { fail, ok } from '../model/result';
import { barsRange } from '../store/queries';
import type { indicatorsMethods } from '../contract/indicators';
import type { Handlers } from './registry';
import type { Services } from './services';

/**
 * Handlers of `indicators:list` (the registry as plain data) and `indicators:compute` (one indicator over a
 * symbol's stored bars; NaN warm-up values become `null` so the result is JSON-safe for the WebSocket host).
 */
export function indicatorHandlers(s: Services): Pick<Handlers, keyof typeof indicatorsMethods> {
  const listing = listIndicators();
  return {
    'indicators:list': () => ok(listing),
    'indicators:compute': (input) => {
      if (!isIndicatorName(input.name)) {
        return fail('invalid-input', `Unknown indicator "${input.name}"; known: ${Object.keys(INDICATORS).join(', ')}`);
      }
      const ind = INDICATORS[input.name];
      const parsed = ind.params.safeParse(input.params);
      if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
        return fail('invalid-input', `Bad parameters for ${input.name}: ${why}`);
      }
      const bars = barsRange(s.store, input.symbol, {
        from: input.from,
        to: input.to,
        adjustedAsOf: input.adjustedAsOf,
      });
      if (!bars.ok) return bars;
      const cols = ind.batch(bars.value, parsed.data);
      const outputs: Record<string, (number | null)[]> = {};
      for (const key of ind.outputs) {
        const c = cols[key];
        const arr = new Array<number | null>(c.length);
        for (let i = 0; i < c.length; i++) arr[i] = Number.isNaN(c[i]) ? null : c[i];
        outputs[key] = arr;
      }
      return ok({ name: input.name, params: parsed.data, time: Array.from(bars.value.time), outputs });
    },
  };
}

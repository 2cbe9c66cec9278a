import { INDICATORS, isIndicatorName, listIndicators } from '../indicators/registry';
import { fail, ok } from '../model/result';
import { barsRange } from '../store/queries';
import type { indicatorsMethods } from '../contract/indicators';
import type { Handlers } from './registry';
import type { Services } from './services';

/**
 * Handlers of `indicators:list` (the registry as plain data) and `indicators:compute` (one indicator over a
 * symbol's stored bars) as `Float64Array` columns with EpochMs times, NaN warm-up kept (the WebSocket host
 * carries typed arrays as `$typed` frames, `core/model/wire.ts`).
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
      // Typed columns, NaN warm-up kept: both transports carry Float64Array bit for bit.
      const outputs: Record<string, Float64Array> = {};
      for (const key of ind.outputs) outputs[key] = cols[key];
      return ok({ name: input.name, params: parsed.data, time: bars.value.time, outputs });
    },
  };
}

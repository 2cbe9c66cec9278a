import type { StrategyDescription } from '../../../core/contract';

/** The `<option>`s of the strategies a live session or a desk book can run: the single-symbol ones, by name. */
export function SingleStrategyOptions({ strategies }: { readonly strategies: readonly StrategyDescription[] }) {
  return (
    <>
      {strategies
        .filter((s) => s.kind === 'single')
        .map((s) => (
          <option key={s.name} value={s.name}>
            {s.name}
          </option>
        ))}
    </>
  );
}

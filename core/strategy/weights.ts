/** Target weights as a strategy may return them: a Map or a plain `{ symbol: weight }` object. */
export type WeightsLike = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

/** The weights as a Map (the same Map when given one); a plain object's own enumerable keys, in order. */
export function toWeightMap(w: WeightsLike): ReadonlyMap<string, number> {
  if (w instanceof Map) return w;
  // A Map from another realm (a sandboxed user strategy) fails `instanceof`: read it through its iterator.
  if (
    typeof (w as { entries?: unknown }).entries === 'function' &&
    typeof (w as { get?: unknown }).get === 'function'
  ) {
    const out = new Map<string, number>();
    for (const [k, v] of (w as ReadonlyMap<string, number>).entries()) out.set(String(k), Number(v));
    return out;
  }
  const out = new Map<string, number>();
  for (const k of Object.keys(w)) out.set(k, Number((w as Record<string, number>)[k]));
  return out;
}

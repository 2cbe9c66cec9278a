import type { PitUniverse } from '../strategies/pit-facts';

/** Whether instrument `s` is a member of `u` at `t`, as known at `t` (a row public by then covers `t`). */
export function memberAt(u: PitUniverse, s: number, t: number): boolean {
  for (let r = u.offsets[s]; r < u.offsets[s + 1]; r++)
    if (u.knownAt[r] <= t && u.validFrom[r] <= t && !(u.validTo[r] <= t)) return true;
  return false;
}

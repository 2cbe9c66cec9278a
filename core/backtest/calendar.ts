/**
 * Calendar helpers for rebalance schedules, computed arithmetically from EpochMs so the bar loop
 * allocates no `Date` objects.
 */

/** Year and month (0-11) of a UTC instant, packed as `year * 12 + month`. */
export function monthKey(ms: number): number {
  // Howard Hinnant's days-to-civil algorithm (public domain), on days since 1970-01-01.
  const z = Math.floor(ms / 86_400_000) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 2 : mp - 10; // 0-based month
  const y = yoe + era * 400 + (m < 2 ? 1 : 0);
  return y * 12 + m;
}

/** Period key of a UTC instant for a rebalance frequency; two instants share a period iff keys are equal. */
export function periodKey(ms: number, every: 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly'): number {
  // Days since the epoch; 1970-01-01 was a Thursday, so +3 makes weeks start on Monday (ISO weeks).
  if (every === 'daily') return Math.floor(ms / 86_400_000);
  if (every === 'weekly') return Math.floor((Math.floor(ms / 86_400_000) + 3) / 7);
  const mk = monthKey(ms);
  if (every === 'monthly') return mk;
  if (every === 'quarterly') return Math.floor(mk / 3);
  return Math.floor(mk / 12);
}

/**
 * Aligns an indicator output to the bars' time axis: value at the same timestamp (EpochMs), NaN where the
 * indicator has none (its NaN warm-up, or a bar it does not cover). Both time arrays ascend.
 */
export function alignToBars(
  barTime: ArrayLike<number>,
  time: ArrayLike<number>,
  values: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(barTime.length).fill(Number.NaN);
  let j = 0;
  for (let i = 0; i < barTime.length; i++) {
    const t = barTime[i];
    while (j < time.length && time[j] < t) j++;
    if (j < time.length && time[j] === t) out[i] = values[j];
  }
  return out;
}

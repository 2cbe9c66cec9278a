import { fail, ok, type Result } from '../model/result';
import { parseDate } from '../model/time';
import type { BarColumns } from '../model';
import { CsvSyntaxError, readCsv } from '../store/csv';

/** The columns an indicator input CSV must have (any order, case-insensitive; other columns are ignored). */
export const BAR_CSV_COLUMNS = ['date', 'open', 'high', 'low', 'close', 'volume'] as const;

const MAX_ERRORS = 100;

/**
 * Reads one instrument's bars from a CSV file with a `date,open,high,low,close,volume` header, in file order.
 * Dates are `YYYY-MM-DD` or zoned ISO datetimes and must ascend strictly; prices finite, volume finite and >= 0,
 * high >= low. Any bad row fails with `invalid-input` and `details` lines `FILE:LINE: column: reason` (up to 100);
 * a missing file is `not-found`.
 */
export async function readBarCsv(path: string): Promise<Result<BarColumns>> {
  const time: number[] = [];
  const vals: number[][] = [[], [], [], [], []];
  const errors: string[] = [];
  let index: number[] | null = null;
  const bad = (line: number, col: string, why: string) => {
    if (errors.length < MAX_ERRORS) errors.push(`${path}:${line}: ${col}: ${why}`);
  };
  try {
    await readCsv({ path }, (fields, line) => {
      if (index === null) {
        const names = fields.map((f) => f.trim().toLowerCase());
        index = BAR_CSV_COLUMNS.map((c) => names.indexOf(c));
        const missing = BAR_CSV_COLUMNS.filter((_, k) => index![k] < 0);
        if (missing.length > 0)
          bad(line, missing.join(','), `missing column in header (need ${BAR_CSV_COLUMNS.join(',')})`);
        return;
      }
      if (fields.length === 1 && fields[0].trim() === '') return; // blank line
      if (errors.length > 0 && index.some((k) => k < 0)) return;
      const rawDate = (fields[index[0]] ?? '').trim();
      const t = parseDate(rawDate);
      if (t === null) bad(line, 'date', `"${rawDate}" is not YYYY-MM-DD or a zoned ISO datetime`);
      else if (time.length > 0 && t <= time[time.length - 1])
        bad(line, 'date', `${rawDate} is not after the previous row's date`);
      time.push(t ?? Number.NaN);
      const row: number[] = [];
      for (let k = 1; k < BAR_CSV_COLUMNS.length; k++) {
        const raw = (fields[index[k]] ?? '').trim();
        const v = raw === '' ? Number.NaN : Number(raw);
        if (!Number.isFinite(v))
          bad(line, BAR_CSV_COLUMNS[k], raw === '' ? 'empty' : `"${raw}" is not a finite number`);
        else if (k === 5 && v < 0) bad(line, 'volume', `${raw} is negative`);
        row.push(v);
        vals[k - 1].push(v);
      }
      if (Number.isFinite(row[1]) && Number.isFinite(row[2]) && row[1] < row[2])
        bad(line, 'high', `high ${row[1]} is below low ${row[2]}`);
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fail('not-found', `${path}: no such file`);
    if (e instanceof CsvSyntaxError)
      return fail('invalid-input', `${path}:${e.line}: ${e.message}`, [`${path}:${e.line}: ${e.message}`]);
    return fail('invalid-input', `${path}: ${(e as Error).message}`);
  }
  if (index === null) return fail('invalid-input', `${path}:1: header: empty file`, [`${path}:1: header: empty file`]);
  if (errors.length > 0)
    return fail(
      'invalid-input',
      `${path}: ${errors.length}${errors.length >= MAX_ERRORS ? '+' : ''} bad row(s)`,
      errors,
    );
  return ok({
    time: Float64Array.from(time),
    open: Float64Array.from(vals[0]),
    high: Float64Array.from(vals[1]),
    low: Float64Array.from(vals[2]),
    close: Float64Array.from(vals[3]),
    volume: Float64Array.from(vals[4]),
  });
}

import type { SortState } from '../lib/sort';

/** A clickable table header cell showing the sort arrow. */
export function SortHeader<K extends string>({
  label,
  k,
  sort,
  onSort,
  numeric,
}: {
  label: string;
  k: K;
  sort: SortState<K> | null;
  onSort: (k: K) => void;
  numeric?: boolean;
}) {
  const arrow = sort?.key === k ? (sort.dir === 'desc' ? ' ▼' : ' ▲') : '';
  return (
    <th
      className={numeric ? 'num sortable' : 'sortable'}
      onClick={() => onSort(k)}
      // Keyboard: Tab reaches the header, Enter or Space sorts.
      tabIndex={0}
      aria-sort={sort?.key === k ? (sort.dir === 'desc' ? 'descending' : 'ascending') : undefined}
      onKeyDown={(e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        onSort(k);
      }}
      data-sort-key={k}
    >
      {label}
      {arrow}
    </th>
  );
}

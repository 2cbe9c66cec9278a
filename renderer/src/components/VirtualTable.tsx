import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { nextSort, sortRows, type SortState } from '../lib/sort';

/** A column of a {@link VirtualTable}. */
export interface Column<T> {
  readonly key: string;
  readonly label: string;
  readonly numeric?: boolean;
  readonly width?: number;
  /** Value used to sort (and shown when there is no `render`). */
  readonly value: (row: T) => number | string | null;
  readonly render?: (row: T) => ReactNode;
  readonly className?: (row: T) => string;
}

const ROW_H = 20;

/** A sortable table that renders only visible rows (tens of thousands of trades stay smooth). */
export function VirtualTable<T>({
  rows,
  columns,
  onRowClick,
  height = 260,
  testId,
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  onRowClick?: (row: T) => void;
  /** Pixels, or any CSS length (e.g. `calc(100vh - 120px)`). */
  height?: number | string;
  testId?: string;
}) {
  const [sort, setSort] = useState<SortState | null>(null);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const col = columns.find((c) => c.key === sort.key);
    return col ? sortRows(rows, col.value, sort.dir) : rows;
  }, [rows, columns, sort]);
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: sorted.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 12 });
  const template = columns.map((c) => (c.width ? `${c.width}px` : 'minmax(60px, 1fr)')).join(' ');
  return (
    <div className="vtable" data-testid={testId} data-rows={sorted.length} data-sort={sort ? `${sort.key}:${sort.dir}` : ''}>
      <div className="vrow vhead" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div key={c.key} className={c.numeric ? 'num sortable' : 'sortable'} onClick={() => setSort((s) => nextSort(s, c.key))} data-sort-key={c.key}>
            {c.label}
            {sort?.key === c.key ? (sort.dir === 'desc' ? ' ▼' : ' ▲') : ''}
          </div>
        ))}
      </div>
      <div ref={scroller} style={{ height, overflow: 'auto', position: 'relative' }}>
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((item) => {
            const row = sorted[item.index];
            return (
              <div
                key={item.key}
                className="vrow"
                data-index={item.index}
                style={{ gridTemplateColumns: template, position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${item.start}px)` }}
                onClick={() => onRowClick?.(row)}
              >
                {columns.map((c) => (
                  <div key={c.key} className={`${c.numeric ? 'num' : ''} ${c.className?.(row) ?? ''}`}>
                    {c.render ? c.render(row) : String(c.value(row) ?? '—')}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

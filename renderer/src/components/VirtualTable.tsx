import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
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
  onRowActive,
  height = 260,
  testId,
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  onRowClick?: (row: T) => void;
  /** The row under the pointer or holding the keyboard focus (for a detail beside the table). */
  onRowActive?: (row: T) => void;
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
  const v = useVirtualizer({
    count: sorted.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
  });
  // The row that is the table's one Tab stop: the last focused one while it is rendered, else the first rendered.
  const [active, setActive] = useState(0);
  const focusRow = useRef<number | null>(null);
  const items = v.getVirtualItems();
  const tabRow = items.some((i) => i.index === active) ? active : (items[0]?.index ?? 0);
  useEffect(() => {
    const want = focusRow.current;
    if (want === null) return;
    const el = scroller.current?.querySelector<HTMLElement>(`.vrow[data-index="${want}"]`);
    if (el) {
      focusRow.current = null;
      el.focus();
    }
  });
  const template = columns.map((c) => (c.width ? `${c.width}px` : 'minmax(60px, 1fr)')).join(' ');
  return (
    <div
      className="vtable"
      data-testid={testId}
      data-rows={sorted.length}
      data-sort={sort ? `${sort.key}:${sort.dir}` : ''}
    >
      <div className="vrow vhead" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div
            key={c.key}
            className={c.numeric ? 'num sortable' : 'sortable'}
            onClick={() => setSort((s) => nextSort(s, c.key))}
            // Keyboard: a sort header is a button (Tab reaches it, Enter or Space sorts).
            role="button"
            tabIndex={0}
            aria-sort={sort?.key === c.key ? (sort.dir === 'desc' ? 'descending' : 'ascending') : undefined}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' && e.key !== ' ') return;
              e.preventDefault();
              setSort((s) => nextSort(s, c.key));
            }}
            data-sort-key={c.key}
          >
            {c.label}
            {sort?.key === c.key ? (sort.dir === 'desc' ? ' ▼' : ' ▲') : ''}
          </div>
        ))}
      </div>
      <div ref={scroller} style={{ height, overflow: 'auto', position: 'relative' }}>
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = sorted[item.index];
            return (
              <div
                key={item.key}
                className="vrow"
                data-index={item.index}
                style={{
                  gridTemplateColumns: template,
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_H,
                  transform: `translateY(${item.start}px)`,
                }}
                onClick={() => onRowClick?.(row)}
                // Openable rows are one Tab stop (roving focus): arrows move between rows, Enter opens, as a click does.
                tabIndex={onRowClick ? (item.index === tabRow ? 0 : -1) : undefined}
                onFocus={
                  onRowClick || onRowActive
                    ? () => {
                        setActive(item.index);
                        onRowActive?.(row);
                      }
                    : undefined
                }
                onMouseEnter={onRowActive ? () => onRowActive(row) : undefined}
                onKeyDown={
                  onRowClick
                    ? (e) => {
                        if (e.key === 'Enter') onRowClick(row);
                        const to =
                          e.key === 'ArrowDown'
                            ? item.index + 1
                            : e.key === 'ArrowUp'
                              ? item.index - 1
                              : e.key === 'Home'
                                ? 0
                                : e.key === 'End'
                                  ? sorted.length - 1
                                  : null;
                        if (to === null) return;
                        e.preventDefault();
                        const next = Math.max(0, Math.min(sorted.length - 1, to));
                        v.scrollToIndex(next);
                        setActive(next);
                        focusRow.current = next;
                      }
                    : undefined
                }
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

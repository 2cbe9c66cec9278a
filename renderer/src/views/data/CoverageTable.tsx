import type { DataInstrument as InstrumentCoverage } from '../../../../core/contract';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { fmtDate, fmtInt } from '../../lib/format';

const COLUMNS: readonly Column<InstrumentCoverage>[] = [
  { key: 'symbol', label: 'Symbol', width: 80, value: (r) => r.symbol, className: () => 'mono' },
  { key: 'name', label: 'Name', value: (r) => r.name },
  { key: 'sector', label: 'Sector', value: (r) => r.sector },
  { key: 'currency', label: 'Ccy', width: 44, value: (r) => r.currency },
  { key: 'firstDate', label: 'First', width: 90, value: (r) => r.firstDate, render: (r) => fmtDate(r.firstDate) },
  { key: 'lastDate', label: 'Last', width: 90, value: (r) => r.lastDate, render: (r) => fmtDate(r.lastDate) },
  { key: 'bars', label: 'Bars', numeric: true, width: 70, value: (r) => r.bars, render: (r) => fmtInt(r.bars) },
  {
    key: 'gaps',
    label: 'Gaps',
    numeric: true,
    width: 50,
    value: (r) => r.gaps,
    className: (r) => (r.gaps > 0 ? 'neg' : ''),
  },
  {
    key: 'delistedOn',
    label: 'Delisted',
    width: 90,
    value: (r) => r.delistedOn,
    render: (r) => (r.delistedOn === null ? '' : fmtDate(r.delistedOn)),
  },
];

/** Datasets and coverage per symbol; a click opens the symbol on the chart. */
export function CoverageTable({
  rows,
  onOpen,
}: {
  rows: readonly InstrumentCoverage[];
  onOpen: (symbol: string) => void;
}) {
  return (
    <VirtualTable
      rows={rows}
      columns={COLUMNS}
      onRowClick={(r) => onOpen(r.symbol)}
      height="calc(100vh - 130px)"
      testId="coverage-table"
    />
  );
}

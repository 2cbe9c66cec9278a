import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useLiveStore } from '../../stores/live-store';
import { PositionsTable } from './PositionsTable';

afterEach(cleanup);

describe('positions table (issue 11: a 2,922-share position showed Last 0.00)', () => {
  it('shows a dash, not 0.00, for a position with no mark yet, and the mark once there is one', () => {
    useLiveStore.setState({
      positions: [{ symbol: 'ABAG', qty: 2922, avgCost: 100, realized: 0, unrealized: 0, last: 0 }],
    });
    const { container, rerender } = render(<PositionsTable />);
    const cells = () => Array.from(container.querySelectorAll('tbody tr td'), (td) => td.textContent);
    expect(cells().slice(3, 5)).toEqual(['—', '—']);
    useLiveStore.setState({
      positions: [{ symbol: 'ABAG', qty: 2922, avgCost: 100, realized: 0, unrealized: 2922 * 2.16, last: 102.16 }],
    });
    rerender(<PositionsTable />);
    expect(cells().slice(3, 5)).toEqual(['102.16', '6,311.52']);
  });
});

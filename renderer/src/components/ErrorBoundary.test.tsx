import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBanner } from './ErrorBanner';
import { ErrorBoundary } from './ErrorBoundary';

afterEach(cleanup);

function Bomb({ explode }: { explode: boolean }) {
  if (explode) throw new Error('bad data in view');
  return <div>fine</div>;
}

function Harness() {
  const [explode, setExplode] = useState(true);
  return (
    <>
      <button onClick={() => setExplode(false)}>fix</button>
      <ErrorBoundary name="Chart">
        <Bomb explode={explode} />
      </ErrorBoundary>
    </>
  );
}

describe('errors in place', () => {
  it('shows a failed view as a message with Retry, never a blank screen', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    render(<Harness />);
    expect(screen.getByRole('alert').textContent).toContain('Chart view failed: bad data in view');
    fireEvent.click(screen.getByText('fix'));
    fireEvent.click(screen.getByText('Retry'));
    expect(screen.getByText('fine')).toBeTruthy();
    spy.mockRestore();
  });

  it('lists the core error details (importer lines) under the message', () => {
    render(
      <ErrorBanner
        error={{
          code: 'invalid-input',
          message: 'a.csv: 2 bad rows',
          details: ['a.csv:3: close: "x" is not a number', 'a.csv:9: high: below low'],
        }}
      />,
    );
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['a.csv:3: close: "x" is not a number', 'a.csv:9: high: below low']);
    expect(screen.getByRole('alert').getAttribute('data-error-code')).toBe('invalid-input');
  });
});

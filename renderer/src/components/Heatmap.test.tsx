import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Heatmap } from './Heatmap';

afterEach(cleanup);

function grid(n: number) {
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  const ys = Array.from({ length: n }, (_, i) => 10 * (i + 1));
  const values = ys.map((_, yi) => xs.map((_, xi) => xi + yi));
  return { xs, ys, values, min: 0, max: 2 * n - 2 };
}

describe('Heatmap keyboard', () => {
  it('a small grid is one Tab stop: arrows move the cursor cell, Enter opens it', () => {
    const pick = vi.fn();
    const { container } = render(<Heatmap grid={grid(4)} xLabel="fast" yLabel="slow" format={String} onPick={pick} />);
    const g = container.querySelector('.heatmap') as HTMLElement;
    expect(g.tabIndex).toBe(0);
    fireEvent.keyDown(g, { key: 'ArrowRight' });
    fireEvent.keyDown(g, { key: 'ArrowRight' });
    fireEvent.keyDown(g, { key: 'ArrowDown' });
    fireEvent.keyDown(g, { key: 'ArrowLeft' });
    expect(g.getAttribute('data-cursor')).toBe('2:20');
    fireEvent.keyDown(g, { key: 'Enter' });
    expect(pick).toHaveBeenCalledWith(2, 20);
  });
  it('a large grid (canvas) too, clamped at its edges', () => {
    const pick = vi.fn();
    // jsdom has no 2D canvas: the drawing is skipped, the keyboard is what is tested here.
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const { container } = render(<Heatmap grid={grid(31)} xLabel="fast" yLabel="slow" format={String} onPick={pick} />);
    const c = container.querySelector('canvas') as HTMLCanvasElement;
    expect(c.tabIndex).toBe(0);
    fireEvent.keyDown(c, { key: 'ArrowUp' });
    fireEvent.keyDown(c, { key: 'ArrowDown' });
    fireEvent.keyDown(c, { key: 'ArrowDown' });
    expect(c.getAttribute('data-cursor')).toBe('1:30');
    fireEvent.keyDown(c, { key: 'Enter' });
    expect(pick).toHaveBeenCalledWith(1, 30);
  });
});

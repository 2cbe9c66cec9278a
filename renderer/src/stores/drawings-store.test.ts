import { beforeEach, describe, expect, it } from 'vitest';
import {
  chartClicked,
  deleteDrawing,
  moveDrawing,
  selectDrawing,
  setDrawMode,
  updateDrawing,
  useDrawingsStore,
} from './drawings-store';

const A = { time: Date.UTC(2024, 0, 2), price: 10 };
const B = { time: Date.UTC(2024, 0, 9), price: 12 };

beforeEach(() => useDrawingsStore.setState({ mode: null, pending: null, bySymbol: {}, selected: null }));

describe('drawings one at a time', () => {
  it('a rectangle takes two clicks and is selected once placed; a click elsewhere deselects', () => {
    setDrawMode('rect');
    chartClicked('AAA', A);
    expect(useDrawingsStore.getState().bySymbol.AAA).toBeUndefined();
    chartClicked('AAA', B);
    expect(useDrawingsStore.getState().bySymbol.AAA).toEqual([{ kind: 'rect', a: A, b: B }]);
    expect(useDrawingsStore.getState().selected).toBe(0);
    chartClicked('AAA', A);
    expect(useDrawingsStore.getState().selected).toBeNull();
    expect(useDrawingsStore.getState().bySymbol.AAA).toHaveLength(1);
  });
  it('updates and deletes only the drawing named, and refuses a broken one', () => {
    setDrawMode('hline');
    chartClicked('AAA', A);
    setDrawMode('trend');
    chartClicked('AAA', A);
    chartClicked('AAA', B);
    updateDrawing('AAA', 0, { kind: 'hline', price: 11 });
    updateDrawing('AAA', 1, { kind: 'trend', a: A, b: { time: B.time, price: Number.NaN } });
    expect(useDrawingsStore.getState().bySymbol.AAA).toEqual([
      { kind: 'hline', price: 11 },
      { kind: 'trend', a: A, b: B },
    ]);
    selectDrawing(0);
    deleteDrawing('AAA', 0);
    expect(useDrawingsStore.getState().bySymbol.AAA).toEqual([{ kind: 'trend', a: A, b: B }]);
    expect(useDrawingsStore.getState().selected).toBeNull();
    deleteDrawing('AAA', 0);
    expect(useDrawingsStore.getState().bySymbol.AAA).toBeUndefined();
  });
  it('moving shifts both points by the price change and maps their times', () => {
    const d = moveDrawing({ kind: 'rect', a: A, b: B }, 1.5, (t) => t + 86_400_000);
    expect(d).toEqual({
      kind: 'rect',
      a: { time: A.time + 86_400_000, price: 11.5 },
      b: { time: B.time + 86_400_000, price: 13.5 },
    });
    expect(moveDrawing({ kind: 'hline', price: 5 }, -1, (t) => t)).toEqual({ kind: 'hline', price: 4 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  affordableQty,
  checkExit,
  commissionFor,
  effectiveStop,
  entryFillPrice,
  EXIT_NONE,
  EXIT_STOP,
  EXIT_TARGET,
  ORDER_LIMIT,
  ORDER_MARKET,
  newDecisionFields,
  readDecision,
  ORDER_STOP,
  roundQty,
  slippedPrice,
  type ExitOut,
} from './execution';

describe('execution model', () => {
  const out: ExitOut = { price: 0, ambiguous: false };

  it('moves fills against the trader by the slippage', () => {
    expect(slippedPrice(100, 1, 25)).toBeCloseTo(100.25, 12);
    expect(slippedPrice(100, -1, 25)).toBeCloseTo(99.75, 12);
    expect(slippedPrice(100, 1, 0)).toBe(100);
  });

  it('charges fixed plus rate times notional, nothing when nothing trades', () => {
    expect(commissionFor(-10, 50, 0.001, 2)).toBeCloseTo(2.5, 12);
    expect(commissionFor(0, 50, 0.001, 2)).toBe(0);
  });

  it('sizes all-in net of the entry commission, flooring to whole units', () => {
    // (10000 - 1) / (100 * 1.01) = 99.0 -> 99 whole units; 99 * 100 * 1.01 + 1 = 10000 exactly fits
    expect(affordableQty(10_000, 100, 0.01, 1, true)).toBe(99);
    expect(affordableQty(10_000, 100, 0.01, 2, true)).toBe(98); // 9998 / 101 = 98.99
    expect(affordableQty(10_000, 100, 0, 0, true)).toBe(100);
    expect(affordableQty(10_000, 300, 0, 0, false)).toBeCloseTo(33.3333333333, 8);
    expect(affordableQty(0.5, 100, 0, 1, true)).toBe(0);
    expect(roundQty(-3.7, true)).toBe(-3);
  });

  it('fills limit and stop entries only when the bar reaches them, gaps at the open', () => {
    // buy limit 95: bar 100/101/96 never trades at 95
    expect(entryFillPrice(ORDER_LIMIT, 1, 95, 100, 101, 96)).toBeNaN();
    expect(entryFillPrice(ORDER_LIMIT, 1, 95, 100, 101, 94)).toBe(95);
    expect(entryFillPrice(ORDER_LIMIT, 1, 95, 93, 101, 92)).toBe(93); // opened below the limit
    // buy stop 105: a gap up opens at 107 -> fill 107
    expect(entryFillPrice(ORDER_STOP, 1, 105, 107, 109, 106)).toBe(107);
    expect(entryFillPrice(ORDER_STOP, 1, 105, 100, 106, 99)).toBe(105);
    expect(entryFillPrice(ORDER_STOP, -1, 95, 100, 101, 94)).toBe(95);
    expect(entryFillPrice(ORDER_MARKET, 1, Number.NaN, 100, 101, 94)).toBe(100);
  });

  it('exits a long at its stop, at the open on a gap, and at its target', () => {
    expect(checkExit(true, 95, 110, 100, 105, 94, false, out)).toBe(EXIT_STOP);
    expect(out.price).toBe(95);
    expect(checkExit(true, 95, 110, 90, 92, 88, false, out)).toBe(EXIT_STOP);
    expect(out.price).toBe(90);
    expect(checkExit(true, 95, 110, 100, 111, 96, false, out)).toBe(EXIT_TARGET);
    expect(out.price).toBe(110);
    expect(checkExit(true, 95, 110, 112, 115, 111, false, out)).toBe(EXIT_TARGET);
    expect(out.price).toBe(112);
    expect(checkExit(true, 95, 110, 100, 105, 96, false, out)).toBe(EXIT_NONE);
  });

  it('takes the stop when both are touched in one bar unless optimistic, flagging ambiguity', () => {
    expect(checkExit(true, 95, 110, 100, 111, 94, false, out)).toBe(EXIT_STOP);
    expect(out).toEqual({ price: 95, ambiguous: true });
    expect(checkExit(true, 95, 110, 100, 111, 94, true, out)).toBe(EXIT_TARGET);
    expect(out).toEqual({ price: 110, ambiguous: true });
    // short: stop above, target below
    expect(checkExit(false, 105, 90, 100, 106, 89, false, out)).toBe(EXIT_STOP);
    expect(out).toEqual({ price: 105, ambiguous: true });
    expect(checkExit(false, 105, 90, 108, 109, 104, false, out)).toBe(EXIT_STOP);
    expect(out).toEqual({ price: 108, ambiguous: false });
  });

  it('uses the tighter of a fixed and a trailing stop', () => {
    expect(effectiveStop(true, 90, 0.05, 100)).toBe(95);
    expect(effectiveStop(true, 97, 0.05, 100)).toBe(97);
    expect(effectiveStop(false, Number.NaN, 0.1, 100)).toBeCloseTo(110, 12);
    expect(effectiveStop(true, Number.NaN, Number.NaN, 100)).toBeNaN();
  });
});

describe('readDecision (shared by the engine and the live runner)', () => {
  it('reads targets and intents, keeps null and NaN as "no change", clamps shorts when long-only, and flags a priceless limit', () => {
    const out = newDecisionFields();
    expect(readDecision(null, false, out)).toBe('none');
    expect(readDecision(Number.NaN, false, out)).toBe('none');
    expect(readDecision(-1, false, out)).toBe('ok');
    expect(out).toMatchObject({ target: -1, type: ORDER_MARKET, hasSL: false });
    expect(readDecision(-1, true, out)).toBe('ok');
    expect(out.target).toBe(0);
    expect(readDecision({ target: 1, type: 'limit', price: 99, stopLoss: 95 }, false, out)).toBe('ok');
    expect(out).toMatchObject({
      target: 1,
      type: ORDER_LIMIT,
      price: 99,
      sl: 95,
      hasSL: true,
      hasTP: false,
      hasTrail: false,
    });
    expect(Number.isNaN(out.tp)).toBe(true);
    // A number after an intent leaves nothing of the intent behind (the object is reused).
    expect(readDecision(1, false, out)).toBe('ok');
    expect(out).toMatchObject({ type: ORDER_MARKET, hasSL: false });
    expect(Number.isNaN(out.sl) && Number.isNaN(out.price)).toBe(true);
    expect(readDecision({ target: 1, type: 'stop' }, false, out)).toBe('bad-price');
    expect(readDecision({ target: Number.NaN, type: 'stop', price: 0 }, false, out)).toBe('bad-price');
  });
});

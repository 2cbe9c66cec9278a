import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typecheckStrategy, TYPECHECK_MAX_CHARS } from './typecheck';

const mySma = readFileSync(join(__dirname, 'testdata/my-sma.ts'), 'utf8');
const LIMIT = 60_000; // a shared, loaded machine: the first check parses zod's and the SDK's declarations

describe('typecheckStrategy (TypeScript against the SDK declarations)', () => {
  it('a correct strategy has no diagnostics', () => {
    const r = typecheckStrategy(mySma, 'my-sma.ts', LIMIT);
    expect(r.timedOut).toBe(false);
    expect(r.diagnostics).toEqual([]);
  }, 90_000);

  it('a misspelt indicator and a wrong parameter type are errors at their line and column', () => {
    const lines = mySma.split('\n');
    const i = lines.findIndex((l) => l.includes('indicators.sma(p.fast)'));
    lines[i] = lines[i]
      .replace('indicators.sma(p.fast)', 'indicators.smaa(p.fast)')
      .replace('indicators.sma(p.slow)', "indicators.sma('30')");
    const j = lines.findIndex((l) => l.includes('s.fast.next(bar.close)'));
    lines[j] = lines[j].replace('bar.close', 'bar.clos');
    const src = lines.join('\n');
    const r = typecheckStrategy(src, 'my-sma.ts', LIMIT);
    expect(r.timedOut).toBe(false);
    const at = (d: { line: number; col: number }) => `${d.line}:${d.col}`;
    const smaa = r.diagnostics.find((d) => d.message.includes("'smaa'"));
    expect(smaa).toBeDefined();
    expect(smaa!.severity).toBe('error');
    expect(at(smaa!)).toBe(`${i + 1}:${lines[i].indexOf('smaa') + 1}`);
    expect(smaa!.endCol - smaa!.col).toBe(4);
    expect(smaa!.message).toMatch(/Did you mean 'sma'/);
    const str = r.diagnostics.find((d) =>
      d.message.includes("'string' is not assignable to parameter of type 'number'"),
    );
    expect(str && at(str)).toBe(`${i + 1}:${lines[i].indexOf("'30'") + 1}`);
    const clos = r.diagnostics.find((d) => d.message.includes("'clos'"));
    expect(clos && at(clos)).toBe(`${j + 1}:${lines[j].indexOf('clos') + 1}`);
    expect(r.diagnostics).toHaveLength(3);
  }, 90_000);

  it('refuses a source over the size cap and stops at the time limit', () => {
    expect(() => typecheckStrategy('x'.repeat(TYPECHECK_MAX_CHARS + 1), 'big.ts')).toThrow(/big\.ts: source is/);
    const r = typecheckStrategy(`${mySma}\nconst q: number = 'changed';\n`, 'my-sma.ts', 0);
    expect(r.timedOut).toBe(true);
    expect(r.diagnostics).toEqual([]);
  });
});

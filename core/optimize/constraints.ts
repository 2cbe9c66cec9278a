/**
 * Sweep constraints such as `"fast < slow"` or `"slow >= 2 * fast + 5"`, parsed by a small
 * recursive-descent parser (never `eval`): numbers, parameter names, `+ - * /`, parentheses, unary
 * minus, one comparison (`< <= > >= == !=`), and `&&` / `||` between comparisons.
 */
export type Constraint = (params: Readonly<Record<string, unknown>>) => boolean;

type Tok = { kind: 'num'; value: number } | { kind: 'id'; name: string } | { kind: 'op'; op: string };

const OPS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '+', '-', '*', '/', '(', ')'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ kind: 'num', value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (id) {
      out.push({ kind: 'id', name: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected "${c}" at column ${i + 1}`);
    out.push({ kind: 'op', op });
    i += op.length;
  }
  return out;
}

type Num = (p: Readonly<Record<string, unknown>>) => number;

/** Parses one constraint; throws an error naming the column and the text for a malformed one, or an unknown parameter when `known` is given. */
export function parseConstraint(src: string, known?: ReadonlySet<string>): Constraint {
  const toks = tokenize(src);
  let k = 0;
  const peek = () => toks[k];
  const isOp = (op: string) => peek()?.kind === 'op' && (peek() as { op: string }).op === op;
  const expectOp = (op: string) => {
    if (!isOp(op)) throw new Error(`expected "${op}"`);
    k++;
  };
  function primary(): Num {
    const t = toks[k++];
    if (!t) throw new Error('unexpected end');
    if (t.kind === 'num') return () => t.value;
    if (t.kind === 'id') {
      if (known && !known.has(t.name)) throw new Error(`unknown parameter "${t.name}"`);
      const name = t.name;
      return (p) => {
        const v = p[name];
        if (typeof v !== 'number') throw new Error(`parameter "${name}" is not a number`);
        return v;
      };
    }
    if (t.op === '(') {
      const e = sum();
      expectOp(')');
      return e;
    }
    if (t.op === '-') {
      const e = primary();
      return (p) => -e(p);
    }
    throw new Error(`unexpected "${t.op}"`);
  }
  function product(): Num {
    let left = primary();
    while (isOp('*') || isOp('/')) {
      const op = (toks[k++] as { op: string }).op;
      const l = left;
      const r = primary();
      left =
        op === '*'
          ? (p) => l(p) * r(p)
          : (p) => {
              const d = r(p);
              // x / 0 would compare as Infinity or NaN and silently drop or keep every combination.
              if (d === 0) throw new Error('division by zero');
              return l(p) / d;
            };
    }
    return left;
  }
  function sum(): Num {
    let left = product();
    while (isOp('+') || isOp('-')) {
      const op = (toks[k++] as { op: string }).op;
      const l = left;
      const r = product();
      left = op === '+' ? (p) => l(p) + r(p) : (p) => l(p) - r(p);
    }
    return left;
  }
  function comparison(): Constraint {
    const l = sum();
    const t = peek();
    const cmp = t?.kind === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(t.op) ? t.op : null;
    if (!cmp) throw new Error('expected a comparison (< <= > >= == !=)');
    k++;
    const r = sum();
    switch (cmp) {
      case '<':
        return (p) => l(p) < r(p);
      case '<=':
        return (p) => l(p) <= r(p);
      case '>':
        return (p) => l(p) > r(p);
      case '>=':
        return (p) => l(p) >= r(p);
      case '==':
        return (p) => l(p) === r(p);
      default:
        return (p) => l(p) !== r(p);
    }
  }
  function and(): Constraint {
    let left = comparison();
    while (isOp('&&')) {
      k++;
      const l = left;
      const r = comparison();
      left = (p) => l(p) && r(p);
    }
    return left;
  }
  function or(): Constraint {
    let left = and();
    while (isOp('||')) {
      k++;
      const l = left;
      const r = and();
      left = (p) => l(p) || r(p);
    }
    return left;
  }
  try {
    const c = or();
    if (k < toks.length) throw new Error('unexpected trailing input');
    return c;
  } catch (e) {
    throw new Error(`constraint "${src}": ${(e as Error).message}`);
  }
}

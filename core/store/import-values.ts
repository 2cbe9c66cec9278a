/** Value rules of CSV imports: limits, symbol and text checks, and the fast decimal reader. */

/**
 * Bounds on imported values (README "Limits"). Prices and dividends outside `price`, split ratios
 * outside `splitRatio`, volumes above `volume`, fundamentals beyond ±`fundamental` are refused.
 */
export const VALUE_LIMITS = {
  price: [1e-12, 1e12],
  volume: 1e18,
  splitRatio: [1e-6, 1e6],
  fundamental: 1e18,
  /** Characters in a text field (name, sector, ...); a symbol has its own rule, {@link SYMBOL_RE}. */
  textChars: 256,
} as const;

/**
 * A symbol: 1–32 of letters (any script), digits and `. _ - ^ / : = &`, starting with a letter, a digit or `^`
 * (`BRK.B`, `005930`, `BTC-USD`, `^GSPC`, `ES=F`). No comma, quote, space or control character, and
 * never a leading `=`, `+`, `-`, `@` (a spreadsheet would run it as a formula).
 */
export const SYMBOL_RE = /^[\p{L}\p{N}^][\p{L}\p{N}._\-^/:=&]{0,31}$/u;

/** A decimal number as text: optional sign, digits with an optional point, optional exponent. No hex, no `Infinity`. */
export const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/;

/** A short, escaped excerpt of user text for an error message: never more than 40 characters of it. */
export function excerpt(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** Why `text` may not be stored as a text field, or null when it is fine. */
export function textProblem(text: string): string | null {
  if (text.length > VALUE_LIMITS.textChars) return `longer than ${VALUE_LIMITS.textChars} characters`;
  // eslint-disable-next-line no-control-regex
  const ctl = /[\u0000-\u001f\u007f-\u009f]/.exec(text);
  if (ctl)
    return `contains a control character (U+${ctl[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (text.includes('\uFFFD')) return 'is not valid UTF-8 (or contains U+FFFD)';
  if (/^[=+\-@]/.test(text)) return `${excerpt(text)} starts with ${text[0]} (a spreadsheet formula); refused`;
  return null;
}

/** Why `symbol` is not a valid symbol, or null. */
export function symbolProblem(symbol: string): string | null {
  if (symbol === '') return 'empty';
  if (/\s/.test(symbol)) return `${excerpt(symbol)} contains whitespace`;
  const t = textProblem(symbol);
  if (t !== null) return t;
  if (symbol.length > 32) return 'longer than 32 characters';
  if (!SYMBOL_RE.test(symbol)) return `${excerpt(symbol)} is not a symbol (letters, digits and . _ - ^ / : = &)`;
  return null;
}

/** Characters in any one field; longer fields are refused before they are parsed. */
export const MAX_FIELD_CHARS = 1024;

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number in `buf[a, b)` when it is a plain decimal (`-?digits[.digits]`, at most 15 significant
 * digits), else NaN. Exact: an integer below 2^53 divided by an exact power of ten is one correctly
 * rounded operation, the same double as `Number(text)` (Clinger's fast path).
 */
export function decimalAt(buf: Buffer, a: number, b: number): number {
  let i = a;
  const neg = buf[i] === 45;
  if (neg) i++;
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    const ch = buf[i];
    if (ch === 46) {
      if (frac >= 0) return Number.NaN;
      frac = 0;
      continue;
    }
    const d = ch - 48;
    if (d < 0 || d > 9) return Number.NaN;
    if (m !== 0 || d !== 0) digits++;
    m = m * 10 + d;
    if (frac >= 0) frac++;
  }
  if (digits > 15 || i === a + (neg ? 1 : 0) || (frac >= 0 && b - a === (neg ? 2 : 1))) return Number.NaN;
  const x = frac > 0 ? m / POW10[frac] : m;
  return neg ? -x : x;
}

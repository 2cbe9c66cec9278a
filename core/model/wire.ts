/**
 * JSON encoding for the WebSocket protocol between `quantdesk serve` and the renderer's client; both
 * import this one module. JSON has no typed arrays and turns NaN into null, yet bar columns are
 * `Float64Array`s full of NaN warm-ups; so a typed array travels as
 * `{"$typed": "Float64Array", "b64": "<little-endian bytes>"}`, exact to the bit.
 */

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;

type TypedName = keyof typeof TYPED;

function isTypedName(x: unknown): x is TypedName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(TYPED, x);
}

interface NodeBuffer {
  from(
    data: ArrayBufferLike | string,
    offsetOrEncoding?: number | string,
    length?: number,
  ): Uint8Array & { toString(enc: string): string };
}
// Node's Buffer is several times faster than atob/btoa; the browser has only the latter.
const NodeBuf = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/** Base64 with only `btoa`/`atob` (what a browser has); exported so tests can check it against Node's Buffer. */
export const portableBase64 = {
  encode(bytes: Uint8Array): string {
    let s = '';
    const chunk = 0x8000;
    for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
    return btoa(s);
  },
  decode(b64: string): Uint8Array {
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  },
};

function toBase64(bytes: Uint8Array): string {
  return NodeBuf
    ? NodeBuf.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    : portableBase64.encode(bytes);
}

function fromBase64(b64: string): Uint8Array {
  return NodeBuf ? NodeBuf.from(b64, 'base64') : portableBase64.decode(b64);
}

function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name;
    if (isTypedName(name))
      return { $typed: name, b64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as { $typed?: unknown; b64?: unknown };
    if (isTypedName(v.$typed) && typeof v.b64 === 'string') {
      const bytes = fromBase64(v.b64);
      const Ctor = TYPED[v.$typed];
      if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) return value;
      // Copy into a fresh, aligned buffer: a Buffer's pool offset need not be a multiple of 8.
      const out = new Ctor(bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
      new Uint8Array(out.buffer).set(bytes);
      return out;
    }
  }
  return value;
}

/** Serialises a frame; typed arrays become `{$typed, b64}`. */
export function encodeFrame(frame: unknown): string {
  return JSON.stringify(frame, replacer);
}

/**
 * Restores typed arrays in a parsed frame, in place (a walk instead of a `JSON.parse` reviver: a reviver is
 * a call per value, and a run's 10,000 trades are 130,000 values).
 */
function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v !== null && typeof v === 'object') value[i] = revive(v);
    }
    return value;
  }
  const o = value as Record<string, unknown>;
  if ('$typed' in o) return reviver('', o);
  for (const k in o) {
    const v = o[k];
    // An own "__proto__" key from JSON.parse is data: assigning it would set the prototype instead.
    if (v !== null && typeof v === 'object' && k !== '__proto__') o[k] = revive(v);
  }
  return o;
}

/** Parses a frame, restoring typed arrays. Throws `SyntaxError` on malformed JSON. */
export function decodeFrame(text: string): unknown {
  const parsed: unknown = JSON.parse(text);
  // Most frames carry no typed array: nothing to walk.
  return text.includes('"$typed"') ? revive(parsed) : parsed;
}

/**
 * The browser side of the host's wire format (`core/serve/wire.ts`): typed arrays travel as
 * `{"$typed": "Float64Array", "b64": "…"}` so NaN warm-ups and exact bits survive JSON.
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

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Serialises a frame; typed arrays become `{$typed, b64}`. */
export function encodeFrame(frame: unknown): string {
  return JSON.stringify(frame, (_key, value: unknown) => {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView) && isTypedName(value.constructor.name)) {
      return { $typed: value.constructor.name, b64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
    }
    return value;
  });
}

/** Parses a frame, restoring typed arrays. Throws `SyntaxError` on malformed JSON. */
export function decodeFrame(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as { $typed?: unknown; b64?: unknown };
      if (isTypedName(v.$typed) && typeof v.b64 === 'string') {
        const bytes = fromBase64(v.b64);
        const Ctor = TYPED[v.$typed];
        if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) return value;
        return new Ctor(bytes.buffer as ArrayBuffer);
      }
    }
    return value;
  });
}

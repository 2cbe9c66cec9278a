/**
 * JSON encoding for the WebSocket protocol. JSON has no typed arrays and turns NaN into null, yet
 * bar columns are `Float64Array`s full of NaN warm-ups; so a typed array travels as
 * `{"$typed": "Float64Array", "b64": "<little-endian bytes>"}`, exact to the bit. The renderer's
 * client (`renderer/src/api/codec.ts`) decodes the same shape.
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

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name;
    if (isTypedName(name)) {
      return { $typed: name, b64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
    }
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as { $typed?: unknown; b64?: unknown };
    if (isTypedName(v.$typed) && typeof v.b64 === 'string') {
      const bytes = Buffer.from(v.b64, 'base64');
      const Ctor = TYPED[v.$typed];
      if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) return value;
      // Copy into a fresh, aligned buffer: Buffer's pool offset may not be a multiple of 8.
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

/** Parses a frame, restoring typed arrays. Throws `SyntaxError` on malformed JSON. */
export function decodeFrame(text: string): unknown {
  return JSON.parse(text, reviver);
}

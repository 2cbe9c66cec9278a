import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, portableBase64 } from './wire';

describe('wire frames', () => {
  it('carries typed arrays bit-exactly, NaN and -0 included, through JSON', () => {
    const col = new Float64Array([1.5, Number.NaN, -0, 1e-300, Number.POSITIVE_INFINITY]);
    const frame = {
      id: 7,
      ok: true,
      value: { time: new Float64Array([1, 2]), close: col.subarray(1), n: new Int32Array([-3]) },
    };
    const back = decodeFrame(encodeFrame(frame)) as typeof frame;
    expect(back.id).toBe(7);
    expect(back.value.close).toBeInstanceOf(Float64Array);
    expect(Array.from(new Uint8Array(back.value.close.buffer))).toEqual(
      Array.from(new Uint8Array(col.slice(1).buffer)),
    );
    expect(Object.is(back.value.close[1], -0)).toBe(true);
    expect(back.value.n).toEqual(new Int32Array([-3]));
  });

  it('leaves look-alike objects with a wrong byte length or unknown type alone', () => {
    expect(decodeFrame('{"a":{"$typed":"Float64Array","b64":"AAE="}}')).toEqual({
      a: { $typed: 'Float64Array', b64: 'AAE=' },
    });
    expect(decodeFrame('{"a":{"$typed":"Evil","b64":"AA=="}}')).toEqual({ a: { $typed: 'Evil', b64: 'AA==' } });
  });

  it("the browser's base64 (btoa/atob) agrees with Node's Buffer, across its chunk boundary", () => {
    const bytes = new Uint8Array(0x8000 * 2 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    const b64 = portableBase64.encode(bytes);
    expect(b64).toBe(Buffer.from(bytes).toString('base64'));
    expect(portableBase64.decode(b64)).toEqual(bytes);
  });
});

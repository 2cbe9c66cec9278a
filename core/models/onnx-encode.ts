/**
 * A minimal ONNX protobuf writer for tests and examples: enough of onnx.proto (ModelProto, GraphProto, NodeProto,
 * TensorProto, ValueInfoProto) to build small float models by hand, since no ONNX exporter runs here.
 */

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
const vint = (field: number, n: number) => [...key(field, 0), ...varint(n)];
function bytes(field: number, b: readonly number[] | Uint8Array): number[] {
  return [...key(field, 2), ...varint(b.length), ...b];
}
const str = (field: number, s: string) => bytes(field, [...Buffer.from(s, 'utf8')]);

/** A float tensor initializer. */
export function tensor(name: string, dims: readonly number[], values: readonly number[]): number[] {
  const raw = new Uint8Array(new Float32Array(values).buffer);
  return [...dims.flatMap((d) => vint(1, d)), ...vint(2, 1), ...str(8, name), ...bytes(9, raw)];
}

/** A float tensor value-info with a shape (`null` dims are symbolic `N`). */
export function valueInfo(name: string, dims: readonly (number | null)[]): number[] {
  const dimsMsg = dims.flatMap((d) => bytes(1, d === null ? str(2, 'N') : vint(1, d)));
  const tensorType = [...vint(1, 1), ...bytes(2, dimsMsg)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

/** A node `op(inputs) -> outputs`. */
export function node(op: string, inputs: readonly string[], outputs: readonly string[], name = op): number[] {
  return [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(3, name), ...str(4, op)];
}

/** A whole model (IR version 8, default-domain opset 13). */
export function model(
  nodes: readonly number[][],
  initializers: readonly number[][],
  inputs: readonly number[][],
  outputs: readonly number[][],
): Uint8Array {
  const graph = [
    ...nodes.flatMap((n) => bytes(1, n)),
    ...str(2, 'g'),
    ...initializers.flatMap((t) => bytes(5, t)),
    ...inputs.flatMap((i) => bytes(11, i)),
    ...outputs.flatMap((o) => bytes(12, o)),
  ];
  const opset = [...str(1, ''), ...vint(2, 13)];
  return Uint8Array.from([...vint(1, 8), ...str(2, 'quantdesk-test'), ...bytes(7, graph), ...bytes(8, opset)]);
}

/** `Y = Tanh(X · W + B)` for X float [N, F], W [F, 1], B [1]: a tiny nonlinear regressor. */
export function tanhRegressor(w: readonly number[], b: number): Uint8Array {
  return model(
    [node('MatMul', ['X', 'W'], ['XW']), node('Add', ['XW', 'B'], ['Z']), node('Tanh', ['Z'], ['Y'])],
    [tensor('W', [w.length, 1], w), tensor('B', [1], [b])],
    [valueInfo('X', [null, w.length])],
    [valueInfo('Y', [null, 1])],
  );
}

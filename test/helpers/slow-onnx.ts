// A real onnxruntime session whose one run() takes about as long as asked: a chain of MatMuls of
// an n x n input with itself, n chosen from a timed calibration run. onnxruntime-node 1.30 runs
// session.run synchronously on the main thread (inside a setImmediate callback), so this blocks
// the event loop for the whole call, as inference does in a benchmark.
import ort from 'onnxruntime-node';

/** Protobuf wire format, just what an ONNX ModelProto needs (field numbers from onnx.proto). */
function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
}
const bytes = (field: number, b: number[]) => [...varint((field << 3) | 2), ...varint(b.length), ...b];
const int = (field: number, n: number) => [...varint(field << 3), ...varint(n)];
const str = (field: number, s: string) => bytes(field, [...Buffer.from(s)]);

/** ONNX model: x float[n, n]; y = x·x·…·x (`length` MatMuls); opset 13. */
function matMulChain(length: number): Uint8Array {
  const dim = bytes(1, str(2, 'n')); // TensorShapeProto.Dimension { dim_param: "n" }
  const squareFloat = bytes(2, bytes(1, [...int(1, 1), ...bytes(2, [...dim, ...dim])])); // TypeProto.tensor_type
  const valueInfo = (name: string) => [...str(1, name), ...squareFloat];
  const nodes: number[] = [];
  for (let i = 0; i < length; i++) {
    const input = i === 0 ? 'x' : `y${i - 1}`;
    nodes.push(...bytes(1, [...str(1, input), ...str(1, 'x'), ...str(2, `y${i}`), ...str(4, 'MatMul')]));
  }
  const graph = [
    ...nodes,
    ...str(2, 'matmul-chain'),
    ...bytes(11, valueInfo('x')),
    ...bytes(12, valueInfo(`y${length - 1}`)),
  ];
  return new Uint8Array([...int(1, 8), ...bytes(7, graph), ...bytes(8, int(2, 13))]);
}

const CHAIN = 24;

interface SlowSession {
  /** The input size that makes one run last about the seconds asked for. */
  n: number;
  /** One session.run, as a benchmark makes it: the main thread is blocked until it returns. */
  run(): Promise<void>;
  release(): Promise<void>;
}

function identity(n: number): ort.Tensor {
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1; // x·x = x: no overflow, no denormals
  return new ort.Tensor('float32', data, [n, n]);
}

export async function slowSession(seconds: number): Promise<SlowSession> {
  const session = await ort.InferenceSession.create(matMulChain(CHAIN), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    logSeverityLevel: 4,
  });
  const timed = async (n: number) => {
    const t0 = performance.now();
    await session.run({ x: identity(n) });
    return (performance.now() - t0) / 1000;
  };
  await timed(64); // warm up
  const probe = 192;
  const t = await timed(probe);
  const n = Math.max(probe, Math.round(probe * Math.cbrt(seconds / t)));
  const input = identity(n);
  return {
    n,
    run: async () => {
      await session.run({ x: input });
    },
    release: () => session.release(),
  };
}

// Which execution provider runs inference (--device cpu|webgpu|cuda), checked before any
// model loads by opening a one-node ONNX session on it: onnxruntime fails loudly when the
// provider or its driver is missing, and that failure becomes a one-line error with the remedy.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import koffi from 'koffi';
import ort from 'onnxruntime-node';
import { DEVICES, type Device } from '../schema/run-options.js';
import { UserError, errorMessage } from '../util/errors.js';

/** Protobuf helpers for the probe model (field numbers from onnx.proto). */
function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}
const message = (field: number, bytes: number[]) => [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
const number = (field: number, n: number) => [...varint(field << 3), ...varint(n)];
const text = (field: number, s: string) => message(field, [...Buffer.from(s)]);

/** ONNX model y = Identity(x), x: float[1], opset 13: the smallest graph a provider must accept. */
function probeModel(): Uint8Array {
  const floatOfShape1 = message(2, message(1, [...number(1, 1), ...message(2, message(1, number(1, 1)))]));
  const valueInfo = (name: string) => [...text(1, name), ...floatOfShape1];
  const node = message(1, [...text(1, 'x'), ...text(2, 'y'), ...text(4, 'Identity')]);
  const graph = [...node, ...text(2, 'device-probe'), ...message(11, valueInfo('x')), ...message(12, valueInfo('y'))];
  return new Uint8Array([...number(1, 8), ...message(7, graph), ...message(8, number(2, 13))]);
}

const remedies: Record<Exclude<Device, 'cpu'>, string> = {
  webgpu:
    "WebGPU needs a Vulkan driver: install the Vulkan loader (Debian: libvulkan1) and the GPU's Vulkan driver " +
    '(NVIDIA: the driver package ships it; point VK_DRIVER_FILES at nvidia_icd.json if it is not found). See README "Running on a GPU".',
  cuda:
    "onnxruntime-node's CUDA provider is not installed: on a machine that reaches the internet, remove the " +
    'onnxruntime-node-install=skip line from .npmrc and run `npm install onnxruntime-node --onnxruntime-node-install=cuda12` ' +
    '(needs CUDA 12 and cuDNN 9). See README "Running on a GPU".',
};

function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return join(
    dirname(require.resolve('onnxruntime-node/package.json')),
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
}

/** Throws a UserError naming the remedy when `device` cannot run inference here. */
export async function checkDevice(device: string): Promise<Device> {
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new UserError(`Unknown device '${device}'. Valid devices: ${DEVICES.join(', ')}`);
  }
  if (device === 'cpu') return 'cpu';
  const d = device as Exclude<Device, 'cpu'>;
  if (d === 'cuda' && !existsSync(join(ortBinaryDir(), 'libonnxruntime_providers_cuda.so'))) {
    throw new UserError(`--device cuda: ${remedies.cuda}`);
  }
  // onnxruntime's WebGPU provider (Dawn) reaches the GPU through the Vulkan loader; without it
  // Dawn only prints a native warning, so look for the loader first and say what is missing.
  if (d === 'webgpu') {
    try {
      koffi.load('libvulkan.so.1');
    } catch {
      throw new UserError(`--device webgpu: the Vulkan loader (libvulkan.so.1) is not installed. ${remedies.webgpu}`);
    }
  }
  try {
    const session = await ort.InferenceSession.create(probeModel(), { executionProviders: [d], logSeverityLevel: 4 });
    await session.release();
  } catch (err) {
    const reason = errorMessage(err)
      .split('\n')[0]!
      .replace(/^.*?(Failed to|No supported)/, '$1')
      .slice(0, 160);
    throw new UserError(`--device ${d}: onnxruntime could not use it (${reason}). ${remedies[d]}`);
  }
  return d;
}

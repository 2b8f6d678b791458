// Hardware and software facts stamped on every record (systeminformation for the hardware).
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import si from 'systeminformation';
import { readJsonFile } from './json-file.js';
import { PackageJsonSchema } from './paths.js';
import type { Hardware, Software } from '../schema/result-record.js';
import { ownVersion } from './paths.js';

export async function describeHardware(): Promise<Hardware> {
  const [cpu, osInfo, graphics] = await Promise.all([
    si.cpu(),
    si.osInfo(),
    si.graphics().catch(() => ({ controllers: [] })),
  ]);
  return {
    cpu: {
      // os.cpus() gives the full marketing name ("AMD EPYC 7763 64-Core Processor"); si splits it.
      model: cpus()[0]?.model.trim() || `${cpu.manufacturer} ${cpu.brand}`.trim(),
      vendor: cpu.manufacturer || cpu.vendor,
      logicalCores: cpu.cores,
      physicalCores: cpu.physicalCores,
    },
    memoryGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: {
      platform: osInfo.platform,
      distro: osInfo.distro,
      release: osInfo.release,
      kernel: osInfo.kernel,
      arch: osInfo.arch,
    },
    gpus: graphics.controllers.map((g) => ({ vendor: g.vendor, model: g.model, vramMB: g.vram ?? null })),
  };
}

/** Version of an installed package, read from its package.json next to its entry point. */
function packageVersion(name: string): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (;;) {
      try {
        const pkg = readJsonFile(join(dir, 'package.json'), PackageJsonSchema, 'package file');
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // no package.json at this level
      }
      const up = dirname(dir);
      if (up === dir) return 'unknown';
      dir = up;
    }
  } catch {
    return 'unknown';
  }
}

export function describeSoftware(): Software {
  return {
    node: process.versions.node,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    transformers: packageVersion('@huggingface/transformers'),
    tinybench: packageVersion('tinybench'),
    joulebench: ownVersion(),
  };
}

/** Display adapters of server management chips and VMs: never what runs inference. */
const DISPLAY_ONLY = /aspeed|matrox|cirrus|vmware|virtio|bochs|qxl|hyper-v/i;

/** The GPU that runs inference when --device is not cpu: an NVIDIA GPU first, else the first compute-capable one. */
export function acceleratorName(gpus: Hardware['gpus']): string | null {
  const compute = gpus.filter((g) => !DISPLAY_ONLY.test(`${g.vendor} ${g.model}`));
  return (compute.find((g) => /nvidia/i.test(`${g.vendor} ${g.model}`)) ?? compute[0])?.model ?? null;
}

/** "AMD EPYC 7763 64-Core Processor (8 threads), 31.3 GB RAM" — the hardware label in tables. */
export function hardwareLabel(h: Hardware): string {
  const gpu = h.gpus.length > 0 ? `, GPU: ${h.gpus.map((g) => g.model).join(' + ')}` : '';
  const accelerator = h.accelerator ? `, inference on ${h.accelerator}` : '';
  return `${h.cpu.model} (${h.cpu.logicalCores} threads), ${h.memoryGB} GB RAM${gpu}${accelerator}`;
}

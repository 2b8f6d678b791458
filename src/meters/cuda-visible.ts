// CUDA_VISIBLE_DEVICES, read the way the CUDA runtime reads it, so a GPU meter counts the GPUs
// the model can run on and no others. NVML and nvidia-smi ignore the variable: they always list
// every GPU, numbered in PCI bus order.
import type { Env } from './base.js';

export interface GpuIdentity {
  /** NVML / nvidia-smi index (PCI bus order). */
  index: number;
  uuid: string;
  name: string;
}

type VisibleGpus<T> = { ok: true; gpus: T[]; warnings: string[] } | { ok: false; reason: string };

/**
 * The GPUs CUDA_VISIBLE_DEVICES selects. Unset: all. Empty: none. Entries are indices or
 * (prefixes of) UUIDs, "GPU-..."; as in CUDA, an entry that names no GPU hides it and every
 * entry after it. MIG instances cannot be metered on their own: their energy is the whole GPU's.
 */
export function visibleGpus<T extends GpuIdentity>(all: readonly T[], env: Env): VisibleGpus<T> {
  const raw = env.CUDA_VISIBLE_DEVICES;
  if (raw === undefined) return { ok: true, gpus: [...all], warnings: [] };
  if (raw.trim() === '')
    return { ok: false, reason: 'CUDA_VISIBLE_DEVICES is empty: no GPU is visible to this process' };
  const gpus: T[] = [];
  const warnings: string[] = [];
  const entries = raw.split(',').map((e) => e.trim());
  let byIndex = false;
  for (const [i, entry] of entries.entries()) {
    if (/^MIG-/i.test(entry)) {
      return {
        ok: false,
        reason: `CUDA_VISIBLE_DEVICES names a MIG instance (${entry}): GPU energy counters cover the whole GPU, not one instance`,
      };
    }
    const gpu = resolveEntry(all, entry);
    if (typeof gpu === 'string') {
      const rest = entries.slice(i + 1);
      warnings.push(
        `CUDA_VISIBLE_DEVICES entry '${entry}' ${gpu}; as CUDA does, it${rest.length > 0 ? ` and what follows (${rest.join(',')})` : ''} is ignored`,
      );
      break;
    }
    if (gpus.includes(gpu)) {
      warnings.push(`CUDA_VISIBLE_DEVICES names GPU ${gpu.index} twice; counted once`);
      continue;
    }
    byIndex ||= /^\d+$/.test(entry);
    gpus.push(gpu);
  }
  if (gpus.length === 0) {
    return {
      ok: false,
      reason: `CUDA_VISIBLE_DEVICES='${raw}' selects none of the ${all.length} GPU(s) here: ${warnings.join('; ')}`,
    };
  }
  if (byIndex && new Set(all.map((g) => g.name)).size > 1 && env.CUDA_DEVICE_ORDER !== 'PCI_BUS_ID') {
    warnings.push(
      'CUDA_VISIBLE_DEVICES uses indices on mixed GPUs: CUDA numbers them fastest first, NVML by PCI bus, so an index may name another GPU (set CUDA_DEVICE_ORDER=PCI_BUS_ID or use UUIDs)',
    );
  }
  return { ok: true, gpus, warnings };
}

/** The GPU an entry names, or why it names none. */
function resolveEntry<T extends GpuIdentity>(all: readonly T[], entry: string): T | string {
  if (/^\d+$/.test(entry))
    return all.find((g) => g.index === Number(entry)) ?? `is no GPU index here (0-${all.length - 1})`;
  if (/^GPU-/i.test(entry)) {
    // CUDA accepts any unique prefix of a UUID.
    const matches = all.filter((g) => g.uuid.toLowerCase().startsWith(entry.toLowerCase()));
    if (matches.length === 1) return matches[0]!;
    return matches.length === 0 ? 'matches no GPU UUID' : `matches ${matches.length} GPU UUIDs`;
  }
  return 'is neither a GPU index nor a GPU UUID';
}

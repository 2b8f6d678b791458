// The meter registry: one line per meter. `--meter auto` combines every available measured
// meter (CPU and DRAM from RAPL, GPU from NVML or else nvidia-smi) and falls back to the
// estimate, saying why; a forced meter that is unavailable is an error before any model runs.
import { cpus } from 'node:os';
import { UserError, unknownName } from '../errors.js';
import type { Component, Meter } from '../types.js';
import type { Env, MeterProbe } from './common.js';
import { CompositeMeter } from './composite.js';
import { EstimateMeter } from './estimate.js';
import { probeNvidiaSmi, type NvidiaSmiOptions } from './nvidia-smi.js';
import { probeNvml, type NvmlOptions } from './nvml.js';
import { probeRapl, type RaplOptions } from './rapl.js';

export type { MeterProbe } from './common.js';

export interface MeterOptions {
  cpuWatts?: number | undefined;
  /** Environment the meters read (JOULEBENCH_*, CUDA_VISIBLE_DEVICES, PATH); default process.env. */
  env?: Env | undefined;
  /** Per-meter settings (sampling periods, library path; stand-in readers in tests). */
  rapl?: RaplOptions | undefined;
  nvml?: NvmlOptions | undefined;
  nvidiaSmi?: NvidiaSmiOptions | undefined;
}

interface MeterEntry {
  measured: boolean;
  /** What the meter can cover at most: auto skips a meter whose components are already measured. */
  components: readonly Component[];
  probe(o: MeterOptions): Promise<MeterProbe>;
}

const env = (o: MeterOptions): Env => o.env ?? process.env;

// Order matters for auto among measured meters: NVML before nvidia-smi, so the energy counter
// wins over sampled power. (The estimate stays first, as --help and error messages list it.)
const meters: Record<string, MeterEntry> = {
  estimate: { measured: false, components: ['cpu', 'dram'], probe: async (o) => probeEstimate(o) },
  rapl: { measured: true, components: ['cpu', 'dram'], probe: (o) => probeRapl({ env: env(o), ...o.rapl }) },
  nvml: { measured: true, components: ['gpu'], probe: (o) => probeNvml({ env: env(o), ...o.nvml }) },
  'nvidia-smi': { measured: true, components: ['gpu'], probe: (o) => probeNvidiaSmi({ env: env(o), ...o.nvidiaSmi }) },
};

function probeEstimate(o: MeterOptions): MeterProbe {
  const meter = new EstimateMeter(o);
  return { available: true, meter, devices: [`CPU ${cpus()[0]?.model ?? 'unknown'}: ${meter.perThread.watts.toFixed(2)} W/thread (${meter.perThread.source})`] };
}

export const meterNames = Object.keys(meters);

export interface MeterSelection {
  meter: Meter;
  /** Lines to show the user before any model runs (why the estimate, what was skipped). */
  notes: string[];
}

const combine = (parts: Meter[]): Meter => (parts.length === 1 ? parts[0]! : new CompositeMeter(parts));

async function selectAuto(options: MeterOptions): Promise<MeterSelection> {
  const chosen: Meter[] = [];
  const reasons: string[] = [];
  for (const [name, entry] of Object.entries(meters)) {
    if (!entry.measured) continue;
    // Never two meters for the same hardware (NVML and nvidia-smi both see the GPUs).
    if (entry.components.every((c) => chosen.some((m) => m.components.includes(c)))) continue;
    const probe = await entry.probe(options);
    if (!probe.available) reasons.push(`${name}: ${probe.reason}`);
    else if (!chosen.some((m) => m.components.some((c) => probe.meter.components.includes(c)))) chosen.push(probe.meter);
  }
  if (chosen.length > 0) {
    const meter = combine(chosen);
    const notes = reasons.length > 0 ? [`Meter auto: ${meter.name} measures ${meter.components.join(', ')}; not used — ${reasons.join('; ')}`] : [];
    return { meter, notes };
  }
  const estimate = probeEstimate(options);
  if (!estimate.available) throw new Error('the estimate meter is always available');
  return {
    meter: estimate.meter,
    notes: [`WARNING: no energy sensor could be read (${reasons.join('; ')}); figures are ESTIMATED from CPU time, not measured.`],
  };
}

/** `auto`, one meter name, or a comma list of meters over disjoint components (`rapl,nvml`). */
export async function selectMeter(spec: string, options: MeterOptions): Promise<MeterSelection> {
  const names = spec.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new UserError(`--meter '${spec}': empty meter name`);
  if (names.includes('auto')) {
    if (names.length > 1) throw new UserError(`--meter ${spec}: auto already combines every available meter; name meters without it`);
    return selectAuto(options);
  }
  const entries = names.map((name) => {
    const entry = meters[name];
    if (!entry) throw unknownName('meter', name, ['auto', ...meterNames]);
    return [name, entry] as const;
  });
  for (const [i, [a, ea]] of entries.entries()) {
    for (const [b, eb] of entries.slice(i + 1)) {
      if (a === b) throw new UserError(`--meter ${spec}: ${a} is named twice`);
      const shared = ea.components.find((c) => eb.components.includes(c));
      if (shared) throw new UserError(`--meter ${spec}: ${a} and ${b} both measure ${shared}, which would count it twice; pick one`);
    }
  }
  const probes = await Promise.all(entries.map(async ([name, entry]) => ({ name, probe: await entry.probe(options) })));
  const missing = probes.flatMap(({ name, probe }) => (probe.available ? [] : [`--meter ${name} is unavailable: ${probe.reason}`]));
  if (missing.length > 0) throw new UserError(missing.join('; '));
  const meter = combine(probes.map(({ probe }) => (probe as Extract<MeterProbe, { available: true }>).meter));
  const notes = meter.kind === 'estimated' ? [`Energy figures are ESTIMATED${meter.name.includes('+') ? ' in part' : ''} (${meter.describe()}).`] : [];
  return { meter, notes };
}

export interface MeterListing {
  name: string;
  kind: 'measured' | 'estimated';
  available: boolean;
  reason?: string;
  /** What the meter sees: RAPL zones, GPUs with name and UUID, the CPU for the estimate. */
  devices: string[];
}

/** Every registered meter, available or not and why, with the devices it sees (`joulebench meters`). */
export async function describeMeters(options: MeterOptions = {}): Promise<MeterListing[]> {
  const listings: MeterListing[] = [];
  // Measured meters first: they are what the listing is for.
  const ordered = Object.entries(meters).sort(([, a], [, b]) => Number(b.measured) - Number(a.measured));
  for (const [name, entry] of ordered) {
    const probe = await entry.probe(options);
    listings.push({
      name,
      kind: entry.measured ? 'measured' : 'estimated',
      available: probe.available,
      ...(probe.available ? {} : { reason: probe.reason }),
      devices: probe.devices,
    });
  }
  return listings;
}

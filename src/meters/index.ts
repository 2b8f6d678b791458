// The meter registry: one line per meter. `--meter auto` combines every available measured
// meter (CPU and DRAM from RAPL, GPU from NVML or else nvidia-smi) and falls back to the
// estimate, saying why; a forced meter that is unavailable is an error before any model runs.
import type { EnergyKind } from '../schema/energy.js';
import { UserError, unknownName } from '../util/errors.js';
import type { Env, Meter, MeterContext, MeterEntry, MeterProbe } from './base.js';
import { combine } from './composite.js';

// Order matters for auto among measured meters: NVML before nvidia-smi, so the energy counter
// wins over sampled power. (The estimate stays first, as --help and error messages list it.)
const METERS: readonly MeterEntry[] = [
  { name: 'estimate', measured: false, components: ['cpu', 'dram'], load: () => import('./estimate.js') },
  { name: 'rapl', measured: true, components: ['cpu', 'dram'], load: () => import('./rapl.js') },
  { name: 'nvml', measured: true, components: ['gpu'], load: () => import('./nvml.js') },
  { name: 'nvidia-smi', measured: true, components: ['gpu'], load: () => import('./nvidia-smi.js') },
];

async function probe(entry: MeterEntry, ctx: MeterContext): Promise<MeterProbe> {
  return (await entry.load()).probe(ctx);
}

export const meterNames = METERS.map((m) => m.name);

/** What selecting a meter may be told; every field optional. */
export interface MeterOptions {
  cpuWatts?: number | null;
  /** Environment the meters read (JOULEBENCH_*, CUDA_VISIBLE_DEVICES, PATH); default process.env. */
  env?: Env;
  /** Per-meter settings by meter name (stand-in readers, sampling periods). */
  tuning?: Readonly<Record<string, object>>;
}

function context(o: MeterOptions): MeterContext {
  return { env: o.env ?? process.env, cpuWatts: o.cpuWatts ?? null, tuning: o.tuning ?? {} };
}

export interface MeterSelection {
  meter: Meter;
  /** Lines to show the user before any model runs (why the estimate, what was skipped). */
  notes: string[];
}

async function selectAuto(ctx: MeterContext): Promise<MeterSelection> {
  const chosen: Meter[] = [];
  const reasons: string[] = [];
  for (const entry of METERS) {
    if (!entry.measured) continue;
    // Never two meters for the same hardware (NVML and nvidia-smi both see the GPUs).
    if (entry.components.every((c) => chosen.some((m) => m.components.includes(c)))) continue;
    const found = await probe(entry, ctx);
    if (!found.available) reasons.push(`${entry.name}: ${found.reason}`);
    else if (!chosen.some((m) => m.components.some((c) => found.meter.components.includes(c))))
      chosen.push(found.meter);
  }
  if (chosen.length > 0) {
    const meter = combine(chosen);
    const notes =
      reasons.length > 0
        ? [`Meter auto: ${meter.name} measures ${meter.components.join(', ')}; not used — ${reasons.join('; ')}`]
        : [];
    return { meter, notes };
  }
  const estimate = await probe(METERS.find((m) => !m.measured)!, ctx);
  if (!estimate.available) throw new Error('the estimate meter is always available');
  return {
    meter: estimate.meter,
    notes: [
      `WARNING: no energy sensor could be read (${reasons.join('; ')}); figures are ESTIMATED from CPU time, not measured.`,
    ],
  };
}

/** `auto`, one meter name, or a comma list of meters over disjoint components (`rapl,nvml`). */
export async function selectMeter(spec: string, options: MeterOptions = {}): Promise<MeterSelection> {
  const ctx = context(options);
  const names = spec.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new UserError(`--meter '${spec}': empty meter name`);
  if (names.includes('auto')) {
    if (names.length > 1)
      throw new UserError(`--meter ${spec}: auto already combines every available meter; name meters without it`);
    return selectAuto(ctx);
  }
  const entries = names.map((name) => METERS.find((m) => m.name === name) ?? throwUnknown(name));
  for (const [i, a] of entries.entries()) {
    for (const b of entries.slice(i + 1)) {
      if (a.name === b.name) throw new UserError(`--meter ${spec}: ${a.name} is named twice`);
      const shared = a.components.find((c) => b.components.includes(c));
      if (shared)
        throw new UserError(
          `--meter ${spec}: ${a.name} and ${b.name} both measure ${shared}, which would count it twice; pick one`,
        );
    }
  }
  const probes = await Promise.all(
    entries.map(async (entry) => ({ name: entry.name, probe: await probe(entry, ctx) })),
  );
  const missing = probes.flatMap(({ name, probe }) =>
    probe.available ? [] : [`--meter ${name} is unavailable: ${probe.reason}`],
  );
  if (missing.length > 0) throw new UserError(missing.join('; '));
  const meter = combine(probes.map(({ probe }) => (probe as Extract<MeterProbe, { available: true }>).meter));
  const notes =
    meter.kind === 'estimated'
      ? [`Energy figures are ESTIMATED${entries.length > 1 ? ' in part' : ''} (${meter.describe()}).`]
      : [];
  return { meter, notes };
}

function throwUnknown(name: string): never {
  throw unknownName('meter', name, ['auto', ...meterNames]);
}

/** The meter `spec` names (default auto), ready to start windows: the library's way to meter any code. */
export async function openMeter(spec = 'auto', options: MeterOptions = {}): Promise<Meter> {
  return (await selectMeter(spec, options)).meter;
}

export interface MeterListing {
  name: string;
  kind: EnergyKind;
  available: boolean;
  reason?: string;
  /** The available meter's resolution, seconds (see Meter.resolutionS). */
  resolutionS?: number | null;
  /** What the meter sees: RAPL zones, GPUs with name and UUID, the CPU for the estimate. */
  devices: string[];
}

/** Every registered meter, available or not and why, with the devices it sees (`joulebench meters`). */
export async function describeMeters(options: MeterOptions = {}): Promise<MeterListing[]> {
  const ctx = context(options);
  const listings: MeterListing[] = [];
  // Measured meters first: they are what the listing is for.
  for (const entry of [...METERS].sort((a, b) => Number(b.measured) - Number(a.measured))) {
    const found = await probe(entry, ctx);
    listings.push({
      name: entry.name,
      kind: entry.measured ? 'measured' : 'estimated',
      available: found.available,
      ...(found.available ? { resolutionS: found.meter.resolutionS } : { reason: found.reason }),
      devices: found.devices,
    });
  }
  return listings;
}

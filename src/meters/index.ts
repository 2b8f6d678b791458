// The meter registry: one line per meter. `--meter auto` picks every available measured meter
// and falls back to the estimate, saying why; a forced meter that is unavailable is an error.
import { UserError, unknownName } from '../errors.js';
import type { Meter } from '../types.js';
import { EstimateMeter } from './estimate.js';

export interface MeterOptions {
  cpuWatts?: number | undefined;
}

/** A meter that can run here, or the reason it cannot. */
export type MeterProbe = { available: true; meter: Meter } | { available: false; reason: string };

const meters: Record<string, { measured: boolean; probe(o: MeterOptions): Promise<MeterProbe> }> = {
  estimate: { measured: false, probe: async (o) => ({ available: true, meter: new EstimateMeter(o) }) },
};

export const meterNames = Object.keys(meters);

export interface MeterSelection {
  meter: Meter;
  /** Lines to show the user before any model runs (why the estimate, what was skipped). */
  notes: string[];
}

export async function selectMeter(spec: string, options: MeterOptions): Promise<MeterSelection> {
  const names = spec === 'auto' ? ['auto'] : spec.split(',').map((s) => s.trim());
  if (names.includes('auto')) {
    const reasons: string[] = [];
    for (const [name, m] of Object.entries(meters)) {
      if (!m.measured) continue;
      const probe = await m.probe(options);
      if (probe.available) return { meter: probe.meter, notes: [] };
      reasons.push(`${name}: ${probe.reason}`);
    }
    const estimate = await meters.estimate!.probe(options);
    if (!estimate.available) throw new Error('the estimate meter is always available');
    const why = reasons.length > 0 ? reasons.join('; ') : 'this build has no hardware meter (RAPL/NVML) yet';
    return {
      meter: estimate.meter,
      notes: [`WARNING: no energy sensor could be read (${why}); figures are ESTIMATED from CPU time, not measured.`],
    };
  }
  if (names.length > 1) throw new UserError(`--meter ${spec}: combining meters is not supported yet; pick one of ${meterNames.join(', ')}`);
  const name = names[0]!;
  const entry = meters[name];
  if (!entry) throw unknownName('meter', name, ['auto', ...meterNames]);
  const probe = await entry.probe(options);
  if (!probe.available) throw new UserError(`--meter ${name} is unavailable: ${probe.reason}`);
  return { meter: probe.meter, notes: probe.meter.kind === 'estimated' ? [`Energy figures are ESTIMATED (${probe.meter.describe()}).`] : [] };
}

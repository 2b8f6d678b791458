// RAPL through the Linux powercap interface (Intel, and AMD Zen through the same driver).
// Package zones are the CPU, `dram` zones memory (rapl-discovery.ts finds and checks them).
// Counters are microjoules that wrap at max_energy_range_uj. A window reads them at its two ends
// (on the main thread, as it opens and closes); in between, the sampler thread reads them on its
// own timer, so inference holding the main thread cannot make it miss a wrap. Its period is a
// quarter of the shortest time any zone takes to wrap at its power bound (its stated limit, else
// 1,000 W), at most 100 ms (which is also the power timeline's resolution).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrossCheck } from '../schema/energy.js';
import {
  CROSS_CHECK_TOLERANCE,
  counterValue,
  defineMeter,
  monotonicS,
  signedPercent,
  type Meter,
  type MeterContext,
  type MeterProbe,
  type WindowFigures,
} from './base.js';
import { counterFigures, sumSteps, timelineOf, type Steps } from './power-series.js';
import {
  DEFAULT_POWER_BOUND_W,
  discoverRapl,
  type RaplOptions,
  type RaplTopology,
  type RaplZone,
} from './rapl-discovery.js';
import { SourceSlot } from './sampler.js';
import type { Row, Taken } from './sampler-protocol.js';

export { DEFAULT_POWERCAP_ROOT, discoverRapl, type RaplOptions, type RaplTopology } from './rapl-discovery.js';

/** RAPL's energy status updates about every millisecond (nominal: sysfs does not say). */
export const RAPL_RESOLUTION_S = 0.001;
const MAX_SAMPLE_MS = 100;
const MIN_SAMPLE_MS = 1;

export async function probeRapl(options: RaplOptions = {}): Promise<MeterProbe> {
  const found = await discoverRapl(options);
  if (!found.ok) return { available: false, reason: found.reason, devices: found.devices };
  return { available: true, meter: raplMeter(found.topology, options), devices: found.devices };
}

const boundW = (z: RaplZone) => z.powerLimitW ?? DEFAULT_POWER_BOUND_W;
/** Seconds the zone's counter takes to wrap at its power bound: readings must be closer than this. */
const wrapS = (z: RaplZone) => (z.maxRangeUj + 1) / 1e6 / boundW(z);

export interface RaplMeter extends Meter {
  readonly topology: RaplTopology;
  readonly sampleMs: number;
}

export function raplMeter(topology: RaplTopology, options: RaplOptions = {}): RaplMeter {
  const zones = topology.zones;
  const counted = zones.filter((z) => z.component !== 'psys');
  const components = (['cpu', 'dram'] as const).filter((c) => zones.some((z) => z.component === c));
  const shortestWrapS = Math.min(...zones.map(wrapS));
  const sampleMs =
    options.sampleIntervalMs ?? Math.min(MAX_SAMPLE_MS, Math.max(MIN_SAMPLE_MS, (shortestWrapS * 1000) / 4));
  const files = zones.map((z) => join(z.dir, 'energy_uj'));
  const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  /** Every counter now, with the time the reads began and ended. */
  const readRow = (): Row => {
    const t = monotonicS();
    const v = files.map((f) => {
      try {
        return counterValue(read(f));
      } catch {
        return null;
      }
    });
    return { t, te: monotonicS(), v };
  };
  const source = new SourceSlot(() => ({ kind: 'rapl', files, intervalMs: sampleMs }));

  const figures = (start: Row, end: Row, taken: Taken): WindowFigures => {
    const warnings: string[] = [];
    const unreadAt = (i: number) => (start.v[i] === null ? 'start' : end.v[i] === null ? 'end' : null);
    // psys only cross-checks the figures: unread at an end, the check goes and the figures stay.
    const psysLost = zones.some((z, i) => z.component === 'psys' && unreadAt(i) !== null);
    const perZone = zones.flatMap((zone, i) => {
      const when = unreadAt(i);
      if (when && zone.component === 'psys') {
        warnings.push(
          `rapl: cannot read ${zone.id} ${zone.name} at the window ${when}: the package + DRAM figures are kept, ` +
            'without their cross-check against psys',
        );
        return [];
      }
      if (when) throw new Error(`rapl: cannot read ${zone.id}/energy_uj at window ${when}`);
      // A counter was read at some moment between a row's t and te: its midpoint is the best guess.
      const points = [start, ...taken.rows, end].flatMap((r) =>
        r.v[i] === null ? [] : [{ t: (r.t + r.te) / 2, uj: r.v[i]! }],
      );
      const f = counterFigures(points, zone.maxRangeUj);
      if (f.maxGapS > wrapS(zone))
        warnings.push(
          `rapl: ${zone.id} was read ${f.maxGapS.toFixed(1)} s apart, longer than the ${wrapS(zone).toFixed(1)} s ` +
            `its counter takes to wrap at ${boundW(zone)} W: a wrap may have been missed`,
        );
      return [{ zone, ...f }];
    });
    const sum = (c: RaplZone['component']) =>
      perZone.filter((z) => z.zone.component === c).reduce((j, z) => j + z.joules, 0);
    const joules: Partial<Record<'cpu' | 'dram', number>> = {};
    const steps: Partial<Record<'cpu' | 'dram', Steps>> = {};
    for (const c of components) {
      joules[c] = sum(c);
      steps[c] = sumSteps(perZone.filter((z) => z.zone.component === c).map((z) => z.steps));
    }
    for (const u of topology.unreadable)
      warnings.push(
        u.name === 'dram'
          ? `rapl: DRAM zone ${u.zone} is unreadable (${u.error}); DRAM energy is not included`
          : `rapl: ${u.name} zone ${u.zone} is unreadable (${u.error}); not cross-checked against it`,
      );
    if (taken.failedReads > 0)
      warnings.push(
        `rapl: ${taken.failedReads} counter read(s) failed during the window; the deltas around them were still counted`,
      );
    const crossChecks = psysLost ? [] : psysCheck(perZone, joules, warnings);
    return {
      durationS: (end.t + end.te) / 2 - (start.t + start.te) / 2,
      components: joules,
      details: {
        method:
          `powercap energy_uj deltas, read in a sampler thread every ${+sampleMs.toFixed(2)} ms; ` +
          'each wrap at max_energy_range_uj adds one counter range' +
          (topology.mirrored.length > 0 ? '; zones that mirror one package counter are counted once' : ''),
        root: topology.root,
        zones: perZone
          .filter((z) => z.zone.component !== 'psys')
          .map((z) => ({
            zone: z.zone.id,
            name: z.zone.name,
            component: z.zone.component,
            joules: z.joules,
            wraps: z.wraps,
            powerBoundW: boundW(z.zone),
          })),
        excluded: topology.excluded,
        mirrored: topology.mirrored,
        wraps: perZone.filter((z) => z.zone.component !== 'psys').reduce((n, z) => n + z.wraps, 0),
        samples: taken.rows.length + 2,
        maxSampleGapS: Math.max(...perZone.map((z) => z.maxGapS)),
      },
      warnings,
      timeline: timelineOf(steps, (start.t + start.te) / 2),
      ...(crossChecks.length > 0 ? { crossChecks } : {}),
    };
  };

  const zoneNames = (c: 'cpu' | 'dram') => counted.filter((z) => z.component === c).map((z) => `${z.id} ${z.name}`);
  const meter = defineMeter({
    name: 'rapl',
    kind: 'measured',
    components,
    resolutionS: RAPL_RESOLUTION_S,
    describe: () => {
      const parts = [`cpu = ${zoneNames('cpu').join(' + ')}`];
      if (components.includes('dram')) parts.push(`dram = ${zoneNames('dram').join(' + ')}`);
      return `rapl (Linux powercap: ${parts.join('; ')}; updates ~1 ms, read every ${+sampleMs.toFixed(2)} ms) — measured`;
    },
    zeroReason: 'the RAPL counter did not advance (window shorter than its ~1 ms update?)',
    async prepare() {
      const s = await source.get();
      return {
        open: () => {
          const start = readRow();
          // The sampler's readings must begin after this one is done, and end before the last begins.
          const w = s.open(start.te);
          return {
            stop: async () => {
              const end = readRow();
              return figures(start, end, await w.take(end.t));
            },
          };
        },
        cancel: () => {},
      };
    },
    close: () => source.retire(),
  });
  return { ...meter, topology, sampleMs };
}

/** psys covers the platform, packages and DRAM included: kept beside them, flagged past 10%. */
function psysCheck(
  perZone: { zone: RaplZone; joules: number }[],
  joules: Partial<Record<'cpu' | 'dram', number>>,
  warnings: string[],
): CrossCheck[] {
  const psys = perZone.filter((z) => z.zone.component === 'psys');
  const primary = (joules.cpu ?? 0) + (joules.dram ?? 0);
  if (psys.length === 0 || primary <= 0) return []; // a zero is warned about already
  const secondary = psys.reduce((j, z) => j + z.joules, 0);
  const difference = secondary / primary - 1;
  const flagged = Math.abs(difference) > CROSS_CHECK_TOLERANCE;
  const what = psys.map((z) => `${z.zone.id} ${z.zone.name}`).join(' + ');
  if (flagged)
    warnings.push(
      `rapl: ${what} (the whole platform) read ${signedPercent(difference)} of package + DRAM, more than 10% apart ` +
        '(psys also counts what those zones do not, so it may exceed them)',
    );
  return [
    {
      components: Object.keys(joules) as ('cpu' | 'dram')[],
      what: `package + DRAM zones vs ${what}`,
      primary: { source: 'package + DRAM zones', joules: primary },
      secondary: { source: 'psys (platform)', joules: secondary },
      difference,
      flagged,
    },
  ];
}

export function probe(ctx: MeterContext): Promise<MeterProbe> {
  return probeRapl({ env: ctx.env, ...(ctx.tuning.rapl as RaplOptions | undefined) });
}

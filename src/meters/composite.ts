// Several meters read as one (e.g. CPU and DRAM from RAPL, GPU from NVML). Parts must cover
// disjoint components, so nothing is counted twice, and must watch the same interval: every part
// does its slow set-up first (prepare), then all windows open back to back, so one part's
// start-up (launching nvidia-smi, NVML init) is not missing from the others' windows. The
// reading keeps each part's own figures in details.parts, which is where reports read them.
import type { Component, EnergyReading } from '../schema/energy.js';
import { defineMeter, type EnergyWindow, type Meter, type WindowFigures } from './base.js';

/** The first component two meters both cover, if any. */
function overlap(a: Pick<Meter, 'components'>, b: Pick<Meter, 'components'>): Component | undefined {
  return a.components.find((c) => b.components.includes(c));
}

function merge(readings: readonly EnergyReading[]): WindowFigures {
  const timeline = Object.assign({}, ...readings.map((r) => r.timeline ?? {}));
  const crossChecks = readings.flatMap((r) => r.crossChecks ?? []);
  return {
    durationS: Math.max(...readings.map((r) => r.durationS)),
    components: Object.assign({}, ...readings.map((r) => r.components)),
    details: {
      parts: Object.fromEntries(
        readings.map((r) => [
          r.meter,
          { kind: r.kind, durationS: r.durationS, components: r.components, ...r.details },
        ]),
      ),
    },
    warnings: readings.flatMap((r) => r.warnings.map((w) => (w.startsWith(`${r.meter}:`) ? w : `${r.meter}: ${w}`))),
    ...(Object.keys(timeline).length > 0 ? { timeline } : {}),
    ...(crossChecks.length > 0 ? { crossChecks } : {}),
  };
}

interface CompositeMeter extends Meter {
  readonly parts: readonly Meter[];
}

export function compositeMeter(parts: readonly Meter[]): CompositeMeter {
  if (parts.length === 0) throw new Error('a composite meter needs at least one part');
  for (const [i, a] of parts.entries()) {
    for (const b of parts.slice(i + 1)) {
      const shared = overlap(a, b);
      if (shared) throw new Error(`meters ${a.name} and ${b.name} both measure ${shared}`);
    }
  }
  const resolutions = parts.flatMap((p) => (p.resolutionS === null ? [] : [p.resolutionS]));
  const meter = defineMeter({
    name: parts.map((p) => p.name).join('+'),
    kind: parts.every((p) => p.kind === 'measured') ? 'measured' : 'estimated',
    components: parts.flatMap((p) => p.components),
    // The coarsest part sets how long a window must be.
    resolutionS: resolutions.length > 0 ? Math.max(...resolutions) : null,
    close: async () => {
      await Promise.all(parts.map((p) => p.close()));
    },
    describe: () => parts.map((p) => p.describe()).join(' + '),
    zeroReason: null, // each part warned of its own zeros
    async prepare() {
      const prepared = await Promise.allSettled(parts.map((p) => p.prepare()));
      const ready = prepared.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const failed = prepared.find((s) => s.status === 'rejected');
      if (failed) {
        for (const p of ready) p.cancel();
        throw failed.reason;
      }
      return {
        cancel: () => {
          for (const p of ready) p.cancel();
        },
        open() {
          const windows: EnergyWindow[] = [];
          try {
            for (const p of ready) windows.push(p.open());
          } catch (err) {
            // Close what did open, release what did not, then say why the window could not start.
            for (const p of ready.slice(windows.length + 1)) p.cancel();
            void Promise.allSettled(windows.map((w) => w.stop()));
            throw err;
          }
          return {
            async stop() {
              // Each stop() reads its counters before its first await, so the parts close together.
              const stopped = await Promise.allSettled(windows.map((w) => w.stop()));
              const failure = stopped.find((s) => s.status === 'rejected');
              if (failure) throw failure.reason;
              return merge(stopped.map((s) => (s as PromiseFulfilledResult<EnergyReading>).value));
            },
          };
        },
      };
    },
  });
  return { ...meter, parts };
}

/** One meter as is, several as a composite. */
export function combine(parts: readonly Meter[]): Meter {
  return parts.length === 1 ? parts[0]! : compositeMeter(parts);
}

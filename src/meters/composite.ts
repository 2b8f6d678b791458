// Several meters read as one (e.g. CPU and DRAM from RAPL, GPU from NVML). Parts must cover
// disjoint components, so nothing is counted twice, and must watch the same interval: every part
// does its slow set-up first (prepare), then all windows open back to back, so one part's
// start-up (launching nvidia-smi, NVML init) is not missing from the others' windows.
import type { Component, EnergyReading, EnergyWindow, Meter } from '../types.js';
import { isPreparable, stopOnce, totalJoules, type PreparedWindow } from './common.js';

/** The first component two meters both cover, if any. */
export function overlap(a: Meter, b: Meter): Component | undefined {
  return a.components.find((c) => b.components.includes(c));
}

export class CompositeMeter implements Meter {
  readonly name: string;
  readonly kind: Meter['kind'];
  readonly components: readonly Component[];
  readonly parts: readonly Meter[];

  constructor(parts: Meter[]) {
    if (parts.length === 0) throw new Error('a composite meter needs at least one part');
    parts.forEach((a, i) =>
      parts.slice(i + 1).forEach((b) => {
        const shared = overlap(a, b);
        if (shared) throw new Error(`meters ${a.name} and ${b.name} both measure ${shared}`);
      }),
    );
    this.parts = parts;
    this.name = parts.map((p) => p.name).join('+');
    this.kind = parts.every((p) => p.kind === 'measured') ? 'measured' : 'estimated';
    this.components = parts.flatMap((p) => p.components);
  }

  describe(): string {
    return this.parts.map((p) => p.describe()).join(' + ');
  }

  async start(): Promise<EnergyWindow> {
    // A part without prepare() is wrapped: its start() is its set-up, its window opens then.
    const prepared = await Promise.allSettled(
      this.parts.map(async (p): Promise<PreparedWindow> => {
        if (isPreparable(p)) return p.prepare();
        const window = await p.start();
        return { open: () => window, cancel: () => void window.stop().catch(() => {}) };
      }),
    );
    const ready = prepared.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = prepared.find((s) => s.status === 'rejected');
    if (failed) {
      for (const p of ready) p.cancel();
      throw failed.reason;
    }
    const windows: EnergyWindow[] = [];
    try {
      for (const p of ready) windows.push(p.open());
    } catch (err) {
      // Close what did open, release what did not, then say why the window could not start.
      for (const p of ready.slice(windows.length + 1)) p.cancel();
      await Promise.allSettled(windows.map((w) => w.stop()));
      throw err;
    }
    const check = stopOnce();
    return {
      stop: async (): Promise<EnergyReading> => {
        check();
        // Each stop() reads its counters before its first await, so the parts close together.
        const stopped = await Promise.allSettled(windows.map((w) => w.stop()));
        const failure = stopped.find((s) => s.status === 'rejected');
        if (failure) throw failure.reason;
        return this.#merge(stopped.map((s) => (s as PromiseFulfilledResult<EnergyReading>).value));
      },
    };
  }

  #merge(readings: EnergyReading[]): EnergyReading {
    const components: Partial<Record<Component, number>> = Object.assign({}, ...readings.map((r) => r.components));
    return {
      meter: this.name,
      kind: readings.every((r) => r.kind === 'measured') ? 'measured' : 'estimated',
      durationS: Math.max(...readings.map((r) => r.durationS)),
      components,
      joules: totalJoules(components),
      details: {
        parts: Object.fromEntries(readings.map((r) => [r.meter, { kind: r.kind, durationS: r.durationS, components: r.components, ...r.details }])),
      },
      warnings: readings.flatMap((r) => r.warnings.map((w) => (w.startsWith(`${r.meter}:`) ? w : `${r.meter}: ${w}`))),
    };
  }
}

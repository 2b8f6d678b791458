// The estimate meter: no sensor, only arithmetic. Every figure it produces is labelled
// `estimated`. CPU: seconds of CPU time this process used (all its threads, onnxruntime's
// included) x watts per busy hardware thread (TDP / threads, see cpu-tdp.ts). DRAM:
// CodeCarbon's 3/8 W per GB (0.375 W/GB, the constant behind Power Hungry Processing's RAM
// figures), applied to this process's resident memory rather than the machine's installed RAM.
import { cpus } from 'node:os';
import type { EnergyReading, EnergyWindow, Meter } from '../types.js';
import { stopOnce, zeroWarnings, type PreparedWindow } from './common.js';
import { wattsPerThread, type PerThreadWatts } from './cpu-tdp.js';

export const DRAM_WATTS_PER_GB = 0.375;

/** What the meter reads; injectable so tests can drive it with known values. */
export interface EstimateProbes {
  /** Monotonic clock, seconds. */
  now(): number;
  /** CPU time of this process (user + system, all threads), seconds. */
  cpuSeconds(): number;
  /** Resident set size of this process, bytes. */
  rssBytes(): number;
}

export const processProbes: EstimateProbes = {
  now: () => performance.now() / 1000,
  cpuSeconds: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  },
  rssBytes: () => process.memoryUsage.rss(),
};

export interface EstimateOptions {
  /** --cpu-watts: watts per busy hardware thread, overriding the TDP table. */
  cpuWatts?: number | undefined;
  cpuModel?: string;
  probes?: EstimateProbes;
}

export class EstimateMeter implements Meter {
  readonly name = 'estimate';
  readonly kind = 'estimated' as const;
  readonly components = ['cpu', 'dram'] as const;
  readonly perThread: PerThreadWatts;
  readonly #probes: EstimateProbes;

  constructor(options: EstimateOptions = {}) {
    this.perThread = wattsPerThread(options.cpuModel ?? cpus()[0]?.model ?? 'unknown', options.cpuWatts);
    this.#probes = options.probes ?? processProbes;
  }

  describe(): string {
    return `estimate (process CPU time x ${this.perThread.watts.toFixed(2)} W/thread + DRAM ${DRAM_WATTS_PER_GB} W/GB of RSS) — ESTIMATED, not measured`;
  }

  async start(): Promise<EnergyWindow> {
    return (await this.prepare()).open();
  }

  /** Nothing to set up: in a composite meter this window opens together with the others. */
  async prepare(): Promise<PreparedWindow> {
    return { open: () => this.#open(), cancel: () => {} };
  }

  #open(): EnergyWindow {
    const probes = this.#probes;
    const t0 = probes.now();
    const cpu0 = probes.cpuSeconds();
    const rss0 = probes.rssBytes();
    const check = stopOnce();
    return {
      stop: async (): Promise<EnergyReading> => {
        check();
        const durationS = probes.now() - t0;
        const cpuSeconds = probes.cpuSeconds() - cpu0;
        const meanRssGB = (rss0 + probes.rssBytes()) / 2 / 1e9;
        const components = { cpu: cpuSeconds * this.perThread.watts, dram: meanRssGB * DRAM_WATTS_PER_GB * durationS };
        const warnings = [
          ...(this.perThread.fallback ? [this.perThread.source] : []),
          ...zeroWarnings({ components, durationS }, 'no CPU time was charged to this process in the window (shorter than the OS CPU-time resolution?)'),
        ];
        return {
          meter: this.name,
          kind: this.kind,
          durationS,
          components,
          joules: components.cpu + components.dram,
          details: {
            method: 'cpu = process CPU seconds x W/thread; dram = mean RSS (GB) x 0.375 W/GB x window seconds',
            cpuSeconds,
            wattsPerThread: this.perThread.watts,
            wattsPerThreadSource: this.perThread.source,
            meanRssGB,
            dramWattsPerGB: DRAM_WATTS_PER_GB,
          },
          warnings,
        };
      },
    };
  }
}

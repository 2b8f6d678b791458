// The estimate meter: no sensor, only arithmetic. Every figure it produces is labelled
// `estimated`. CPU: seconds of CPU time this process used (all its threads, onnxruntime's
// included) x watts per busy hardware thread (TDP / threads, see cpu-tdp.ts). DRAM:
// CodeCarbon's rule before version 3, 3/8 W per GB where its GB is 1024^3 bytes (B_TO_GB), the
// constant behind Power Hungry Processing's RAM figures, applied to this process's resident
// memory rather than the machine's installed RAM. (CodeCarbon 3 counts 5 W per DIMM instead.)
import { cpus } from 'node:os';
import { defineMeter, ready, type Meter, type MeterContext, type MeterProbe } from './base.js';
import { wattsPerThread, type PerThreadWatts } from './cpu-tdp.js';

export const DRAM_WATTS_PER_GIB = 0.375;
const GIB = 1024 ** 3;
/** process.cpuUsage() counts microseconds. */
const CPU_TIME_RESOLUTION_S = 1e-6;

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
  cpuWatts?: number | null;
  cpuModel?: string;
  probes?: EstimateProbes;
}

export interface EstimateMeter extends Meter {
  readonly perThread: PerThreadWatts;
}

export function estimateMeter(options: EstimateOptions = {}): EstimateMeter {
  const perThread = wattsPerThread(options.cpuModel ?? cpus()[0]?.model ?? 'unknown', options.cpuWatts ?? null);
  const probes = options.probes ?? processProbes;
  const meter = defineMeter({
    name: 'estimate',
    kind: 'estimated',
    components: ['cpu', 'dram'],
    resolutionS: CPU_TIME_RESOLUTION_S,
    describe: () =>
      `estimate (process CPU time x ${perThread.watts.toFixed(2)} W/thread + DRAM ${DRAM_WATTS_PER_GIB} W/GiB of RSS) — ESTIMATED, not measured`,
    zeroReason: 'no CPU time was charged to this process in the window (shorter than the OS CPU-time resolution?)',
    // Nothing to set up: in a composite meter this window opens together with the others.
    prepare: () =>
      ready(() => {
        const t0 = probes.now();
        const cpu0 = probes.cpuSeconds();
        const rss0 = probes.rssBytes();
        return {
          async stop() {
            const durationS = probes.now() - t0;
            const cpuSeconds = probes.cpuSeconds() - cpu0;
            const meanRssGiB = (rss0 + probes.rssBytes()) / 2 / GIB;
            return {
              durationS,
              components: { cpu: cpuSeconds * perThread.watts, dram: meanRssGiB * DRAM_WATTS_PER_GIB * durationS },
              details: {
                method:
                  'cpu = process CPU seconds x W/thread; dram = mean RSS (GiB) x 0.375 W/GiB x window seconds (CodeCarbon < 3)',
                cpuSeconds,
                wattsPerThread: perThread.watts,
                wattsPerThreadSource: perThread.source,
                meanRssGiB,
                dramWattsPerGiB: DRAM_WATTS_PER_GIB,
              },
              warnings: perThread.fallback ? [perThread.source] : [],
            };
          },
        };
      }),
  });
  return { ...meter, perThread };
}

/** Always available: the fallback when no sensor can be read. */
export async function probe(ctx: MeterContext): Promise<MeterProbe> {
  const meter = estimateMeter({ cpuWatts: ctx.cpuWatts });
  return {
    available: true,
    meter,
    devices: [
      `CPU ${cpus()[0]?.model ?? 'unknown'}: ${meter.perThread.watts.toFixed(2)} W/thread (${meter.perThread.source})`,
    ],
  };
}

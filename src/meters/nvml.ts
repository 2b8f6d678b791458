// NVIDIA GPUs through NVML (libnvidia-ml, nvml-api.ts). Each GPU's energy counter (mJ since driver
// load, Volta and newer) is read at the window's two ends; its update period is measured at
// start-up (it steps every 20–100 ms), and is the meter's resolution. The sampler thread reads
// every GPU's power each 100 ms meanwhile: the measurement for a GPU without a counter (NVML
// says NOT_SUPPORTED), the power timeline, and a cross-check of the counter for the others.
// NVML is initialised once per process (nvml-api.ts), never per window.
import { errorMessage } from '../util/errors.js';
import type { CrossCheck } from '../schema/energy.js';
import {
  CROSS_CHECK_TOLERANCE,
  defineMeter,
  monotonicS,
  signedPercent,
  type Env,
  type Meter,
  type MeterContext,
  type MeterProbe,
  type WindowFigures,
} from './base.js';
import { visibleGpus, type GpuIdentity } from './cuda-visible.js';
import { holdNvml, loadNvml, NVML_ERROR_NO_PERMISSION, NvmlError, type Handle, type NvmlApi } from './nvml-api.js';
import {
  energyOf,
  GAP_PERIODS,
  gapsFlagged,
  gapWarning,
  sampledSteps,
  sampleGaps,
  sumSteps,
  timelineOf,
  type Steps,
} from './power-series.js';
import { SourceSlot } from './sampler.js';
import type { Taken } from './sampler-protocol.js';

export { NVML_LIBRARY_NAMES } from './nvml-api.js';
export const DEFAULT_NVML_POWER_SAMPLE_MS = 100;
/** How long the start-up check watches an energy counter for its updates. */
export const DEFAULT_NVML_PROBE_TIMEOUT_MS = 1200;

export interface NvmlOptions {
  env?: Env;
  /** Library path; default env JOULEBENCH_NVML_LIB, else the driver's sonames. */
  libraryPath?: string | undefined;
  /** Power sampling period (at most 100 ms in normal use). */
  powerSampleMs?: number;
  /** The start-up check's limit for seeing an energy counter update. */
  probeTimeoutMs?: number;
}

type Method = 'energy-counter' | 'sampled-power';

export interface NvmlGpu extends GpuIdentity {
  method: Method;
  persistent: boolean | null;
  powerLimitW: number | null;
  /** Energy counter update period measured at start-up, seconds. */
  updatePeriodS: number | null;
  startupW: number;
}

interface Found extends GpuIdentity {
  /** Why NVML refused the device's handle (NO_PERMISSION), if it did. */
  denied?: string;
  handle?: Handle;
  method?: Method | { unsupported: string };
  persistent?: boolean | null;
  powerLimitW?: number | null;
}

const attempt = <T>(f: () => T): T | null => {
  try {
    return f();
  } catch {
    return null;
  }
};

/** The energy counter where NVML has one (Volta and newer), else sampled power, else nothing. */
function methodOf(api: NvmlApi, h: Handle): Method | { unsupported: string } {
  const failures: string[] = [];
  for (const [method, read] of [
    ['energy-counter', () => api.energyMj(h)],
    ['sampled-power', () => api.powerMw(h)],
  ] as const) {
    try {
      read();
      return method;
    } catch (err) {
      failures.push(errorMessage(err));
    }
  }
  return { unsupported: failures.join('; ') };
}

function findGpus(api: NvmlApi): Found[] {
  return Array.from({ length: api.count() }, (_, index): Found => {
    let h: Handle;
    try {
      h = api.handle(index);
    } catch (err) {
      // nvmlDeviceGetCount_v2 counts devices whose handle is refused: a GPU this process may not use.
      if (err instanceof NvmlError && err.code === NVML_ERROR_NO_PERMISSION)
        return { index, uuid: '', name: '', denied: err.message };
      throw err;
    }
    return {
      index,
      handle: h,
      name: api.name(h),
      uuid: api.uuid(h),
      method: methodOf(api, h),
      persistent: attempt(() => api.persistent(h)),
      powerLimitW: attempt(() => api.powerLimitMw(h) / 1000),
    };
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The start-up check watches at least this long, so the power it reads spans many updates of a fast counter. */
const MIN_WATCH_MS = 50;

/**
 * Watches each energy counter until it has updated four times and MIN_WATCH_MS passed (or
 * `timeoutMs` did): the shortest time between updates is its period (as Zeus infers it), the mean
 * rate between the first and last update its power.
 */
async function watchCounters(
  api: NvmlApi,
  handles: Handle[],
  timeoutMs: number,
): Promise<{ periodS: number | null; watts: number | null }[]> {
  const changes = handles.map(() => [] as { t: number; mj: number }[]);
  const last = handles.map((h) => api.energyMj(h));
  const t0 = monotonicS();
  const watching = () => {
    const elapsed = monotonicS() - t0;
    return elapsed < timeoutMs / 1000 && (elapsed < MIN_WATCH_MS / 1000 || changes.some((c) => c.length < 4));
  };
  while (handles.length > 0 && watching()) {
    await sleep(1);
    const t = monotonicS();
    for (const [i, h] of handles.entries()) {
      const mj = api.energyMj(h);
      if (mj !== last[i]) changes[i]!.push({ t, mj });
      last[i] = mj;
    }
  }
  return changes.map((c) => {
    if (c.length < 2) return { periodS: null, watts: null };
    const gaps = c.slice(1).map((p, i) => p.t - c[i]!.t);
    return { periodS: Math.min(...gaps), watts: (c.at(-1)!.mj - c[0]!.mj) / 1000 / (c.at(-1)!.t - c[0]!.t) };
  });
}

const methodText = (g: NvmlGpu) =>
  g.method === 'energy-counter'
    ? `energy counter, updates every ${Math.round(g.updatePeriodS! * 1000)} ms (measured)`
    : 'no energy counter: power sampled and integrated';
const limitText = (w: number | null) => (w === null ? 'no power limit readable' : `power limit ${w.toFixed(0)} W`);
const persistenceText = (p: boolean | null) =>
  p === null ? 'persistence mode unknown' : `persistence mode ${p ? 'on' : 'off'}`;

/** The start-up check of one selected GPU: its counter advances (or its power reads), plausibly. */
function checkGpu(
  g: Found,
  watched: { periodS: number | null; watts: number | null } | undefined,
  api: NvmlApi,
  timeoutMs: number,
) {
  const label = `GPU ${g.index} (${g.name})`;
  const watts = g.method === 'energy-counter' ? watched?.watts : attempt(() => api.powerMw(g.handle!) / 1000);
  if (watts === null || watts === undefined || watts <= 0) {
    const what =
      g.method === 'energy-counter'
        ? `energy counter did not advance in ${(timeoutMs / 1000).toFixed(1)} s`
        : 'power read 0 W';
    return { error: `${label}: ${what} (start-up check)` };
  }
  if (g.powerLimitW && watts >= 2 * g.powerLimitW)
    return {
      error:
        `${label}: ${watts.toFixed(1)} W at start-up is not plausible ` +
        `(${limitText(g.powerLimitW)}; expected 0–${(2 * g.powerLimitW).toFixed(0)} W)`,
    };
  return { watts, periodS: watched?.periodS ?? null };
}

export async function probeNvml(options: NvmlOptions = {}): Promise<MeterProbe> {
  const lib = await loadNvml(options);
  if (!lib.ok) return { available: false, reason: lib.reason, devices: [] };
  const api = lib.api;
  const env = options.env ?? process.env;
  let all: Found[];
  let driverVersion: string;
  try {
    holdNvml(api);
    all = findGpus(api);
    driverVersion = api.driverVersion();
  } catch (err) {
    return { available: false, reason: `${api.path}: ${errorMessage(err)}`, devices: [] };
  }
  const visible = visibleGpus(all, env);
  const shown = visible.ok ? new Set<Found>(visible.gpus) : new Set<Found>();
  const hidden = (g: Found) => (visible.ok && !shown.has(g) ? ', hidden by CUDA_VISIBLE_DEVICES' : '');
  const lines = new Map<Found, string>();
  for (const g of all) {
    const how =
      typeof g.method === 'string'
        ? g.method === 'energy-counter'
          ? 'energy counter'
          : 'no energy counter: power sampled and integrated'
        : g.method?.unsupported;
    lines.set(
      g,
      g.denied
        ? `GPU ${g.index}: not accessible (${g.denied})${hidden(g)}`
        : `GPU ${g.index}: ${g.name} (${g.uuid}) — ${how}${hidden(g)}`,
    );
  }
  const devices = () => all.map((g) => lines.get(g)!);
  if (all.length === 0) return { available: false, reason: `NVML (driver ${driverVersion}) sees no GPU`, devices: [] };
  if (!visible.ok) return { available: false, reason: visible.reason, devices: devices() };
  const denied = visible.gpus.find((g) => g.denied);
  if (denied) {
    const selection =
      env.CUDA_VISIBLE_DEVICES === undefined
        ? 'CUDA_VISIBLE_DEVICES unset: every GPU'
        : `CUDA_VISIBLE_DEVICES=${env.CUDA_VISIBLE_DEVICES}`;
    return {
      available: false,
      reason:
        `GPU ${denied.index} is selected (${selection}) but NVML refuses access to it (${denied.denied}): ` +
        'give this process access to it, or leave it out of CUDA_VISIBLE_DEVICES',
      devices: devices(),
    };
  }
  const blind = visible.gpus.filter((g) => typeof g.method !== 'string');
  if (blind.length > 0) {
    const which = blind.map((g) => `GPU ${g.index} (${g.name})`).join(', ');
    const why = blind.map((g) => (g.method as { unsupported: string }).unsupported).join('; ');
    return {
      available: false,
      reason: `${which}: neither energy counter nor power readable (${why})`,
      devices: devices(),
    };
  }
  const counters = visible.gpus.filter((g) => g.method === 'energy-counter');
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_NVML_PROBE_TIMEOUT_MS;
  const watched = await watchCounters(
    api,
    counters.map((g) => g.handle!),
    timeoutMs,
  );
  const gpus: NvmlGpu[] = [];
  for (const g of visible.gpus) {
    const check = checkGpu(g, watched[counters.indexOf(g)], api, timeoutMs);
    if ('error' in check) return { available: false, reason: check.error, devices: devices() };
    const gpu: NvmlGpu = {
      index: g.index,
      name: g.name,
      uuid: g.uuid,
      method: g.method as Method,
      persistent: g.persistent ?? null,
      powerLimitW: g.powerLimitW ?? null,
      updatePeriodS: check.periodS,
      startupW: check.watts,
    };
    gpus.push(gpu);
    lines.set(
      g,
      `GPU ${g.index}: ${g.name} (${g.uuid}) — ${methodText(gpu)}, ${check.watts.toFixed(1)} W at start-up ` +
        `(${limitText(gpu.powerLimitW)}), ${persistenceText(gpu.persistent)}`,
    );
  }
  return {
    available: true,
    meter: nvmlMeter(api, gpus, { driverVersion, warnings: visible.warnings }, options),
    devices: devices(),
  };
}

export interface NvmlMeter extends Meter {
  readonly gpus: readonly NvmlGpu[];
}

export function nvmlMeter(
  api: NvmlApi,
  gpus: NvmlGpu[],
  facts: { driverVersion: string; warnings: string[] },
  options: NvmlOptions = {},
): NvmlMeter {
  const sampleMs = options.powerSampleMs ?? DEFAULT_NVML_POWER_SAMPLE_MS;
  const handles = gpus.map((g) => api.handle(g.index));
  const counter = gpus.map((g) => g.method === 'energy-counter');
  // The resolution is the coarser of the counters' update period and the power sampling period.
  const resolutionS = Math.max(
    ...gpus.map((g) => (g.method === 'energy-counter' ? (g.updatePeriodS ?? sampleMs / 1000) : sampleMs / 1000)),
  );
  const indices = gpus.map((g) => g.index);
  const source = new SourceSlot(() => ({ kind: 'nvml', library: api.path, indices, intervalMs: sampleMs }));

  /** Power and (where there is one) the energy counter of every GPU, now: read between tb and ta. */
  const readEnds = () => {
    const tb = monotonicS();
    const watts = handles.map((h) => attempt(() => api.powerMw(h) / 1000));
    const mj = handles.map((h, i) => (counter[i] ? api.energyMj(h) : null));
    const ta = monotonicS();
    return { t: (tb + ta) / 2, tb, ta, watts, mj };
  };

  const figures = (a: ReturnType<typeof readEnds>, b: ReturnType<typeof readEnds>, taken: Taken): WindowFigures => {
    const [t0, t1] = [a.t, b.t];
    const warnings = [...facts.warnings];
    const crossChecks: CrossCheck[] = [];
    const steps: Steps[] = [];
    let figureGaps = false;
    const devices = gpus.map((g, i) => {
      const points = [
        ...(a.watts[i] === null ? [] : [{ t: t0, w: a.watts[i]! }]),
        ...taken.rows.flatMap((r) => (r.v[i] === null ? [] : [{ t: r.t, w: r.v[i]! }])),
        ...(b.watts[i] === null ? [] : [{ t: t1, w: b.watts[i]! }]),
      ];
      const sampled = points.length > 0 ? sampledSteps(points, t0, t1) : undefined;
      if (sampled) steps.push(sampled);
      const label = `GPU ${g.index} (${g.name})`;
      const gaps = sampleGaps(points, t0, t1, sampleMs / 1000);
      if (!counter[i] && gapsFlagged(gaps, t1 - t0)) figureGaps = true; // a counter's figure has none
      let joules: number;
      if (counter[i]) {
        if (b.mj[i]! < a.mj[i]!) throw new Error(`nvml: ${label}'s energy counter went backwards (driver reloaded?)`);
        joules = (b.mj[i]! - a.mj[i]!) / 1000;
        if (sampled && joules > 0) {
          const check = crossCheck(label, joules, energyOf(sampled), sampleMs);
          crossChecks.push(check);
          if (check.flagged)
            warnings.push(
              `nvml: ${label}: its sampled power integrates to ${signedPercent(check.difference)} of its energy ` +
                'counter (more than 10% apart; the counter is what counts)',
            );
        }
      } else {
        if (!sampled) throw new Error(`nvml: no power reading of ${label} in the window`);
        joules = energyOf(sampled);
        warnings.push(
          `nvml: ${label} has no energy counter: its figure integrates power sampled every ${sampleMs} ms, ` +
            'which NVML may itself average over about 1 s',
        );
      }
      const gapNote = gapWarning(`nvml: ${label}`, gaps, t1 - t0, sampleMs / 1000, !counter[i]);
      if (gapNote) warnings.push(gapNote);
      if (g.persistent === false)
        warnings.push(
          `nvml: persistence mode is off on GPU ${g.index} (${g.name}): the driver tears GPU state down ` +
            'whenever no client holds it (joulebench holds it for the whole run); enable it with `sudo nvidia-smi -pm 1`',
        );
      return {
        index: g.index,
        name: g.name,
        uuid: g.uuid,
        method: g.method,
        joules,
        persistenceMode: g.persistent === null ? 'unknown' : g.persistent ? 'enabled' : 'disabled',
        powerLimitW: g.powerLimitW,
        ...(g.updatePeriodS !== null ? { updatePeriodS: g.updatePeriodS } : {}),
        ...(counter[i] ? {} : { samples: points.length }),
        gaps,
      };
    });
    // The window's two end readings are the main thread's; the sampler counted its own.
    const failed = taken.failedReads + [...a.watts, ...b.watts].filter((w) => w === null).length;
    if (failed > 0)
      warnings.push(
        `nvml: ${failed} power reading(s) failed during the window ` +
          `(gaps of over ${GAP_PERIODS} sampling periods are warned of per GPU)`,
      );
    return {
      durationS: t1 - t0,
      components: { gpu: devices.reduce((sum, d) => sum + d.joules, 0) },
      details: {
        method:
          'NVML: per-GPU energy counter (mJ) difference; where unsupported, power (mW) sampled in a sampler thread and integrated (trapezoid)',
        library: api.path,
        driverVersion: facts.driverVersion,
        sampleMs,
        devices,
        gapsFlagged: figureGaps,
      },
      warnings,
      ...(steps.length > 0 ? { timeline: timelineOf({ gpu: sumSteps(steps) }, t0) } : {}),
      ...(crossChecks.length > 0 ? { crossChecks } : {}),
    };
  };

  const meter = defineMeter({
    name: 'nvml',
    kind: 'measured',
    components: ['gpu'],
    resolutionS,
    describe: () => {
      const list = gpus.map((g) => {
        const via =
          g.method === 'energy-counter'
            ? `energy counter (updates every ${Math.round(g.updatePeriodS! * 1000)} ms)`
            : `power sampled every ${sampleMs} ms`;
        return `GPU ${g.index} ${g.name} via ${via}`;
      });
      return `nvml (${list.join('; ')}) — measured`;
    },
    zeroReason: 'the GPU energy counter did not advance (window shorter than its update period?)',
    async prepare() {
      const s = await source.get();
      return {
        open: () => {
          const a = readEnds();
          const w = s.open(a.ta); // the sampler's readings in between begin after these
          return {
            async stop() {
              const b = readEnds();
              return figures(a, b, await w.take(b.tb));
            },
          };
        },
        cancel: () => {},
      };
    },
    close: () => source.retire(),
  });
  return { ...meter, gpus };
}

function crossCheck(what: string, counterJ: number, sampledJ: number, sampleMs: number): CrossCheck {
  const difference = sampledJ / counterJ - 1;
  return {
    components: ['gpu'],
    what,
    primary: { source: 'energy counter', joules: counterJ },
    secondary: { source: `power (nvmlDeviceGetPowerUsage) sampled every ${sampleMs} ms`, joules: sampledJ },
    difference,
    flagged: Math.abs(difference) > CROSS_CHECK_TOLERANCE,
  };
}

export function probe(ctx: MeterContext): Promise<MeterProbe> {
  return probeNvml({ env: ctx.env, ...(ctx.tuning.nvml as NvmlOptions | undefined) });
}

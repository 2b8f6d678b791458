// Fallback GPU meter for hosts where libnvidia-ml cannot be loaded but `nvidia-smi` runs.
// nvidia-smi has no energy-counter field, so ONE long-lived
// `nvidia-smi --query-gpu=timestamp,index,uuid,<power> -lms 100` per meter (per run) prints every
// GPU's power in the sampler thread, which times each line by nvidia-smi's own `timestamp`, not
// by when it was read; windows integrate what falls inside them. The result is sampled power, not
// a counter, and every reading says so. If nvidia-smi exits or stops printing, the window fails
// (the next one starts a new nvidia-smi).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse as parseSync } from 'csv-parse/sync';
import { z } from 'zod';
import { errorCode } from '../util/errors.js';
import {
  defineMeter,
  monotonicS,
  type Env,
  type Meter,
  type MeterContext,
  type MeterProbe,
  type WindowFigures,
} from './base.js';
import { visibleGpus, type GpuIdentity } from './cuda-visible.js';
import { energyOf, gapsFlagged, gapWarning, sampledSteps, sampleGaps, sumSteps, timelineOf } from './power-series.js';
import { SourceSlot } from './sampler.js';
import type { Taken } from './sampler-protocol.js';

export const DEFAULT_SMI_SAMPLE_MS = 100;
/** `power.draw.instant` (newer drivers); older ones only have `power.draw`, a 1-second average. */
export type PowerField = 'power.draw.instant' | 'power.draw';

const run = promisify(execFile);

export interface NvidiaSmiOptions {
  env?: Env;
  /** Sampling period passed to `-lms`. */
  sampleMs?: number;
  /** How long to wait for nvidia-smi's first samples before giving up. */
  startTimeoutMs?: number;
  /** A window fails when a GPU's last sample is older than this at its end (default max(1 s, 10 periods)). */
  stallS?: number;
}

const index = z.string().regex(/^\d+$/).transform(Number);
const uuid = z.string().regex(/^GPU-/);
const watts = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number);
const listRow = z.tuple([index, uuid, z.string(), z.string(), z.string()]);

interface SmiGpu extends GpuIdentity {
  power: string;
  limitW: number | null;
}

function csvRows(text: string): string[][] {
  return parseSync(text, { trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
}

/** First line of a failed command's output, for one-line reasons. */
function firstLine(err: { stdout?: string; stderr?: string; message: string }): string {
  return (
    `${err.stdout ?? ''}\n${err.stderr ?? ''}`
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? err.message
  );
}

async function listGpus(env: Env, field: PowerField): Promise<SmiGpu[]> {
  const { stdout } = await run(
    'nvidia-smi',
    [`--query-gpu=index,uuid,name,${field},power.limit`, '--format=csv,noheader,nounits'],
    { env, timeout: 15_000 },
  );
  return csvRows(stdout).map((row) => {
    const parsed = listRow.safeParse(row);
    if (!parsed.success) throw new Error(`unexpected nvidia-smi line: '${row.join(', ')}'`);
    const [i, id, name, power, limit] = parsed.data;
    const limitW = watts.safeParse(limit);
    return { index: i, uuid: id, name, power, limitW: limitW.success ? limitW.data : null };
  });
}

/** The start-up check: a power reading above 0 and below twice the GPU's power limit. */
function implausible(g: SmiGpu, field: PowerField): string | undefined {
  const w = Number(g.power);
  if (w <= 0) return `GPU ${g.index} (${g.name}): ${field} reads ${g.power} W at start-up (start-up check)`;
  if (g.limitW !== null && w >= 2 * g.limitW)
    return (
      `GPU ${g.index} (${g.name}): ${g.power} W at start-up is not plausible ` +
      `(power limit ${g.limitW.toFixed(0)} W; expected 0–${(2 * g.limitW).toFixed(0)} W)`
    );
  return undefined;
}

export async function probeNvidiaSmi(options: NvidiaSmiOptions = {}): Promise<MeterProbe> {
  const env = options.env ?? process.env;
  let field: PowerField = 'power.draw.instant';
  let all: SmiGpu[];
  try {
    try {
      all = await listGpus(env, field);
    } catch (err) {
      // Drivers before power.draw.instant existed reject the field by name.
      if (!/not a valid field/i.test(firstLine(err as Error))) throw err;
      field = 'power.draw';
      all = await listGpus(env, field);
    }
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { available: false, reason: 'nvidia-smi not found on PATH', devices: [] };
    return { available: false, reason: `nvidia-smi failed: ${firstLine(err as Error)}`, devices: [] };
  }
  const visible = visibleGpus(all, env);
  const shown = visible.ok ? new Set(visible.gpus) : new Set();
  const devices = all.map((g) => {
    const limit = g.limitW !== null ? ` (power limit ${g.limitW.toFixed(0)} W)` : '';
    const hidden = visible.ok && !shown.has(g) ? ', hidden by CUDA_VISIBLE_DEVICES' : '';
    return `GPU ${g.index}: ${g.name} (${g.uuid}) — ${field} ${g.power}${limit}${hidden}`;
  });
  if (all.length === 0) return { available: false, reason: 'nvidia-smi lists no GPU', devices };
  if (!visible.ok) return { available: false, reason: visible.reason, devices };
  const blind = visible.gpus.filter((g) => !watts.safeParse(g.power).success);
  if (blind.length > 0) {
    return {
      available: false,
      reason: blind.map((g) => `GPU ${g.index} (${g.name}) reports ${field} as '${g.power}'`).join('; '),
      devices,
    };
  }
  const failed = visible.gpus.map((g) => implausible(g, field)).find((r) => r !== undefined);
  if (failed) return { available: false, reason: failed, devices };
  const warnings = [...visible.warnings];
  if (field === 'power.draw')
    warnings.push(
      'nvidia-smi: this driver has no power.draw.instant; power.draw is a 1-second average, which lags and smooths the draw',
    );
  const gpus = visible.gpus.map(({ index: i, uuid: id, name }) => ({ index: i, uuid: id, name }));
  return { available: true, meter: nvidiaSmiMeter(gpus, field, warnings, options), devices };
}

export interface NvidiaSmiMeter extends Meter {
  readonly gpus: readonly GpuIdentity[];
  readonly field: PowerField;
}

export function nvidiaSmiMeter(
  gpus: GpuIdentity[],
  field: PowerField,
  facts: string[],
  options: NvidiaSmiOptions = {},
): NvidiaSmiMeter {
  const env = options.env ?? process.env;
  const sampleMs = options.sampleMs ?? DEFAULT_SMI_SAMPLE_MS;
  const stallS = options.stallS ?? Math.max(1, (10 * sampleMs) / 1000);
  const args = [`--query-gpu=timestamp,index,uuid,${field}`, '--format=csv,noheader,nounits', '-lms', String(sampleMs)];
  /** The one nvidia-smi of this meter: started with the first window, again after it died. */
  const source = new SourceSlot(() => ({
    kind: 'nvidia-smi',
    args,
    env,
    uuids: gpus.map((g) => g.uuid),
    startTimeoutMs: options.startTimeoutMs ?? 15_000,
  }));

  const figures = (t0: number, t1: number, taken: Taken): WindowFigures => {
    const died = taken.died;
    if (died && died.t <= t1)
      throw new Error(`${died.reason} during the energy window${died.detail ? `: ${died.detail}` : ''}`);
    const rows = [...taken.before, ...taken.rows];
    const unreadable =
      taken.failedReads > 0
        ? `${taken.failedReads} line(s) could not be read as a power sample (the last: '${taken.lastUnreadable}')`
        : undefined;
    const devices = gpus.map((g, c) => {
      const points = rows.flatMap((r) => (r.v[c] === null || r.v[c] === undefined ? [] : [{ t: r.t, w: r.v[c]! }]));
      const last = points.at(-1);
      if (!last || t1 - last.t > stallS) {
        const when = last ? `came ${(t1 - last.t).toFixed(1)} s before` : 'never came, up to';
        throw new Error(
          `nvidia-smi stopped printing: its last sample of GPU ${g.index} ${when} the end of the energy window` +
            (unreadable ? `; ${unreadable}` : ''),
        );
      }
      const steps = sampledSteps(points, t0, t1);
      const gaps = sampleGaps(points, t0, t1, sampleMs / 1000);
      return {
        device: {
          index: g.index,
          name: g.name,
          uuid: g.uuid,
          method: 'sampled-power',
          joules: energyOf(steps),
          samples: points.filter((p) => p.t > t0).length,
          gaps,
        },
        steps,
        gapWarning: gapWarning(`nvidia-smi: GPU ${g.index} (${g.name})`, gaps, t1 - t0, sampleMs / 1000, true),
      };
    });
    const warnings = [
      `nvidia-smi: GPU energy is ${field} sampled every ${sampleMs} ms and integrated, not read from an energy counter`,
      ...facts,
    ];
    if (unreadable) warnings.push(`nvidia-smi: ${unreadable}; skipped`);
    for (const d of devices) if (d.gapWarning) warnings.push(d.gapWarning);
    if (taken.clockMismatches)
      warnings.push(
        `nvidia-smi: ${taken.clockMismatches} sample(s) carried a timestamp far from when they arrived ` +
          '(clock changed?); those were timed on arrival',
      );
    return {
      durationS: t1 - t0,
      components: { gpu: devices.reduce((a, d) => a + d.device.joules, 0) },
      details: {
        method:
          `integrated sampled power: one 'nvidia-smi --query-gpu=timestamp,index,uuid,${field} -lms ${sampleMs}' ` +
          'per run, read in a sampler thread, trapezoid rule',
        clock: "each sample is timed by nvidia-smi's own timestamp (local time, ms), mapped onto the monotonic clock",
        field,
        sampleMs,
        devices: devices.map((d) => d.device),
        gapsFlagged: devices.some((d) => gapsFlagged(d.device.gaps, t1 - t0)),
      },
      warnings,
      timeline: timelineOf({ gpu: sumSteps(devices.map((d) => d.steps)) }, t0),
    };
  };

  const meter = defineMeter({
    name: 'nvidia-smi',
    kind: 'measured',
    components: ['gpu'],
    resolutionS: sampleMs / 1000,
    describe: () =>
      `nvidia-smi (${gpus.map((g) => `GPU ${g.index} ${g.name}`).join('; ')}: ${field} sampled every ${sampleMs} ms ` +
      'and integrated) — measured, sampled power',
    zeroReason: 'nvidia-smi reported 0 W throughout',
    async prepare() {
      const s = await source.get();
      return {
        open: () => {
          const t0 = monotonicS();
          const w = s.open(t0);
          return {
            async stop() {
              const t1 = monotonicS();
              try {
                return figures(t0, t1, await w.take(t1));
              } catch (err) {
                await source.retire(); // a dead or silent nvidia-smi is replaced for the next window
                throw err;
              }
            },
          };
        },
        cancel: () => {},
      };
    },
    close: () => source.retire(),
  });
  return { ...meter, gpus, field };
}

export function probe(ctx: MeterContext): Promise<MeterProbe> {
  return probeNvidiaSmi({ env: ctx.env, ...(ctx.tuning['nvidia-smi'] as NvidiaSmiOptions | undefined) });
}

// Fallback GPU meter for hosts where libnvidia-ml cannot be loaded but `nvidia-smi` runs.
// nvidia-smi has no energy-counter field, so each window runs ONE long-lived
// `nvidia-smi --query-gpu=... -lms 100` and integrates the instantaneous power it prints. The
// result is sampled power, not a counter, and every reading says so.
import { execFile, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { z } from 'zod';
import { errorCode } from '../util/errors.js';
import {
  PowerIntegral,
  defineMeter,
  monotonicS,
  type Env,
  type Meter,
  type MeterContext,
  type MeterProbe,
  type WindowFigures,
} from './base.js';
import { visibleGpus, type GpuIdentity } from './cuda-visible.js';

export const DEFAULT_SMI_SAMPLE_MS = 100;
/** `power.draw.instant` (newer drivers); older ones only have `power.draw`, a 1-second average. */
export type PowerField = 'power.draw.instant' | 'power.draw';

const run = promisify(execFile);

export interface NvidiaSmiOptions {
  env?: Env;
  /** Sampling period passed to `-lms`. */
  sampleMs?: number;
  /** How long a window waits for the first samples before giving up. */
  startTimeoutMs?: number;
  now?: () => number;
}

const index = z.string().regex(/^\d+$/).transform(Number);
const uuid = z.string().regex(/^GPU-/);
const watts = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number);
const listRow = z.tuple([index, uuid, z.string(), z.string()]);
const sampleRow = z.tuple([index, uuid, watts]);

interface SmiGpu extends GpuIdentity {
  power: string;
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
    [`--query-gpu=index,uuid,name,${field}`, '--format=csv,noheader,nounits'],
    {
      env,
      timeout: 15_000,
    },
  );
  return csvRows(stdout).map((row) => {
    const parsed = listRow.safeParse(row);
    if (!parsed.success) throw new Error(`unexpected nvidia-smi line: '${row.join(', ')}'`);
    const [i, id, name, power] = parsed.data;
    return { index: i, uuid: id, name, power };
  });
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
  const devices = all.map(
    (g) =>
      `GPU ${g.index}: ${g.name} (${g.uuid}) — ${field} ${g.power}${visible.ok && !shown.has(g) ? ', hidden by CUDA_VISIBLE_DEVICES' : ''}`,
  );
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
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const now = options.now ?? monotonicS;

  /** Launches nvidia-smi and waits for a first sample of every GPU: the window opens after. */
  const prepare = async () => {
    const child = spawn(
      'nvidia-smi',
      [`--query-gpu=index,uuid,${field}`, '--format=csv,noheader,nounits', '-lms', String(sampleMs)],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    const release = (): void => {
      kill();
      process.removeListener('exit', kill);
    };
    process.once('exit', kill); // never leave a sampler behind
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    let failure: string | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        failure ??= `nvidia-smi could not run (${errorCode(err)})`;
        resolve();
      });
      child.once('exit', (code, signal) => {
        failure ??= `nvidia-smi exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`;
        resolve();
      });
    });

    // Samples before the window opens only tell each GPU's current power.
    const integrals = new Map<string, PowerIntegral>();
    const latest = new Map<string, number>();
    let badLines = 0;
    const wanted = new Set(gpus.map((g) => g.uuid));
    const parser = child.stdout.pipe(parse({ trim: true, skip_empty_lines: true, relax_column_count: true }));
    parser.on('error', (err: Error) => (failure ??= `nvidia-smi output unreadable: ${err.message}`));
    let allReported: () => void = () => {};
    const allSeen = new Promise<void>((resolve) => (allReported = resolve));
    parser.on('data', (row: string[]) => {
      const t = now();
      const parsed = sampleRow.safeParse(row);
      if (!parsed.success) {
        badLines++;
        return;
      }
      const [, id, w] = parsed.data;
      if (!wanted.has(id)) return;
      const integral = integrals.get(id);
      if (integral) integral.add(t, w);
      else latest.set(id, w);
      if (latest.size === wanted.size) allReported();
    });

    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timeout = setTimeout(resolve, startTimeoutMs)));
    await Promise.race([allSeen, exited, timedOut]);
    clearTimeout(timeout);
    if (latest.size < wanted.size) {
      release();
      throw new Error(failure ?? `nvidia-smi gave no power sample for every GPU within ${startTimeoutMs} ms`);
    }
    const open = () => {
      const t0 = now();
      for (const [id, w] of latest) {
        const integral = new PowerIntegral();
        integral.add(t0, w);
        integrals.set(id, integral);
      }
      // An open window must not keep the process alive.
      child.unref();
      (child.stdout as unknown as Socket).unref();
      (child.stderr as unknown as Socket).unref();
      return {
        async stop() {
          const t1 = now();
          const died = failure;
          release();
          if (died) throw new Error(`${died} during the energy window; no GPU figure for it`);
          for (const integral of integrals.values()) integral.holdUntil(t1);
          return figures(integrals, t1 - t0, badLines);
        },
      };
    };
    return { open, cancel: release };
  };

  const figures = (integrals: Map<string, PowerIntegral>, durationS: number, badLines: number): WindowFigures => {
    const devices = gpus.map((g) => {
      const integral = integrals.get(g.uuid)!;
      return {
        index: g.index,
        name: g.name,
        uuid: g.uuid,
        method: 'sampled-power',
        joules: integral.joules,
        samples: integral.samples,
      };
    });
    const warnings = [
      `nvidia-smi: GPU energy is ${field} sampled every ${sampleMs} ms and integrated, not read from an energy counter`,
      ...facts,
    ];
    if (devices.some((d) => d.samples < 2)) {
      warnings.push(
        `nvidia-smi: window of ${durationS.toFixed(3)} s is shorter than the ${sampleMs} ms sampling period; the first power sample was held throughout`,
      );
    }
    if (badLines > 0) warnings.push(`nvidia-smi: ${badLines} unparsable output line(s) skipped`);
    return {
      durationS,
      components: { gpu: devices.reduce((a, d) => a + d.joules, 0) },
      details: {
        method: `integrated sampled power: one 'nvidia-smi --query-gpu=index,uuid,${field} -lms ${sampleMs}' per window, samples time-stamped on arrival, trapezoid rule`,
        field,
        sampleMs,
        devices,
      },
      warnings,
    };
  };

  const meter = defineMeter({
    name: 'nvidia-smi',
    kind: 'measured',
    components: ['gpu'],
    describe: () =>
      `nvidia-smi (${gpus.map((g) => `GPU ${g.index} ${g.name}`).join('; ')}: ${field} sampled every ${sampleMs} ms and integrated) — measured, sampled power`,
    zeroReason: 'nvidia-smi reported 0 W throughout',
    prepare,
  });
  return { ...meter, gpus, field };
}

export function probe(ctx: MeterContext): Promise<MeterProbe> {
  return probeNvidiaSmi({ env: ctx.env, ...(ctx.tuning['nvidia-smi'] as NvidiaSmiOptions | undefined) });
}

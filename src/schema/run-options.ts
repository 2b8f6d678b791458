// The settings of a run: what flags, suites and plans set, validated in one place and resolved
// once (defaults below). Records keep them, plus the repetition and the task's call options.
import { z } from 'zod';
import { STEADY_RESOLUTIONS } from '../meters/base.js';

/** onnxruntime execution providers joulebench can run inference on. */
export const DEVICES = ['cpu', 'webgpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

/**
 * Bounds that keep every setting in a range the run can honour (a suite, a plan or a flag):
 * counts up to a million, seeds in 32 bits (what the row draw's generator takes), integers
 * no larger than JavaScript counts exactly. Threads are checked against the machine in plan.ts.
 */
export const LIMITS = {
  maxCount: 1_000_000,
  maxSeed: 2 ** 32 - 1,
  maxThreads: 4096,
  /** A day: a longer window or idle baseline is a typo (and past 24.8 days Node's timers overflow). */
  maxSeconds: 86_400,
} as const;

export const RunSettingsSchema = z.object({
  /** Inferences per repetition: the first n usable rows (or n drawn with sampleSeed). */
  samples: z.number().int().min(1).max(LIMITS.maxCount),
  /** Seed of the row draw; null = the first n rows. */
  sampleSeed: z.number().int().min(0).max(LIMITS.maxSeed).nullable(),
  /** Inputs per pipeline call; plan.ts clamps it to the samples of a repetition. */
  batchSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Unmeasured pipeline calls before the first window. */
  warmup: z.number().int().min(0).max(LIMITS.maxCount),
  repetitions: z.number().int().min(1).max(LIMITS.maxCount),
  /** `auto`, a meter name, or a comma list of meters. */
  meter: z.string().min(1),
  /** Estimate meter: watts per busy hardware thread; null = the TDP table. */
  cpuWatts: z.number().positive().nullable(),
  /** onnxruntime intra-op threads; null = onnxruntime's default. */
  threads: z.number().int().min(1).max(LIMITS.maxThreads).nullable(),
  device: z.string(),
  /** Idle baseline length; null = idleSecondsFor's default (none with the estimate). */
  idleSeconds: z.number().min(0).max(LIMITS.maxSeconds).nullable(),
  /**
   * Shortest energy window: whole passes over the samples repeat until a window lasts this long;
   * null = the meter's default (minWindowSecondsFor); 0 = one pass per window.
   */
  minWindowSeconds: z.number().min(0).max(LIMITS.maxSeconds).nullable(),
  /**
   * Repetitions until stable: after `repetitions` (the minimum), add repetitions until the 95 % CI
   * half-width of J/1k is within this fraction of the mean, or `maxRepetitions` is reached;
   * null = exactly `repetitions`.
   */
  targetCi: z.number().gt(0).lt(1).nullable(),
  maxRepetitions: z.number().int().min(1).max(LIMITS.maxCount),
});
/** Every setting, defaults applied: what a plan stores and a run uses. */
export type ResolvedRunOptions = z.output<typeof RunSettingsSchema>;

/** Settings as a flag set or a suite gives them: any subset. */
export const RunOptionsSchema = RunSettingsSchema.partial();
export type RunOptions = z.input<typeof RunOptionsSchema>;

export const DEFAULT_RUN_OPTIONS: ResolvedRunOptions = {
  samples: 1000,
  sampleSeed: null,
  batchSize: 1,
  warmup: 10,
  repetitions: 3,
  meter: 'auto',
  cpuWatts: null,
  threads: null,
  device: 'cpu',
  idleSeconds: null,
  minWindowSeconds: null,
  targetCi: null,
  maxRepetitions: 20,
};

/** Defaults, then each layer in turn (a suite's settings, then the flags typed). */
export function resolveRunOptions(...layers: readonly RunOptions[]): ResolvedRunOptions {
  return RunSettingsSchema.parse(Object.assign({}, DEFAULT_RUN_OPTIONS, ...layers));
}

/**
 * Idle baseline length: as set, else for a measured meter the larger of 10 s and its default
 * window (the baseline's figure is subtracted from windows read that finely); the estimate only
 * counts this process's CPU time, so it has no idle draw to subtract.
 */
export function idleSecondsFor(options: ResolvedRunOptions, measured: boolean, resolutionS: number | null): number {
  return options.idleSeconds ?? (measured ? Math.max(10, steadyWindowSeconds(resolutionS)) : 0);
}

/** The larger of 1 s and 200 × the meter's resolution. */
const steadyWindowSeconds = (resolutionS: number | null): number =>
  Math.max(1, STEADY_RESOLUTIONS * (resolutionS ?? 0));

/**
 * Shortest window: as set, else the larger of 1 s and 200 × the meter's resolution (RAPL ~1 ms ->
 * 1 s; an NVML counter updating every 100 ms, or nvidia-smi sampling every 100 ms -> 20 s).
 */
export function minWindowSecondsFor(options: ResolvedRunOptions, resolutionS: number | null): number {
  return options.minWindowSeconds ?? steadyWindowSeconds(resolutionS);
}

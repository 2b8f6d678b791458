// A configuration sweep: the axes a user asked for (batch size, threads, dtype, device), the
// dtypes no registered variant has, and the latency budget its report applies. The plan
// keeps it whole; every record of the sweep carries it too, so the leaderboard can build the
// sweep's page from records alone (and merge a sweep's shards).
import { z } from 'zod';

/** One unit's configuration: what it runs with instead of the run's batch size, threads and device. */
export const UnitConfigSchema = z.object({
  batchSize: z.number().int().min(1),
  /** onnxruntime intra-op threads; null = its default. */
  threads: z.number().int().min(1).nullable(),
  device: z.string(),
});
export type UnitConfig = z.infer<typeof UnitConfigSchema>;

/** The axes as given (each a list; an axis not given takes the run's one setting). */
export const SweepAxesSchema = z.object({
  batchSize: z.array(z.number().int().min(1)).optional(),
  threads: z.array(z.number().int().min(1)).optional(),
  /** dtype names (model-entry.ts's dtypeSuffix keys; checked where the flag is read). */
  dtype: z.array(z.string()).optional(),
  device: z.array(z.string()).optional(),
});
export type SweepAxes = z.infer<typeof SweepAxesSchema>;

/**
 * A configuration of the cross product that does not run, and why: in a plan, a dtype no
 * registered variant has; in a report, also each configuration skipped where it was to run.
 */
export const SweptOutSchema = z.object({
  /**
   * The model (registry id), or its Hub id where the dtype picks no registered variant; "*"
   * (every model) for a device in sweeps planned before such configurations stayed in the plan.
   */
  model: z.string(),
  /** The part of the configuration that cannot run (e.g. { dtype: 'fp16' } or { device: 'webgpu' }). */
  config: z.object({
    dtype: z.string().optional(),
    batchSize: z.number().optional(),
    threads: z.number().nullable().optional(),
    device: z.string().optional(),
  }),
  reason: z.string(),
});
export type SweptOut = z.infer<typeof SweptOutSchema>;

export const SweepSchema = z.object({
  /** The sweep's run id (a shard's records name the whole sweep's, without -shard<i>of<n>). */
  id: z.string(),
  axes: SweepAxesSchema,
  /** --latency-budget-ms: the report's energy-optimal configuration under it; null = none asked for. */
  latencyBudgetMs: z.number().positive().nullable(),
  skipped: z.array(SweptOutSchema),
});
export type Sweep = z.infer<typeof SweepSchema>;

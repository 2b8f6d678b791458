// A run's plan: the task × model × repetition matrix with its settings and the hashes of its
// inputs, written to <out>/runs/<run-id>.plan.json before the first model starts. Resume and
// verify read it back; shards take deterministic slices of it.
import { z } from 'zod';
import { DatasetSpecSchema } from './dataset-spec.js';
import { EnergyKindSchema } from './energy.js';
import { RunSettingsSchema } from './run-options.js';
import { SweepSchema, UnitConfigSchema } from './sweep-axes.js';

export const PLAN_VERSION = 1;

/** One (task, dataset, model): the unit a shard takes whole, so a model's repetitions stay on one machine. */
const PlanUnitSchema = z.object({
  task: z.string(),
  dataset: z.object({
    id: z.string(),
    split: z.string(),
    config: z.string(),
    sha256: z.string(),
  }),
  model: z.string(),
  /** sha256 per model file, for models already on disk when the plan was made (null: downloaded later). */
  modelFiles: z.record(z.string(), z.string()).nullable(),
  /** A sweep's unit: the batch size, threads and device it runs with instead of the run's. */
  config: UnitConfigSchema.optional(),
});
export type PlanUnit = z.infer<typeof PlanUnitSchema>;

const ShardSchema = z.object({ index: z.number().int(), count: z.number().int() });
export type Shard = z.infer<typeof ShardSchema>;

/** What to run: a task on one dataset with these models. */
const PlanTargetSchema = z.object({ task: z.string(), dataset: DatasetSpecSchema, models: z.array(z.string()) });
export type PlanTarget = z.infer<typeof PlanTargetSchema>;

/** The meter as resolved (--meter auto picks one per machine) and the machine: a resume must match both. */
const MeasuredOnSchema = z.object({ meter: z.string(), meterKind: EnergyKindSchema, hardware: z.string() });
export type MeasuredOn = z.infer<typeof MeasuredOnSchema>;

export const PlanSchema = z.object({
  planVersion: z.literal(PLAN_VERSION),
  runId: z.string(),
  createdAt: z.string(),
  /** --task name or --suite name, for messages. */
  source: z.string(),
  /**
   * Settings that must not change between a run and its resumption. Plans written before
   * windows repeated passes ran one pass per window: they resume so (minWindowSeconds 0).
   */
  settings: RunSettingsSchema.extend({
    minWindowSeconds: RunSettingsSchema.shape.minWindowSeconds.default(0),
    // Plans from before repetitions-until-stable ran a fixed count.
    targetCi: RunSettingsSchema.shape.targetCi.default(null),
    maxRepetitions: RunSettingsSchema.shape.maxRepetitions.default(20),
  }),
  targets: z.array(PlanTargetSchema),
  /** Every unit of the whole plan, in the stable order shards slice. */
  units: z.array(PlanUnitSchema),
  /** This run's slice: {index, count} for --shard index/count, null for the whole plan. */
  shard: ShardSchema.nullable(),
  /** A configuration sweep (`sweep`): its axes, what it skipped and why, its latency budget. */
  sweep: SweepSchema.optional(),
  /** Absent in plans written before it was kept: those resume unchecked. */
  measuredOn: MeasuredOnSchema.optional(),
});
export type Plan = z.infer<typeof PlanSchema>;

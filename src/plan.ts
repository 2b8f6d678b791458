// A run's plan: the task × model × repetition matrix with its settings and the hashes of its
// inputs, written to <out>/runs/<run-id>.plan.json before the first model starts. Resume
// and verify read it back; shards take deterministic slices of it.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from './errors.js';

export const PLAN_VERSION = 1;

/** Settings that must not change between a run and its resumption. */
export const PlanSettingsSchema = z.object({
  samples: z.number().int(),
  sampleSeed: z.number().int().nullable(),
  batchSize: z.number().int(),
  warmup: z.number().int(),
  repetitions: z.number().int(),
  meter: z.string(),
  cpuWatts: z.number().nullable(),
  threads: z.number().int().nullable(),
  device: z.string(),
  /** Idle baseline length; null = 10 s with a measured meter, none with the estimate. */
  idleSeconds: z.number().nullable(),
});
export type PlanSettings = z.infer<typeof PlanSettingsSchema>;

/** One (task, dataset, model): the unit a shard takes whole, so a model's repetitions stay on one machine. */
export const PlanUnitSchema = z.object({
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
});
export type PlanUnit = z.infer<typeof PlanUnitSchema>;

/** A task's dataset as declared (src/task.ts DatasetSpec), kept whole so a resume rebuilds it exactly. */
export const DatasetSpecSchema = z.object({
  id: z.string(),
  split: z.string(),
  config: z.string(),
  fields: z.record(z.string(), z.array(z.string())),
  labelNames: z.array(z.string()).optional(),
  labelled: z.boolean().optional(),
  description: z.string(),
});

export const PlanSchema = z.object({
  planVersion: z.literal(PLAN_VERSION),
  runId: z.string(),
  createdAt: z.string(),
  /** --task name or --suite name, for messages. */
  source: z.string(),
  settings: PlanSettingsSchema,
  /** What to run: each task with its dataset and model ids. */
  targets: z.array(z.object({ task: z.string(), dataset: DatasetSpecSchema, models: z.array(z.string()) })),
  /** Every unit of the whole plan, in the stable order shards slice. */
  units: z.array(PlanUnitSchema),
  /** This run's slice: {index, count} for --shard index/count, null for the whole plan. */
  shard: z.object({ index: z.number().int(), count: z.number().int() }).nullable(),
});
export type Plan = z.infer<typeof PlanSchema>;

export interface Cell {
  unit: PlanUnit;
  repetition: number;
}

export function unitKey(u: Pick<PlanUnit, 'task' | 'model'> & { dataset: { id: string; split: string } }): string {
  return `${u.task}|${u.dataset.id}|${u.dataset.split}|${u.model}`;
}

export function cellKey(u: Parameters<typeof unitKey>[0], repetition: number): string {
  return `${unitKey(u)}|${repetition}`;
}

/**
 * Stable order: by task, then dataset, then model id (then repetition, within a unit).
 * Code-point order, not localeCompare: every machine of a sharded run must agree.
 */
export function sortUnits(units: PlanUnit[]): PlanUnit[] {
  const key = (u: PlanUnit) => unitKey(u);
  return [...units].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** "2/4" -> { index: 2, count: 4 } (1-based); anything else is a one-line UserError. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UserError(`--shard ${text}: expected i/n with whole numbers, e.g. --shard 1/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard ${text}: i must be between 1 and n (n >= 1), e.g. --shard 1/${Math.max(count, 1)}`);
  }
  return { index, count };
}

/** The units of shard i/n: round-robin over the stable order, so shards get similar work. */
export function shardUnits(units: readonly PlanUnit[], shard: { index: number; count: number } | null): PlanUnit[] {
  if (!shard) return [...units];
  return units.filter((_, i) => i % shard.count === shard.index - 1);
}

export function cellsOf(units: readonly PlanUnit[], repetitions: number): Cell[] {
  return units.flatMap((unit) => Array.from({ length: repetitions }, (_, i) => ({ unit, repetition: i + 1 })));
}

export function planPath(runsDir: string, runId: string): string {
  return `${runsDir}/${runId}.plan.json`;
}

/** Written whole (temp file, fsync, rename): a crash never leaves half a plan. */
export function writePlan(path: string, plan: Plan): void {
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, `${JSON.stringify(PlanSchema.parse(plan), null, 2)}\n`);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

export function readPlan(path: string): Plan {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`Cannot read the run plan ${path}: ${(err as Error).message}`);
  }
  const parsed = PlanSchema.safeParse(json);
  if (!parsed.success) throw new UserError(`${path} is not a joulebench plan: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

// The cells of a plan: units (task, dataset, model) and their repetitions, in the one stable
// order every machine of a sharded run agrees on, and the slice a shard takes.
import type { RunRecord } from '../schema/result-record.js';
import type { PlanUnit, Shard } from '../schema/run-plan.js';
import type { UnitConfig } from '../schema/sweep-axes.js';
import { UserError } from '../util/errors.js';

interface Cell {
  unit: PlanUnit;
  repetition: number;
}

/** What names a unit in records and plans alike; a sweep's units add their configuration. */
type UnitRef = Pick<PlanUnit, 'task' | 'model'> & {
  dataset: { id: string; split: string };
  config?: UnitConfig | undefined;
};

/** The (task, dataset, model) a unit runs, whatever its configuration: what its inputs' hashes belong to. */
export function modelKey(u: UnitRef): string {
  return `${u.task}|${u.dataset.id}|${u.dataset.split}|${u.model}`;
}

export function unitKey(u: UnitRef): string {
  if (!u.config) return modelKey(u);
  const { batchSize, threads, device } = u.config;
  return `${modelKey(u)}|batch ${batchSize}|threads ${threads ?? 'default'}|${device}`;
}

/** A record's unit: a sweep's record names its configuration by its settings. */
export function recordUnit(r: RunRecord): UnitRef {
  const { batchSize, threads, device } = r.settings;
  return r.sweep ? { ...r, config: { batchSize, threads, device } } : r;
}

export function cellKey(u: UnitRef, repetition: number): string {
  return `${unitKey(u)}|${repetition}`;
}

/**
 * Stable order: by task, then dataset, then model id, then a sweep's configuration (batch size
 * and threads by number, then device); repetitions within a unit. Code-point order, not
 * localeCompare: every machine of a sharded run must agree.
 */
export function sortUnits(units: readonly PlanUnit[]): PlanUnit[] {
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const config = (a: UnitConfig | undefined, b: UnitConfig | undefined) =>
    !a || !b
      ? Number(!!a) - Number(!!b)
      : a.batchSize - b.batchSize || (a.threads ?? 0) - (b.threads ?? 0) || text(a.device, b.device);
  return [...units].sort((a, b) => text(modelKey(a), modelKey(b)) || config(a.config, b.config));
}

/** Run ids name files in <out>/runs/: no separators, no hidden files, nothing a shell mangles. */
const RUN_ID = /^(?!\.)[A-Za-z0-9._-]{1,100}$/;

/** Why `id` cannot name a run, or undefined when it can. */
export function runIdProblem(id: string): string | undefined {
  return RUN_ID.test(id)
    ? undefined
    : "expected 1 to 100 of A-Z a-z 0-9 . _ -, not starting with '.' (it names files in <out>/runs/)";
}

/** "2/4" -> { index: 2, count: 4 } (1-based); anything else is a one-line UserError. */
export function parseShard(text: string): Shard {
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
export function shardUnits(units: readonly PlanUnit[], shard: Shard | null): PlanUnit[] {
  if (!shard) return [...units];
  return units.filter((_, i) => i % shard.count === shard.index - 1);
}

export function cellsOf(units: readonly PlanUnit[], repetitions: number): Cell[] {
  return units.flatMap((unit) => Array.from({ length: repetitions }, (_, i) => ({ unit, repetition: i + 1 })));
}

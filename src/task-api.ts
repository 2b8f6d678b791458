// The task API: what a module in tasks/ declares, and the helpers it may use. A task is data
// plus a few small functions: which rows are usable, how a row becomes a pipeline input, and
// how predictions are scored. Tasks never call models (the runner does, inside the energy
// window) and know nothing of the model registry: the runner applies a model's input prefix,
// and ScoreContext carries its label mapping.
import type { DatasetSpec } from './schema/dataset-spec.js';
import { UserError } from './util/errors.js';

export type { DatasetSpec } from './schema/dataset-spec.js';

/** A dataset row, as parsed from JSONL/CSV/parquet. */
export type DatasetRow = Record<string, unknown>;

/** The transformers.js pipeline a task drives. */
export type PipelineTask = 'text-classification' | 'text-generation' | 'summarization';

export interface MetricSpec {
  name: string;
  /** Column title in tables. */
  label: string;
  higherIsBetter: boolean;
}

/** One prepared input with what scoring needs to judge its prediction. */
export interface Sample {
  input: string;
  reference: unknown;
  /** Row index in the dataset file, for error messages and provenance. */
  row: number;
}

/** What a scorer may know besides the predictions (it runs after the energy window). */
export interface ScoreContext {
  dataset: DatasetSpec;
  /** The model's label name -> dataset label name (models.json `labels`), for tasks that map labels. */
  labels: Readonly<Record<string, string>> | undefined;
}

/** Metric name -> value, for every metric in the task's `metrics`. */
export type Quality = Record<string, number>;

/** Scoring access to a loaded model, used after its energy windows (never inside one). */
export interface ScoringModel {
  /** Natural-log probability of `continuation` following `context`, summed over its tokens. */
  logLikelihood(context: string, continuation: string): Promise<{ logProb: number; tokens: number }>;
}

export interface TaskDef {
  name: string;
  /** Bumped whenever inputs, settings or scoring change, so old records are not compared blindly. */
  version: number;
  description: string;
  pipeline: PipelineTask;
  dataset: DatasetSpec;
  /** Pipeline call options (generation settings). Fixed per task so runs stay comparable. */
  callOptions: Record<string, unknown>;
  metrics: readonly MetricSpec[];
  /** The metric shown as "quality" in leaderboards; none for tasks without a quality metric yet. */
  primaryMetric?: string;
  /** Generative tasks: the runner counts the tokens each model generates (joules per token). */
  generative: boolean;
  /** Models of this task map their output labels to the dataset's (models.json `labels`, required). */
  labelMapping?: boolean;
  /** Rows that are usable inputs (e.g. WikiText without empty lines). Default: every row. */
  keep?(row: DatasetRow): boolean;
  /** Turns a dataset row into an input. Throws a UserError naming the field and row when data is malformed. */
  prepare(row: DatasetRow, rowIndex: number, dataset: DatasetSpec): Sample;
  /** Scores the predictions of one repetition. `outputs[i]` is the pipeline's output for `samples[i]`. */
  score(samples: readonly Sample[], outputs: readonly unknown[], ctx: ScoreContext): Quality;
  /**
   * Quality that needs the model itself rather than its outputs (perplexity). Runs once per
   * model, outside every energy window; its metrics join each repetition's record.
   */
  evaluate?(samples: readonly Sample[], model: ScoringModel, ctx: ScoreContext): Promise<Quality>;
}

/** Identity function that gives task modules type checking. */
export function defineTask(task: TaskDef): TaskDef {
  return task;
}

/** A metric column: `metric('rougeL', 'ROUGE-L', true)`. */
export function metric(name: string, label: string, higherIsBetter: boolean): MetricSpec {
  return { name, label, higherIsBetter };
}

/** A pipeline's top result: pipelines return one object, or a list with the best first. */
export function topOutput<T>(output: unknown): T {
  return (Array.isArray(output) ? output[0] : output) as T;
}

/** "Dataset org/name (split) row N" — how every data error starts. */
function rowName(spec: DatasetSpec, rowIndex: number): string {
  return `Dataset ${spec.id} (${spec.split}) row ${rowIndex}`;
}

/**
 * Reads a logical field of a row, trying the dataset's candidate column names. A missing or
 * mistyped field is a data problem the user must fix, so it names the field and the row.
 */
export function field<T extends 'string' | 'number'>(
  row: DatasetRow,
  spec: DatasetSpec,
  name: string,
  rowIndex: number,
  type: T,
): T extends 'string' ? string : number {
  const candidates = spec.fields[name] ?? [name];
  for (const column of candidates) {
    if (!(column in row)) continue;
    const value = row[column];
    if (typeof value !== type) {
      throw new UserError(
        `${rowName(spec, rowIndex)}: field '${column}' should be a ${type}, got ${JSON.stringify(value)?.slice(0, 60)}`,
      );
    }
    return value as T extends 'string' ? string : number;
  }
  throw new UserError(
    `${rowName(spec, rowIndex)} has no field '${candidates[0]}'` +
      (candidates.length > 1 ? ` (also tried: ${candidates.slice(1).join(', ')})` : '') +
      `; its fields are: ${Object.keys(row).join(', ')}`,
  );
}

/**
 * The gold class name of a labelled row (label id -> the dataset's label names), or null on an
 * unlabelled split.
 */
export function classLabel(row: DatasetRow, spec: DatasetSpec, rowIndex: number): string | null {
  if (spec.labelled === false) return null;
  const label = field(row, spec, 'label', rowIndex, 'number');
  const names = spec.labelNames ?? [];
  const reference = names[label];
  if (reference === undefined) {
    throw new UserError(
      `${rowName(spec, rowIndex)}: label ${label} is not one of 0..${names.length - 1} (an unlabelled split needs "labelled": false)`,
    );
  }
  return reference;
}

// What a task module in tasks/ declares. A task is data plus three small functions: which
// rows are usable, how a row becomes a pipeline input, and how predictions are scored.
// Tasks never call models; the runner does, inside the energy window.
import { UserError } from './errors.js';
import type { ModelEntry } from './registry.js';
import type { DatasetRow } from './types.js';

/** The transformers.js pipeline a task drives. */
export type PipelineTask = 'text-classification' | 'text-generation' | 'summarization';

export interface DatasetSpec {
  /** Hugging Face dataset id, e.g. "stanfordnlp/sst2". */
  id: string;
  split: string;
  /** HF dataset config for Hub downloads (the parquet export's folder). */
  config: string;
  /**
   * Logical field -> column names to try, first present wins. Local mirrors and the Hub's
   * parquet export sometimes name a column differently (SST-2: "text" vs "sentence").
   */
  fields: Record<string, readonly string[]>;
  /** Class names by label id, for classification datasets. */
  labelNames?: readonly string[];
  /** False for splits without gold labels (SST-2 test): energy only, no quality. Default true. */
  labelled?: boolean;
  /** One line for tables and --help: what the data is and where the choice comes from. */
  description: string;
}

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
  model: ModelEntry;
  dataset: DatasetSpec;
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
  /** Rows that are usable inputs (e.g. WikiText without empty lines). Default: every row. */
  keep?(row: DatasetRow): boolean;
  /**
   * Builds one pipeline input from a row of `dataset` (the task's default or a suite's
   * override); throws a UserError naming the field and row when data is malformed.
   */
  prepare(row: DatasetRow, rowIndex: number, model: ModelEntry, dataset: DatasetSpec): Sample;
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
        `Dataset ${spec.id} (${spec.split}) row ${rowIndex}: field '${column}' should be a ${type}, got ${JSON.stringify(value)?.slice(0, 60)}`,
      );
    }
    return value as T extends 'string' ? string : number;
  }
  throw new UserError(
    `Dataset ${spec.id} (${spec.split}) row ${rowIndex} has no field '${candidates[0]}'` +
      (candidates.length > 1 ? ` (also tried: ${candidates.slice(1).join(', ')})` : '') +
      `; its fields are: ${Object.keys(row).join(', ')}`,
  );
}

// The task API: what a module in tasks/ declares, and the helpers it may use. A task is data
// plus a few small functions: which rows are usable, how a row becomes a pipeline input, how
// the inputs fit one loaded model, how the pipeline is called, and how predictions are scored.
// Tasks never load models (the runner does, and calls them inside the energy window) and know
// nothing of the model registry: the runner applies a model's input prefix, and hands a task
// the model's tokenizer, labels and label mapping.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ImageError, decodeImage, type DecodedImage } from './datasets/image.js';
import { checkLabelMap } from './model/label-map.js';
import type { DatasetSpec } from './schema/dataset-spec.js';
import { UserError } from './util/errors.js';

export type { DatasetSpec } from './schema/dataset-spec.js';
export type { DecodedImage } from './datasets/image.js';

/** A dataset row, as parsed from JSONL/CSV/parquet. */
export type DatasetRow = Record<string, unknown>;

/** The transformers.js pipeline a task drives. */
export type PipelineTask =
  | 'text-classification'
  | 'text-generation'
  | 'summarization'
  | 'question-answering'
  | 'fill-mask'
  | 'token-classification'
  | 'image-classification';

export interface MetricSpec {
  name: string;
  /** Column title in tables. */
  label: string;
  higherIsBetter: boolean;
}

/**
 * One pipeline input: text (a model's input prefix applies to text only), or what a task's
 * `call` knows how to pass (QA's question and context, a decoded image). Never an array: a
 * batch is an array of inputs.
 */
export type SampleInput = string | object;

/** One prepared input with what scoring needs to judge its prediction. */
export interface Sample {
  input: SampleInput;
  reference: unknown;
  /** Row index in the dataset file, for error messages and provenance. */
  row: number;
}

/** Where the dataset file was read from, for rows that name other files (images beside it). */
export interface DatasetFiles {
  /** Absolute folder that relative paths in rows resolve against. */
  dir: string;
  /** The file (or folder of parquet shards) the rows came from, named in row errors. */
  file?: string | undefined;
}

/** A loaded pipeline as a task's `call` sees it: positional arguments, then the call options. */
export type PipelineFunction = (...args: unknown[]) => Promise<unknown>;

/** The tokenizer of a loaded text model, for a task's per-model step (never inside a window). */
export interface TaskTokenizer {
  /** Token ids of `text`; with the model's special tokens ([CLS] … [SEP]) unless `special` is false. */
  encode(text: string, special?: boolean): number[];
  /** The model's own mask token as text ("[MASK]", "<mask>"), if it has one. */
  readonly maskToken: string | undefined;
  readonly maskTokenId: number | undefined;
  /** Ids of special tokens (padding, [CLS], [SEP], [UNK], the mask, ...). */
  readonly specialIds: ReadonlySet<number>;
}

/** What a task may know of one loaded model, before its warm-up and outside every window. */
export interface ModelFacts {
  /** Registry id, for messages. */
  id: string;
  /** The model's output labels in id order (config.json id2label), if it has any. */
  labels: readonly string[] | undefined;
  /** models.json `labels`: the model's label name -> the dataset's. */
  labelMap: Readonly<Record<string, string>> | undefined;
  /** The pipeline's tokenizer (text models). */
  tokenizer: TaskTokenizer | undefined;
  dataset: DatasetSpec;
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
  /**
   * Rows that are usable inputs (e.g. WikiText without empty lines). Default: every row. Read
   * fields through `fieldValue(row, dataset, name)`, so a suite's column names apply here too.
   */
  keep?(row: DatasetRow, dataset: DatasetSpec): boolean;
  /**
   * Turns a dataset row into an input (may be async: images are decoded here, once, before any
   * model loads). Throws a UserError naming the field (or file) and row when data is malformed.
   * `rowIndex` is the row's 0-based index in the dataset file (rowError shows it 1-based).
   */
  prepare(row: DatasetRow, rowIndex: number, dataset: DatasetSpec, files?: DatasetFiles): Sample | Promise<Sample>;
  /**
   * Fits the prepared samples to one loaded model, before its warm-up and outside every energy
   * window: puts in the model's own mask token, aligns words to its tokens, checks that its
   * labels map onto the dataset's. Throws a UserError naming the model when they cannot.
   */
  forModel?(samples: readonly Sample[], model: ModelFacts): readonly Sample[] | Promise<readonly Sample[]>;
  /**
   * Calls the pipeline, inside the energy window: nothing but the call. `input` is one sample's
   * input at batch size 1, an array of them otherwise. Default: `pipe(input, options)`.
   */
  call?(
    pipe: PipelineFunction,
    input: SampleInput | readonly SampleInput[],
    options: Record<string, unknown>,
  ): Promise<unknown>;
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

/** "Dataset org/name (split) row N" — how every data error starts; N counts from 1, as a person does. */
function rowName(spec: DatasetSpec, rowIndex: number): string {
  return `Dataset ${spec.id} (${spec.split}) row ${rowIndex + 1}`;
}

/**
 * A data problem in one row, for the user to fix: "Dataset org/name (split) row N: <problem>".
 * The stage that read the file adds its path (inFile), which a task's prepare does not know.
 */
export class DataRowError extends UserError {
  inFile(file: string | undefined): UserError {
    return file === undefined ? this : new UserError(`${this.message} (in ${file})`);
  }
}

export function rowError(spec: DatasetSpec, rowIndex: number, problem: string): DataRowError {
  return new DataRowError(`${rowName(spec, rowIndex)}: ${problem}`);
}

/** The types `field` reads; 'any' leaves checking the value to the task. */
export type FieldType = 'string' | 'number' | 'string[]' | 'number[]' | 'object' | 'any';
type FieldValue<T extends FieldType> = T extends 'string'
  ? string
  : T extends 'number'
    ? number
    : T extends 'string[]'
      ? string[]
      : T extends 'number[]'
        ? number[]
        : T extends 'object'
          ? Record<string, unknown>
          : unknown;

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string[]':
    case 'number[]':
      return Array.isArray(value) && value.every((v) => typeof v === type.slice(0, -2));
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'any':
      return true;
    default:
      return typeof value === type;
  }
}

/** A logical field's value under the dataset's first candidate column the row has, unchecked (for keep). */
export function fieldValue(row: DatasetRow, spec: DatasetSpec, name: string): unknown {
  const column = (spec.fields[name] ?? [name]).find((c) => c in row);
  return column === undefined ? undefined : row[column];
}

/**
 * Reads a logical field of a row, trying the dataset's candidate column names. A missing or
 * mistyped field is a data problem the user must fix, so it names the field and the row.
 */
export function field<T extends FieldType>(
  row: DatasetRow,
  spec: DatasetSpec,
  name: string,
  rowIndex: number,
  type: T,
): FieldValue<T> {
  const candidates = spec.fields[name] ?? [name];
  for (const column of candidates) {
    if (!(column in row)) continue;
    const value = row[column];
    if (!hasType(value, type)) {
      const article = type === 'object' ? 'an' : 'a';
      const shown = type.endsWith('[]') ? `list of ${type.slice(0, -2)}s` : type;
      throw rowError(spec, rowIndex, `field '${column}' should be ${article} ${shown}, got ${shortJson(value)}`);
    }
    return value as FieldValue<T>;
  }
  throw new DataRowError(
    `${rowName(spec, rowIndex)} has no field '${candidates[0]}'` +
      (candidates.length > 1 ? ` (also tried: ${candidates.slice(1).join(', ')})` : '') +
      `; its fields are: ${Object.keys(row).join(', ')}`,
  );
}

function shortJson(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return JSON.stringify(value)?.slice(0, 60) ?? String(value);
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
    throw rowError(
      spec,
      rowIndex,
      `label ${label} is not one of 0..${names.length - 1} (an unlabelled split needs "labelled": false)`,
    );
  }
  return reference;
}

/**
 * The image of a row's field, decoded: a path (relative to the dataset's folder, as the offline
 * mirror stores it) or the Hub's parquet image struct {bytes, path}. An image that is missing or
 * cannot be decoded is a one-line error naming the image and the row.
 */
export async function imageField(
  row: DatasetRow,
  spec: DatasetSpec,
  name: string,
  rowIndex: number,
  files: DatasetFiles | undefined,
): Promise<DecodedImage> {
  const value = field(row, spec, name, rowIndex, 'any');
  let source: Parameters<typeof decodeImage>[0];
  if (typeof value === 'string') {
    if (!files) throw new Error(`image path '${value}' given without the dataset's folder to resolve it against`);
    const file = resolve(files.dir, value);
    // A row names an image beside its dataset, never a file elsewhere on the machine.
    const inside = relative(files.dir, file);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw rowError(spec, rowIndex, `image path '${value}' leads outside the dataset's folder (${files.dir})`);
    }
    source = { file };
  } else if (hasType(value, 'object') && (value as { bytes?: unknown }).bytes instanceof Uint8Array) {
    const { bytes, path } = value as { bytes: Uint8Array; path?: unknown };
    source = { bytes, name: typeof path === 'string' ? path : undefined };
  } else {
    throw rowError(spec, rowIndex, `field '${name}' should be an image path or {bytes, path}, got ${shortJson(value)}`);
  }
  try {
    return await decodeImage(source);
  } catch (err) {
    if (err instanceof ImageError) throw rowError(spec, rowIndex, err.message);
    throw err;
  }
}

/** One of `n` choices for `key` under `seed`, the same on every machine (xoroshiro128+, as --sample-seed). */
export function seededChoice(seed: number, key: string, n: number): number {
  if (n < 1) throw new Error('seededChoice needs at least one choice');
  let hash = 0x811c9dc5; // FNV-1a over the key's UTF-16 units: a stable 32-bit number for any text
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return uniformInt(xoroshiro128plus((hash ^ seed) | 0), 0, n - 1);
}

/**
 * The model's label mapping, checked against the labels it outputs and the dataset's label
 * names; `every`: each label the model outputs must map (else an unmapped one counts as wrong).
 * A label that does not map is a one-line error naming the model, before any window opens.
 */
export function modelLabelMap(
  model: ModelFacts,
  datasetLabels: readonly string[],
  every: boolean,
): Readonly<Record<string, string>> {
  return checkLabelMap({ model: model.id, modelLabels: model.labels, map: model.labelMap, datasetLabels, every });
}

/** A problem with one model for this task: "Model org/name: <problem>", reported before its windows. */
export function modelError(model: ModelFacts, problem: string): UserError {
  return new UserError(`Model ${model.id}: ${problem}`);
}

/** The model's tokenizer; a text task's per-model step needs one. */
export function tokenizerOf(model: ModelFacts): TaskTokenizer {
  if (!model.tokenizer) throw modelError(model, 'it has no tokenizer');
  return model.tokenizer;
}

// Result records: the schema (documented in README.md#result-records), the append-only writer
// and the reader. One JSON object per line, one line per (task, model, repetition); a model
// that was skipped or failed writes one line too, so nothing disappears silently.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from './errors.js';

export const SCHEMA_VERSION = 1;

const ComponentJoules = z
  .object({ cpu: z.number().optional(), dram: z.number().optional(), gpu: z.number().optional() })
  .strict();

export const EnergySchema = z.object({
  /** Meter name: "estimate", "rapl", "nvml", ... */
  meter: z.string(),
  /** "estimated" figures are computed from a model, never read from a sensor. */
  kind: z.enum(['measured', 'estimated']),
  /** Joules per component; only what the meter covers. */
  components: ComponentJoules,
  /** Gross joules of the window (sum of components, nothing subtracted). */
  joules: z.number(),
  /** Idle power measured before the run (sum of components), when a baseline was taken. */
  idleWatts: z.number().optional(),
  idleComponentsWatts: ComponentJoules.optional(),
  idleSeconds: z.number().optional(),
  /** joules - idleWatts x durationS: what the work cost above an idle machine. */
  netJoules: z.number().optional(),
  details: z.record(z.string(), z.unknown()),
  warnings: z.array(z.string()),
});

export const HardwareSchema = z.object({
  cpu: z.object({ model: z.string(), vendor: z.string(), logicalCores: z.number(), physicalCores: z.number() }),
  memoryGB: z.number(),
  os: z.object({ platform: z.string(), distro: z.string(), release: z.string(), kernel: z.string(), arch: z.string() }),
  gpus: z.array(z.object({ vendor: z.string(), model: z.string(), vramMB: z.number().nullable() })),
  /** The GPU that ran inference when settings.device is not "cpu". */
  accelerator: z.string().nullable().optional(),
});

export const SoftwareSchema = z.object({
  node: z.string(),
  onnxruntimeNode: z.string(),
  transformers: z.string(),
  tinybench: z.string(),
  joulebench: z.string(),
});

export const SettingsSchema = z.object({
  /** --samples as asked; `inferences` says how many ran (a dataset may be shorter). */
  samples: z.number().int(),
  batchSize: z.number().int(),
  warmup: z.number().int(),
  /** 1-based repetition of this record; null on a skipped model's single line. */
  repetition: z.number().int().nullable(),
  repetitions: z.number().int(),
  /** onnxruntime execution provider: "cpu", "webgpu" or "cuda". */
  device: z.string(),
  /** onnxruntime intra-op threads; null = onnxruntime's default. */
  threads: z.number().int().nullable(),
  /** The task's pipeline call options (generation settings). */
  callOptions: z.record(z.string(), z.unknown()),
});

const ModelInfoSchema = z.object({
  hfId: z.string(),
  revision: z.string(),
  dtype: z.string(),
  parameters: z.number(),
  kind: z.enum(['pretrained', 'fixture']),
  licence: z.string(),
});

const common = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  runId: z.string(),
  task: z.string(),
  taskVersion: z.number().int(),
  /** Registry id (models.json). */
  model: z.string(),
  modelInfo: ModelInfoSchema,
  settings: SettingsSchema,
  hardware: HardwareSchema,
  software: SoftwareSchema,
  startedAt: z.string(),
};

export const OkRecordSchema = z.object({
  status: z.literal('ok'),
  ...common,
  modelSource: z.object({
    where: z.enum(['local-hub', 'cache', 'hf-hub']),
    dir: z.string(),
    /** sha256 of every file the model loaded from (path relative to the model folder). */
    files: z.record(z.string(), z.string()),
  }),
  dataset: z.object({
    id: z.string(),
    split: z.string(),
    config: z.string().optional(),
    source: z.enum(['local-hub', 'cache', 'hf-hub']),
    sha256: z.string(),
    rows: z.number().int(),
    /** Which rows: the first n usable rows, or n drawn with a seeded generator. */
    selection: z.object({ method: z.enum(['first', 'random']), n: z.number().int(), seed: z.number().int().optional() }),
  }),
  inferences: z.number().int().positive(),
  /** Duration of the energy window, seconds. */
  durationS: z.number(),
  energy: EnergySchema,
  /** energy.joules / inferences x 1000. */
  joulesPer1kInferences: z.number(),
  /** Latency of one pipeline call (one batch of settings.batchSize inputs), milliseconds. */
  latencyMs: z.object({
    mean: z.number(),
    p50: z.number(),
    p95: z.number(),
    p99: z.number(),
    min: z.number(),
    max: z.number(),
    sd: z.number(),
  }),
  /** Inferences per second of window time. */
  throughput: z.number(),
  /** The task's metrics, computed after the window from this repetition's predictions. */
  quality: z.record(z.string(), z.number()),
  /** Generative tasks: decoder steps counted across all inferences (batch positions included). */
  outputTokens: z.number().int().optional(),
  joulesPerOutputToken: z.number().optional(),
  /** Seconds to load the pipeline (outside every window). */
  loadS: z.number(),
  endedAt: z.string(),
});

/** Skipped and failed models name the data they were meant to run on. */
const DatasetRef = z.object({ id: z.string(), split: z.string() });

export const SkippedRecordSchema = z.object({
  status: z.literal('skipped'),
  ...common,
  dataset: DatasetRef,
  // Only "offline" is a skip; a model missing from the Hub or with broken files is an error record.
  reason: z.enum(['offline']),
  message: z.string(),
});

export const ErrorRecordSchema = z.object({
  status: z.literal('error'),
  ...common,
  dataset: DatasetRef,
  stage: z.enum(['load', 'warmup', 'measure', 'score']),
  message: z.string(),
});

export const RunRecordSchema = z.discriminatedUnion('status', [OkRecordSchema, SkippedRecordSchema, ErrorRecordSchema]);

export type OkRecord = z.infer<typeof OkRecordSchema>;
export type SkippedRecord = z.infer<typeof SkippedRecordSchema>;
export type ErrorRecord = z.infer<typeof ErrorRecordSchema>;
export type RunRecord = z.infer<typeof RunRecordSchema>;
export type Hardware = z.infer<typeof HardwareSchema>;
export type Software = z.infer<typeof SoftwareSchema>;
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * Appends records to one JSONL file. Each line is written whole and fsynced before append()
 * returns, so an interrupted run keeps every record it finished.
 */
export class RecordWriter {
  #fd: number | undefined;
  constructor(readonly path: string) {}

  append(record: RunRecord): void {
    const line = `${JSON.stringify(RunRecordSchema.parse(record))}\n`;
    this.#fd ??= openSync(this.path, 'a');
    writeSync(this.#fd, line);
    fsyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

export interface ReadResult {
  records: RunRecord[];
  /** One line per skipped input line: "file:line: why". */
  warnings: string[];
  files: string[];
}

/** Every *.jsonl file under the given files or directories (recursively), sorted. */
export async function findRecordFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) continue;
    if (info.isFile()) {
      files.push(p);
      continue;
    }
    const entries = await readdir(p, { recursive: true });
    files.push(...entries.filter((e) => e.endsWith('.jsonl')).map((e) => join(p, e)));
  }
  return [...new Set(files)].sort();
}

/** Reads records; corrupt or invalid lines are skipped with a warning naming file and line. */
/** The records of one file's text; unreadable lines become "file:line: why" warnings. */
export function parseRecordLines(text: string, file: string): { records: RunRecord[]; warnings: string[] } {
  const records: RunRecord[] = [];
  const warnings: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      warnings.push(`${file}:${i + 1}: not valid JSON (truncated or corrupt line), skipped`);
      return;
    }
    const parsed = RunRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      warnings.push(`${file}:${i + 1}: not a joulebench record (${issue?.path.join('.') || 'record'}: ${issue?.message}), skipped`);
      return;
    }
    records.push(parsed.data);
  });
  return { records, warnings };
}

/** What identifies one measurement: the same line copied into two files must count once. */
function measurementKey(r: RunRecord): string {
  return JSON.stringify([r.runId, r.status, r.task, r.dataset.id, r.dataset.split, r.model, r.settings.repetition]);
}

/**
 * Reads records; corrupt or invalid lines are skipped with a warning naming file and line, and
 * a measurement found twice (a run folder copied under results/) is counted once, with a warning.
 */
export async function readRecords(paths: readonly string[]): Promise<ReadResult> {
  const missing = [];
  for (const p of paths) if (!(await stat(p).catch(() => undefined))) missing.push(p);
  if (missing.length > 0) throw new UserError(`No such file or folder: ${missing.join(', ')} (records come from \`npm run bench\`)`);
  const files = await findRecordFiles(paths);
  const records: RunRecord[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const parsed = parseRecordLines(await readFile(file, 'utf8'), file);
    warnings.push(...parsed.warnings);
    for (const r of parsed.records) {
      const key = measurementKey(r);
      const first = seen.get(key);
      if (first !== undefined) {
        warnings.push(`${file}: ${r.model} repetition ${r.settings.repetition ?? '-'} of run ${r.runId} is also in ${first}; counted once`);
        continue;
      }
      seen.set(key, file);
      records.push(r);
    }
  }
  return { records, warnings, files };
}

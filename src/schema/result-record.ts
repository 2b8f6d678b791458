// Result records (documented in README.md#result-records): one JSON object per line, one line
// per (task, model, repetition); a model that was skipped or failed writes one line too, so
// nothing disappears silently. schemaVersion 1 records written by earlier versions still parse.
import { z } from 'zod';
import { ComponentJoulesSchema, EnergyReadingSchema } from './energy.js';
import { RunSettingsSchema } from './run-options.js';
import { SweepSchema } from './sweep-axes.js';

export const SCHEMA_VERSION = 1;

const reading = EnergyReadingSchema.shape;

/** Records written before the rename call decodePositive `resolved`: read as it is, under the new name. */
const SplitSchema = z.preprocess(
  (v) => {
    if (typeof v !== 'object' || v === null || !('resolved' in v) || 'decodePositive' in v) return v;
    const { resolved, ...rest } = v;
    return { ...rest, decodePositive: resolved };
  },
  z.object({ kind: z.literal('derived'), decodePositive: z.boolean() }),
);

/** A meter's reading without its duration (the record's durationS), plus the idle baseline. */
const RecordEnergySchema = z.object({
  meter: reading.meter,
  kind: reading.kind,
  components: reading.components,
  joules: reading.joules,
  /** Idle power measured before the run (sum of components), when a baseline was taken. */
  idleWatts: z.number().optional(),
  idleComponentsWatts: ComponentJoulesSchema.optional(),
  idleSeconds: z.number().optional(),
  /** joules - idleWatts x durationS: what the work cost above an idle machine. */
  netJoules: z.number().optional(),
  details: reading.details,
  warnings: reading.warnings,
  /** The meter's resolution, seconds (see EnergyReading); absent in records made before it was kept. */
  resolutionS: reading.resolutionS,
  /** Power over the window, per component (see EnergyReading). */
  timeline: reading.timeline,
  /** Two sources of the same energy, side by side (see EnergyReading). */
  crossChecks: reading.crossChecks,
  /**
   * Generative tasks, DERIVED from the prefill window (see `prefill`): its gross J per inference
   * × this window's inferences; and per token of the first step (one per inference).
   */
  prefillJoules: z.number().optional(),
  prefillJoulesPerToken: z.number().optional(),
  /** DERIVED: joules − prefillJoules, and per token generated after the first; absent when ≤ 0. */
  decodeJoules: z.number().optional(),
  decodeJoulesPerToken: z.number().optional(),
  /** How the split was obtained (always derived) and whether decode came out above zero. */
  split: SplitSchema.optional(),
});

const PercentilesSchema = z.object({ p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number() });

/**
 * Generative tasks: latency as serving reads it, from the token stream of every request in the
 * window (every pass). TTFT: from the call's start to its first generated token (tokenization,
 * prefill and, for encoder-decoder models, the encoder); TPOT: the time per token after the
 * first. At batch size > 1 a request is one call: every row shares its steps ("call").
 */
const GenerationLatencySchema = z.object({
  requests: z.number().int().positive(),
  per: z.enum(['request', 'call']),
  ttftMs: PercentilesSchema,
  /** null when every request generated one token only. */
  tpotMs: PercentilesSchema.nullable(),
});

/** The prefill window: the same inputs, generating one token per call (max_new_tokens = 1). */
const PrefillWindowSchema = z.object({
  callOptions: z.record(z.string(), z.unknown()),
  durationS: z.number(),
  inferences: z.number().int().positive(),
  passes: z.number().int().positive(),
  joules: z.number(),
  netJoules: z.number().optional(),
  outputTokens: z.number().int(),
  warnings: z.array(z.string()),
});

const HardwareSchema = z.object({
  cpu: z.object({ model: z.string(), vendor: z.string(), logicalCores: z.number(), physicalCores: z.number() }),
  memoryGB: z.number(),
  os: z.object({ platform: z.string(), distro: z.string(), release: z.string(), kernel: z.string(), arch: z.string() }),
  gpus: z.array(z.object({ vendor: z.string(), model: z.string(), vramMB: z.number().nullable() })),
  /** The GPU that ran inference when settings.device is not "cpu". */
  accelerator: z.string().nullable().optional(),
});

const SoftwareSchema = z.object({
  node: z.string(),
  onnxruntimeNode: z.string(),
  transformers: z.string(),
  tinybench: z.string(),
  joulebench: z.string(),
});

/**
 * The run's resolved options plus this record's repetition and the task's call options.
 * Records written before joulebench kept every option lack sampleSeed, meter, cpuWatts and
 * idleSeconds; those written before steady windows lack minWindowSeconds (they ran one pass), and
 * those before repetitions-until-stable lack targetCi and maxRepetitions.
 */
const RecordSettingsSchema = RunSettingsSchema.partial({
  sampleSeed: true,
  meter: true,
  cpuWatts: true,
  idleSeconds: true,
  minWindowSeconds: true,
  targetCi: true,
  maxRepetitions: true,
}).extend({
  /** 1-based repetition of this record; null on a skipped model's single line. */
  repetition: z.number().int().nullable(),
  /** The task's pipeline call options (generation settings). */
  callOptions: z.record(z.string(), z.unknown()),
});

export const ModelKindSchema = z.enum(['pretrained', 'fixture']);

const ModelInfoSchema = z.object({
  hfId: z.string(),
  revision: z.string(),
  dtype: z.string(),
  parameters: z.number(),
  kind: ModelKindSchema,
  licence: z.string(),
});

const SourceSchema = z.enum(['local-hub', 'cache', 'hf-hub']);

const common = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  runId: z.string(),
  task: z.string(),
  taskVersion: z.number().int(),
  /** Registry id (models.json). */
  model: z.string(),
  modelInfo: ModelInfoSchema,
  settings: RecordSettingsSchema,
  hardware: HardwareSchema,
  software: SoftwareSchema,
  startedAt: z.string(),
  /** Records of a configuration sweep: the sweep (its settings say this record's configuration). */
  sweep: SweepSchema.optional(),
};

const SelectionSchema = z.object({
  method: z.enum(['first', 'random']),
  n: z.number().int(),
  seed: z.number().int().optional(),
});

export const OkRecordSchema = z.object({
  status: z.literal('ok'),
  ...common,
  modelSource: z.object({
    where: SourceSchema,
    dir: z.string(),
    /** sha256 of every file the model loaded from (path relative to the model folder). */
    files: z.record(z.string(), z.string()),
  }),
  dataset: z.object({
    id: z.string(),
    split: z.string(),
    config: z.string().optional(),
    source: SourceSchema,
    sha256: z.string(),
    rows: z.number().int(),
    /** Which rows: the first n usable rows, or n drawn with a seeded generator. */
    selection: SelectionSchema,
  }),
  /** Inferences in the energy window: samples x passes (records before steady windows: one pass). */
  inferences: z.number().int().positive(),
  /** Whole passes over the samples the window ran; quality is scored on the first. Absent: 1. */
  passes: z.number().int().positive().optional(),
  /** Duration of the energy window, seconds. */
  durationS: z.number(),
  /**
   * The 1-minute load average (os.loadavg) when the window opened and closed: above the machine's
   * hardware threads, another process competed for the CPU and the figure is flagged.
   */
  loadAverage: z.object({ open: z.number(), close: z.number() }).optional(),
  /** Shares of the machine's CPU time while the window was open: this process's, and every other process's. */
  cpuShare: z.object({ own: z.number(), others: z.number() }).optional(),
  /**
   * With --target-ci, on the last repetition of a unit: why repetitions stopped — the CI reached
   * the target, or the maximum ran first.
   */
  stoppedBecause: z.enum(['ci-reached', 'max-repetitions']).optional(),
  energy: RecordEnergySchema,
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
  /** Generative tasks: TTFT and TPOT percentiles over the window's requests. */
  generation: GenerationLatencySchema.optional(),
  /** Generative tasks: this repetition's prefill-only window (energy.prefillJoules and decodeJoules come from it). */
  prefill: PrefillWindowSchema.optional(),
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
  // "offline": not available offline; "unrunnable": a sweep's configuration that cannot run on the
  // machine running it (its device, its variant's weights, its batch size). A model missing from
  // the Hub or with broken files is an error record.
  reason: z.enum(['offline', 'unrunnable']),
  message: z.string(),
});

// prepare: fitting the inputs to the loaded model (its labels, its mask token), before its warm-up.
const ErrorStageSchema = z.enum(['load', 'prepare', 'warmup', 'measure', 'score']);

export const ErrorRecordSchema = z.object({
  status: z.literal('error'),
  ...common,
  dataset: DatasetRef,
  stage: ErrorStageSchema,
  message: z.string(),
});

export const RunRecordSchema = z.discriminatedUnion('status', [OkRecordSchema, SkippedRecordSchema, ErrorRecordSchema]);

export type OkRecord = z.infer<typeof OkRecordSchema>;
export type SkippedRecord = z.infer<typeof SkippedRecordSchema>;
export type ErrorRecord = z.infer<typeof ErrorRecordSchema>;
export type RunRecord = z.infer<typeof RunRecordSchema>;
export type Hardware = z.infer<typeof HardwareSchema>;
export type Software = z.infer<typeof SoftwareSchema>;
export type Selection = z.infer<typeof SelectionSchema>;
export type Percentiles = z.infer<typeof PercentilesSchema>;
export type GenerationLatency = z.infer<typeof GenerationLatencySchema>;
export type Source = z.infer<typeof SourceSchema>;
export type ModelKind = z.infer<typeof ModelKindSchema>;

// Benchmarks one (task, model): load the pipeline once, warm up (not measured), then one
// energy window per repetition with tinybench timing each pipeline call. Inside a window
// there is only inference: no logging, no scoring, no file writes. Scoring and the record
// come after the window closes.
import { Bench } from 'tinybench';
import { errorMessage } from './errors.js';
import { netOf, type IdleBaseline } from './idle.js';
import type { HubConfig, ModelLocation } from './hub.js';
import { scoringModel } from './likelihood.js';
import { hashModelFiles, loadPipeline, TokenCounter, type LoadedPipeline } from './pipeline.js';
import type { Progress } from './progress.js';
import type { ErrorRecord, Hardware, OkRecord, RecordWriter, RunRecord, Settings, Software } from './records.js';
import { SCHEMA_VERSION } from './records.js';
import type { ModelEntry } from './registry.js';
import { mean, quantile, sd } from './stats.js';
import type { Selection } from './selection.js';
import type { DatasetSpec, Sample, TaskDef } from './task.js';
import type { EnergyReading, EnergyWindow, LoadedDataset, Meter } from './types.js';

export interface ResolvedRunOptions {
  samples: number;
  batchSize: number;
  warmup: number;
  repetitions: number;
  threads: number | undefined;
  device: string;
}

export interface RunContext {
  runId: string;
  /** Idle power measured before the first model, if any. */
  idle: IdleBaseline | undefined;
  options: ResolvedRunOptions;
  meter: Meter;
  writer: RecordWriter;
  progress: Progress;
  hardware: Hardware;
  software: Software;
  hub: HubConfig;
}

export interface ModelJob {
  task: TaskDef;
  entry: ModelEntry;
  location: Extract<ModelLocation, { dir: string }>;
  /** The dataset as declared (task default or a suite's override) and as loaded. */
  spec: DatasetSpec;
  dataset: LoadedDataset;
  selection: Selection;
  samples: readonly Sample[];
  /** Which repetitions to run (all of 1..R, or what a resumed run still lacks). */
  repetitions: readonly number[];
}

/** What one measured repetition produced, before scoring. */
export interface Measurement {
  reading: EnergyReading;
  latenciesMs: number[];
  outputs: unknown[];
  outputTokens: number | undefined;
  startedAt: Date;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A batch of one is passed as a plain string: the call a user would write. */
export function callInputs(samples: readonly Sample[], batchSize: number): (string | string[])[] {
  return chunk(samples, batchSize).map((b) => (batchSize === 1 ? b[0]!.input : b.map((s) => s.input)));
}

/** Per-sample outputs from per-call outputs (a batched call returns one entry per input). */
function perSample(outputs: readonly unknown[], batchSize: number): unknown[] {
  if (batchSize === 1) return [...outputs];
  return outputs.flatMap((o) => o as unknown[]);
}

/**
 * Runs `calls` pipeline calls inside one energy window. tinybench's setup/teardown hooks open
 * and close the window, so it spans exactly the timed iterations.
 */
export async function measure(
  pipe: LoadedPipeline,
  inputs: readonly (string | string[])[],
  callOptions: Record<string, unknown>,
  meter: Meter,
  counter: TokenCounter | undefined,
): Promise<Measurement> {
  const outputs = new Array<unknown>(inputs.length);
  const options = counter ? { ...callOptions, streamer: counter } : callOptions;
  let window: EnergyWindow | undefined;
  let reading: EnergyReading | undefined;
  let next = 0;
  const bench = new Bench({
    iterations: inputs.length,
    time: 0,
    warmup: false,
    retainSamples: true,
    throws: true,
    setup: async (_task, mode) => {
      if (mode === 'run') window = await meter.start();
    },
    teardown: async (_task, mode) => {
      if (mode === 'run' && window) reading = await window.stop();
    },
  });
  bench.add('inference', async () => {
    const i = next++;
    outputs[i] = await pipe(inputs[i]!, options);
  });
  const startedAt = new Date();
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') {
    throw result.state === 'errored' ? result.error : new Error(`measurement ended in state ${result.state}`);
  }
  if (!reading) throw new Error('the energy window did not close');
  if (next !== inputs.length) throw new Error(`tinybench ran ${next} calls, expected ${inputs.length}`);
  return {
    reading,
    latenciesMs: [...(result.latency.samples ?? [])],
    outputs,
    outputTokens: counter?.total,
    startedAt,
  };
}

function latencySummary(ms: number[]): OkRecord['latencyMs'] {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    mean: mean(sorted),
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    sd: sd(sorted),
  };
}

export function recordBase(ctx: RunContext, task: TaskDef, entry: ModelEntry, repetition: number | null, spec: DatasetSpec) {
  const settings: Settings = {
    samples: ctx.options.samples,
    batchSize: ctx.options.batchSize,
    warmup: ctx.options.warmup,
    repetition,
    repetitions: ctx.options.repetitions,
    device: ctx.options.device,
    threads: ctx.options.threads ?? null,
    callOptions: task.callOptions,
  };
  return {
    schemaVersion: SCHEMA_VERSION as typeof SCHEMA_VERSION,
    runId: ctx.runId,
    task: task.name,
    taskVersion: task.version,
    model: entry.id,
    modelInfo: {
      hfId: entry.hfId,
      revision: entry.revision,
      dtype: entry.dtype,
      parameters: entry.parameters,
      kind: entry.kind,
      licence: entry.licence,
    },
    settings,
    hardware: ctx.hardware,
    software: ctx.software,
    startedAt: new Date().toISOString(),
    dataset: { id: spec.id, split: spec.split },
  };
}

function fail(ctx: RunContext, job: ModelJob, repetition: number | null, stage: ErrorRecord['stage'], err: unknown): ErrorRecord {
  const record: ErrorRecord = {
    ...recordBase(ctx, job.task, job.entry, repetition, job.spec),
    status: 'error',
    stage,
    message: errorMessage(err),
  };
  ctx.writer.append(record);
  ctx.progress.note(`  ✗ ${job.entry.id}: ${stage} failed: ${record.message}`);
  return record;
}

/** Benchmarks one model; every repetition appends its record as soon as it is scored. */
export async function runModel(ctx: RunContext, job: ModelJob): Promise<RunRecord[]> {
  const { task, entry, samples } = job;
  const { batchSize, warmup, repetitions } = ctx.options;
  const todo = job.repetitions;
  const label = `${task.name} · ${entry.id}`;

  ctx.progress.step(`${label}: loading model (${job.location.where})`);
  let pipe: LoadedPipeline;
  let files: Record<string, string>;
  const t0 = performance.now();
  try {
    pipe = await loadPipeline(task.pipeline, entry, job.location, { threads: ctx.options.threads, device: ctx.options.device });
  } catch (err) {
    return [fail(ctx, job, null, 'load', err)];
  }
  const loadS = (performance.now() - t0) / 1000;
  const inputs = callInputs(samples, batchSize);
  const counter = task.generative ? new TokenCounter() : undefined;
  const records: RunRecord[] = [];
  try {
    files = await hashModelFiles(job.location.dir, entry.dtype);
    let modelQuality: Record<string, number> = {};
    if (task.evaluate) {
      ctx.progress.step(`${label}: scoring with the model (perplexity), outside any energy window`);
      try {
        modelQuality = await task.evaluate(samples, scoringModel(pipe), { model: entry, dataset: job.spec });
      } catch (err) {
        return [fail(ctx, job, null, 'score', err)];
      }
    }
    ctx.progress.step(`${label}: warm-up, ${warmup} call(s), not measured`);
    const warmStart = performance.now();
    try {
      for (let i = 0; i < warmup; i++) await pipe(inputs[i % inputs.length]!, task.callOptions);
    } catch (err) {
      return [fail(ctx, job, null, 'warmup', err)];
    }
    const perCallS = warmup > 0 ? (performance.now() - warmStart) / 1000 / warmup : undefined;

    for (const repetition of todo) {
      const eta = perCallS !== undefined ? `, ~${(perCallS * inputs.length).toFixed(1)} s expected` : '';
      ctx.progress.step(`${label}: repetition ${repetition}/${repetitions}, ${samples.length} inferences in the energy window${eta}`);
      let m: Measurement;
      try {
        if (counter) counter.total = 0;
        m = await measure(pipe, inputs, task.callOptions, ctx.meter, counter);
      } catch (err) {
        records.push(fail(ctx, job, repetition, 'measure', err));
        break;
      }
      let quality: Record<string, number>;
      try {
        quality = { ...task.score(samples, perSample(m.outputs, batchSize), { model: entry, dataset: job.spec }), ...modelQuality };
      } catch (err) {
        records.push(fail(ctx, job, repetition, 'score', err));
        break;
      }
      const record = okRecord(ctx, job, repetition, m, quality, files, loadS);
      ctx.writer.append(record);
      records.push(record);
      ctx.progress.done(
        `${label} rep ${repetition}/${repetitions}: ${record.joulesPer1kInferences.toFixed(1)} J/1k inferences ` +
          `(${record.energy.kind}), ${record.throughput.toFixed(1)} inf/s`,
      );
    }
  } finally {
    await pipe.dispose();
  }
  return records;
}

function okRecord(
  ctx: RunContext,
  job: ModelJob,
  repetition: number,
  m: Measurement,
  quality: Record<string, number>,
  files: Record<string, string>,
  loadS: number,
): OkRecord {
  const { reading } = m;
  const inferences = job.samples.length;
  const net = ctx.idle ? netOf(reading, ctx.idle) : undefined;
  const base = recordBase(ctx, job.task, job.entry, repetition, job.spec);
  return {
    ...base,
    status: 'ok',
    startedAt: m.startedAt.toISOString(),
    modelSource: { where: job.location.where, dir: job.location.dir, files },
    dataset: {
      id: job.dataset.id,
      split: job.dataset.split,
      ...(job.dataset.config ? { config: job.dataset.config } : {}),
      source: job.dataset.source,
      sha256: job.dataset.sha256,
      rows: job.dataset.rows.length,
      selection: job.selection,
    },
    inferences,
    durationS: reading.durationS,
    energy: {
      meter: reading.meter,
      kind: reading.kind,
      components: reading.components,
      joules: reading.joules,
      ...(ctx.idle && net
        ? { idleWatts: ctx.idle.totalWatts, idleComponentsWatts: ctx.idle.watts, idleSeconds: ctx.idle.seconds, netJoules: net.netJoules }
        : {}),
      details: reading.details,
      warnings: net?.warning ? [...reading.warnings, net.warning] : reading.warnings,
    },
    joulesPer1kInferences: (reading.joules / inferences) * 1000,
    latencyMs: latencySummary(m.latenciesMs),
    throughput: inferences / reading.durationS,
    quality,
    ...(m.outputTokens !== undefined ? { outputTokens: m.outputTokens } : {}),
    ...(m.outputTokens ? { joulesPerOutputToken: reading.joules / m.outputTokens } : {}),
    loadS,
    endedAt: new Date().toISOString(),
  };
}

// One unit (task, dataset, model): load the pipeline once, score with the model itself if the
// task needs it, warm up (not measured), then one energy window per repetition. Each
// repetition's record is appended as soon as it is scored; scoring comes after the window.
import type { LoadedDataset } from '../datasets/load.js';
import type { Meter } from '../meters/base.js';
import type { IdleBaseline } from '../meters/idle.js';
import type { FoundModel } from '../model/hub.js';
import { scoringModel } from '../model/likelihood.js';
import { hashModelFiles, loadPipeline, type LoadedPipeline } from '../model/pipeline.js';
import { TokenStream } from '../model/token-stream.js';
import { errorRecord, okRecord, type RunFacts, type Subject } from '../records/build.js';
import type { RecordWriter } from '../records/writer.js';
import type { ModelEntry } from '../schema/model-entry.js';
import type { ErrorRecord, RunRecord, Selection } from '../schema/result-record.js';
import { minWindowSecondsFor } from '../schema/run-options.js';
import type { DatasetSpec, Sample, ScoreContext, TaskDef } from '../task-api.js';
import { errorMessage } from '../util/errors.js';
import { pauseForTest } from '../util/test-pause.js';
import type { Progress } from '../util/progress.js';
import { pipelineCaller, samplesForModel } from './inputs.js';
import { measureRepetition, type RepetitionWindows } from './repetition.js';
import { stopAfter, stopFigure } from './stopping.js';
import { callInputs, perSample } from './window.js';

/** What every unit of a run shares. */
export interface UnitContext {
  run: RunFacts;
  meter: Meter;
  /** Idle power measured before the first model, if any. */
  idle: IdleBaseline | undefined;
  writer: RecordWriter;
  progress: Progress;
}

interface UnitJob {
  task: TaskDef;
  entry: ModelEntry;
  location: FoundModel;
  /** The dataset as declared (task default or a suite's override) and as loaded. */
  spec: DatasetSpec;
  dataset: LoadedDataset;
  selection: Selection;
  /** Inputs as the task prepared them (the model's input prefix is added here). */
  samples: readonly Sample[];
  /** Which of the minimum repetitions to run (all of 1..R, or what a resumed run still lacks). */
  repetitions: readonly number[];
  /** Stop figures (J/1k) of the unit's repetitions already recorded (a resumed run), for --target-ci. */
  prior: readonly number[];
  /** The repetition number an extra repetition (--target-ci) gets next. */
  next: number;
}

/** Benchmarks one model; every repetition appends its record as soon as it is scored. */
export async function runUnit(ctx: UnitContext, job: UnitJob): Promise<RunRecord[]> {
  const { task, entry } = job;
  const { batchSize, warmup, repetitions, threads, device } = ctx.run.options;
  const subject: Subject = { task, entry, spec: job.spec };
  const config = ctx.run.sweep ? ` · batch ${batchSize}, threads ${threads ?? 'default'}, ${device}` : '';
  const label = `${task.name} · ${entry.id}${config}`;
  const fail = (repetition: number | null, stage: ErrorRecord['stage'], err: unknown): ErrorRecord => {
    const record = errorRecord(ctx.run, subject, repetition, stage, errorMessage(err));
    ctx.writer.append(record);
    ctx.progress.note(`  ✗ ${entry.id}: ${stage} failed: ${record.message}`);
    return record;
  };
  const scoring: ScoreContext = { dataset: job.spec, labels: entry.labels };

  ctx.progress.step(`${label}: loading model (${job.location.where})`);
  let pipe: LoadedPipeline;
  const t0 = performance.now();
  try {
    pipe = await loadPipeline(task.pipeline, entry, job.location, { threads, device });
  } catch (err) {
    return [fail(null, 'load', err)];
  }
  const loadS = (performance.now() - t0) / 1000;
  let samples: readonly Sample[];
  try {
    samples = await samplesForModel(task, pipe, entry, job.spec, job.samples); // prefix, mask token, labels
  } catch (err) {
    await pipe.dispose();
    return [fail(null, 'prepare', err)];
  }
  const call = pipelineCaller(task, pipe);
  const inputs = callInputs(samples, batchSize);
  const stream = task.generative ? new TokenStream() : undefined;
  const records: RunRecord[] = [];
  try {
    const files = await hashModelFiles(job.location.dir, entry.dtype);
    let modelQuality: Record<string, number> = {};
    if (task.evaluate) {
      ctx.progress.step(`${label}: scoring with the model (perplexity), outside any energy window`);
      try {
        modelQuality = await task.evaluate(samples, scoringModel(pipe), scoring);
      } catch (err) {
        return [fail(null, 'score', err)];
      }
    }
    ctx.progress.step(`${label}: warm-up, ${warmup} call(s), not measured`);
    const warmStart = performance.now();
    try {
      for (let i = 0; i < warmup; i++) await call(inputs[i % inputs.length]!, task.callOptions);
    } catch (err) {
      return [fail(null, 'warmup', err)];
    }
    const perCallS = warmup > 0 ? (performance.now() - warmStart) / 1000 / warmup : undefined;
    const minWindowS = minWindowSecondsFor(ctx.run.options, ctx.meter.resolutionS);
    const unit = {
      source: { where: job.location.where, dir: job.location.dir, files },
      dataset: job.dataset,
      selection: job.selection,
      inferences: samples.length,
      loadS,
      idle: ctx.idle,
    };

    ctx.progress.note(`  ${label}: ${windowRule(ctx.run.options.minWindowSeconds, minWindowS, ctx.meter.resolutionS)}`);
    const rule = ctx.run.options;
    const of = rule.targetCi === null ? `${repetitions}` : `${repetitions}–${rule.maxRepetitions}`;
    const queue = [...job.repetitions];
    const figures = [...job.prior];
    let extra = job.next;
    // The minimum repetitions first; then, with --target-ci, more until the CI is tight enough.
    const nextRepetition = () => {
      const minimum = queue.shift();
      if (minimum !== undefined || rule.targetCi === null || stopAfter(figures, rule) !== null) return minimum;
      ctx.progress.grow(1); // an extra window joins the total
      return extra++;
    };
    for (let repetition = nextRepetition(); repetition !== undefined; repetition = nextRepetition()) {
      const passS = perCallS !== undefined ? perCallS * inputs.length : undefined;
      const eta = passS !== undefined ? `, ~${Math.max(passS, minWindowS).toFixed(1)} s expected` : '';
      const prefill = task.generative ? ', then its prefill window (max_new_tokens 1)' : '';
      ctx.progress.step(
        `${label}: repetition ${repetition}/${of}, ${samples.length} inferences per pass in the energy window` +
          `${eta}${prefill}`,
      );
      let windows: RepetitionWindows;
      try {
        windows = await measureRepetition(call, inputs, task, ctx.meter, stream, minWindowS);
      } catch (err) {
        records.push(fail(repetition, 'measure', err));
        break;
      }
      await pauseForTest('window-closed');
      const m = { ...windows.full, prefill: windows.prefill };
      let quality: Record<string, number>;
      try {
        quality = { ...task.score(samples, perSample(m.outputs, batchSize), scoring), ...modelQuality };
      } catch (err) {
        records.push(fail(repetition, 'score', err));
        break;
      }
      const record = okRecord(ctx.run, subject, repetition, m, quality, unit);
      figures.push(stopFigure(record));
      const stop = queue.length === 0 ? stopAfter(figures, rule) : null;
      if (stop) record.stoppedBecause = stop; // the last repetition says why the unit stopped
      ctx.writer.append(record);
      records.push(record);
      ctx.progress.done(
        `${label} rep ${repetition}/${of}: ${record.joulesPer1kInferences.toFixed(1)} J/1k inferences ` +
          `(${record.energy.kind}), ${record.throughput.toFixed(1)} inf/s`,
      );
    }
  } finally {
    await pipe.dispose();
  }
  return records;
}

/** How long this run's windows are, and why (the default follows the meter's resolution). */
function windowRule(setting: number | null, minWindowS: number, resolutionS: number | null): string {
  if (setting === 0) return 'one pass over the samples per window (--min-window-seconds 0)';
  if (setting !== null) return `passes repeat until each window lasts at least ${setting} s (--min-window-seconds)`;
  const why = resolutionS === null ? '1 s' : `200 × the meter's ${+resolutionS.toPrecision(2)} s resolution, or 1 s`;
  return `passes repeat until each window lasts at least ${+minWindowS.toFixed(3)} s (${why})`;
}

// Builds the records a run writes: every record carries the run's settings, the model, the
// machine and the software; an ok record adds the window's reading, latency and quality.
import type { LoadedDataset } from '../datasets/load.js';
import { netOf, type IdleBaseline } from '../meters/idle.js';
import { generationLatency, type RequestTiming } from '../model/token-stream.js';
import type { ModelEntry } from '../schema/model-entry.js';
import {
  SCHEMA_VERSION,
  type ErrorRecord,
  type Hardware,
  type OkRecord,
  type Selection,
  type SkippedRecord,
  type Software,
  type Source,
} from '../schema/result-record.js';
import type { EnergyReading } from '../schema/energy.js';
import type { ResolvedRunOptions } from '../schema/run-options.js';
import type { Sweep } from '../schema/sweep-axes.js';
import type { DatasetSpec, TaskDef } from '../task-api.js';
import { mean, quantile, sd } from '../util/stats.js';
import { splitEnergy } from './energy-split.js';

/** What every record of a run shares. */
export interface RunFacts {
  runId: string;
  options: ResolvedRunOptions;
  hardware: Hardware;
  software: Software;
  /** A configuration sweep's run: every record carries the sweep. */
  sweep?: Sweep | undefined;
}

/** Which task, model and dataset a record is about. */
export interface Subject {
  task: Pick<TaskDef, 'name' | 'version' | 'callOptions'>;
  entry: ModelEntry;
  spec: DatasetSpec;
}

function recordBase(run: RunFacts, { task, entry, spec }: Subject, repetition: number | null) {
  return {
    schemaVersion: SCHEMA_VERSION as typeof SCHEMA_VERSION,
    runId: run.runId,
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
    settings: { ...run.options, repetition, callOptions: task.callOptions },
    hardware: run.hardware,
    software: run.software,
    startedAt: new Date().toISOString(),
    dataset: { id: spec.id, split: spec.split },
    ...(run.sweep ? { sweep: run.sweep } : {}),
  };
}

export function errorRecord(
  run: RunFacts,
  subject: Subject,
  repetition: number | null,
  stage: ErrorRecord['stage'],
  message: string,
): ErrorRecord {
  return { ...recordBase(run, subject, repetition), status: 'error', stage, message };
}

export function skippedRecord(
  run: RunFacts,
  subject: Subject,
  message: string,
  reason: SkippedRecord['reason'] = 'offline',
): SkippedRecord {
  return { ...recordBase(run, subject, null), status: 'skipped', reason, message };
}

/** What one measured repetition produced. */
interface Measurement {
  reading: EnergyReading;
  latenciesMs: number[];
  /** Whole passes over the samples in the window. */
  passes: number;
  outputTokens: number | undefined;
  /** Generative tasks: each request's start and token steps (TTFT, TPOT). */
  requests?: readonly RequestTiming[] | undefined;
  /** Generative tasks: the prefill-only window of the same inputs. */
  prefill?: PrefillMeasurement | undefined;
  startedAt: Date;
  loadAverage: { open: number; close: number };
  cpuShare: { own: number; others: number } | null;
}

/** The prefill window (max_new_tokens = 1) of one repetition. */
interface PrefillMeasurement {
  reading: EnergyReading;
  passes: number;
  outputTokens: number | undefined;
  callOptions: Record<string, unknown>;
}

/** What the run knew of the unit besides the measurement. */
export interface UnitFacts {
  source: { where: Source; dir: string; files: Record<string, string> };
  dataset: LoadedDataset;
  selection: Selection;
  /** Samples per pass. */
  inferences: number;
  loadS: number;
  idle: IdleBaseline | undefined;
}

function latencySummary(ms: readonly number[]): OkRecord['latencyMs'] {
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

export function okRecord(
  run: RunFacts,
  subject: Subject,
  repetition: number,
  m: Measurement,
  quality: Record<string, number>,
  unit: UnitFacts,
): OkRecord {
  const { reading } = m;
  const { dataset, idle } = unit;
  const inferences = unit.inferences * m.passes; // every inference in the window
  const net = idle ? netOf(reading, idle) : undefined;
  const generation = m.requests ? generationLatency(m.requests, run.options.batchSize) : undefined;
  const prefill = m.prefill ? prefillWindow(m.prefill, unit.inferences * m.prefill.passes, idle) : undefined;
  const split =
    prefill && m.outputTokens !== undefined
      ? splitEnergy(
          { joules: reading.joules, inferences, outputTokens: m.outputTokens },
          { joules: prefill.joules, inferences: prefill.inferences, outputTokens: prefill.outputTokens },
        )
      : undefined;
  return {
    ...recordBase(run, subject, repetition),
    status: 'ok',
    startedAt: m.startedAt.toISOString(),
    modelSource: unit.source,
    dataset: {
      id: dataset.id,
      split: dataset.split,
      ...(dataset.config ? { config: dataset.config } : {}),
      source: dataset.source,
      sha256: dataset.sha256,
      rows: dataset.rows.length,
      selection: unit.selection,
    },
    inferences,
    passes: m.passes,
    durationS: reading.durationS,
    loadAverage: m.loadAverage,
    ...(m.cpuShare ? { cpuShare: m.cpuShare } : {}),
    energy: {
      meter: reading.meter,
      kind: reading.kind,
      components: reading.components,
      joules: reading.joules,
      ...(idle && net
        ? {
            idleWatts: idle.totalWatts,
            idleComponentsWatts: idle.watts,
            idleSeconds: idle.seconds,
            netJoules: net.netJoules,
          }
        : {}),
      details: reading.details,
      warnings: [...reading.warnings, ...(net?.warnings ?? [])],
      ...(reading.resolutionS !== undefined ? { resolutionS: reading.resolutionS } : {}),
      ...(reading.timeline ? { timeline: reading.timeline } : {}),
      ...(reading.crossChecks ? { crossChecks: reading.crossChecks } : {}),
      ...(split
        ? {
            prefillJoules: split.prefillJoules,
            prefillJoulesPerToken: split.prefillJoulesPerToken,
            ...(split.decodeJoules !== undefined ? { decodeJoules: split.decodeJoules } : {}),
            ...(split.decodeJoulesPerToken !== undefined ? { decodeJoulesPerToken: split.decodeJoulesPerToken } : {}),
            split: { kind: 'derived' as const, decodePositive: split.decodePositive },
          }
        : {}),
    },
    joulesPer1kInferences: (reading.joules / inferences) * 1000,
    latencyMs: latencySummary(m.latenciesMs),
    throughput: inferences / reading.durationS,
    quality,
    ...(m.outputTokens !== undefined ? { outputTokens: m.outputTokens } : {}),
    ...(m.outputTokens ? { joulesPerOutputToken: reading.joules / m.outputTokens } : {}),
    ...(generation ? { generation } : {}),
    ...(prefill ? { prefill } : {}),
    loadS: unit.loadS,
    endedAt: new Date().toISOString(),
  };
}

/** The prefill window as a record keeps it: its totals (gross, and net with a baseline) and how its calls ran. */
function prefillWindow(p: PrefillMeasurement, inferences: number, idle: IdleBaseline | undefined) {
  const net = idle ? netOf(p.reading, idle) : undefined;
  return {
    callOptions: p.callOptions,
    durationS: p.reading.durationS,
    inferences,
    passes: p.passes,
    joules: p.reading.joules,
    ...(net ? { netJoules: net.netJoules } : {}),
    outputTokens: p.outputTokens ?? 0,
    warnings: [...p.reading.warnings, ...(net?.warnings ?? [])],
  };
}

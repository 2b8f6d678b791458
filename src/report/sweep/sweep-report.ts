// A sweep's records -> its report: per model (a Hub model, its dtype variants together), one
// point per configuration (dtype, batch size, threads, device) with its energy and latency over
// repetitions; the Pareto frontiers of J/1k (and J/token) against p95 latency and of J/1k against
// quality; the energy-optimal configuration overall and within the latency budget. Energy is on
// one basis for the whole sweep: net where every record has an idle baseline, else gross.
import { isTaskName, loadTask } from '../../../tasks/index.js';
import type { EnergyKind } from '../../schema/energy.js';
import type { ModelKind, OkRecord, RunRecord, SkippedRecord } from '../../schema/result-record.js';
import type { Sweep, SweptOut } from '../../schema/sweep-axes.js';
import type { MetricSpec } from '../../task-api.js';
import { groupBy, mean } from '../../util/stats.js';
import { spread, welch, type Spread } from '../../util/student-t.js';
import { hardwareLabel } from '../../util/system.js';
import { paretoFront } from './frontier.js';

export interface SweepPoint {
  /** Registry id of the variant that ran. */
  model: string;
  kind: ModelKind;
  dtype: string;
  batchSize: number;
  threads: number | null;
  device: string;
  /** "q8 · batch 4 · threads 1 · cpu". */
  label: string;
  joulesPer1k: Spread;
  /** J/1k of each repetition, in repetition order. */
  figures: number[];
  /** Generative tasks: J per generated token (mean over repetitions). */
  joulesPerToken: number | null;
  /** p95 latency of one pipeline call (a whole batch: what a request in it waits), mean over repetitions. */
  latencyP95Ms: number;
  /** The task's primary metric (mean over repetitions). */
  quality: number | null;
  repetitions: number;
  /** On the frontier of J/1k vs p95 latency, J/token vs p95 latency, J/1k vs quality. */
  frontier: { latency: boolean; tokenLatency: boolean; quality: boolean };
}

export interface SweepModel {
  /** The Hub model ("org/name"); its dtype variants are points of one frontier. */
  model: string;
  points: SweepPoint[];
  /** The least J/1k over all configurations. */
  optimal: SweepPoint | null;
  /** Configurations whose J/1k the optimum's does not differ from significantly (Welch, α = 0.05; or < 3 repetitions). */
  optimalTies: SweepPoint[];
  /** The least J/1k among configurations with p95 latency within the budget; null when none is (or no budget). */
  withinBudget: SweepPoint | null;
}

export interface SweepReport {
  id: string;
  task: string;
  dataset: string;
  hardware: string;
  meter: string;
  energyKind: EnergyKind;
  basis: 'gross' | 'net';
  quality: MetricSpec | null;
  sweep: Sweep;
  /**
   * What did not run, with why: the sweep's dtypes no registered variant has, and each
   * configuration that could not run on the machine that ran it (its skipped record) and has no
   * measurement from another run of the sweep.
   */
  skipped: SweptOut[];
  /** Run ids that made the records (a sweep's shards). */
  runs: string[];
  models: SweepModel[];
}

/** One row of configurations: what a point is keyed by. */
const configKey = (r: RunRecord) =>
  JSON.stringify([r.model, r.settings.batchSize, r.settings.threads, r.settings.device]);

function configLabel(p: Pick<SweepPoint, 'dtype' | 'batchSize' | 'threads' | 'device'>): string {
  return `${p.dtype} · batch ${p.batchSize} · threads ${p.threads ?? 'default'} · ${p.device}`;
}

function pointOf(records: OkRecord[], basis: 'gross' | 'net', metric: MetricSpec | null): SweepPoint {
  const ordered = [...records].sort((a, b) => (a.settings.repetition ?? 0) - (b.settings.repetition ?? 0));
  const first = ordered[0]!;
  const joules = (r: OkRecord) => (basis === 'net' ? r.energy.netJoules! : r.energy.joules);
  const figures = ordered.map((r) => (joules(r) / r.inferences) * 1000);
  const perToken = ordered.filter((r) => r.outputTokens).map((r) => joules(r) / r.outputTokens!);
  const quality = metric ? ordered.map((r) => r.quality[metric.name]).filter((q) => q !== undefined) : [];
  const point = {
    model: first.model,
    kind: first.modelInfo.kind,
    dtype: first.modelInfo.dtype,
    batchSize: first.settings.batchSize,
    threads: first.settings.threads,
    device: first.settings.device,
  };
  return {
    ...point,
    label: configLabel(point),
    joulesPer1k: spread(figures),
    figures,
    joulesPerToken: perToken.length > 0 ? mean(perToken) : null,
    latencyP95Ms: mean(ordered.map((r) => r.latencyMs.p95)),
    quality: quality.length > 0 ? mean(quality as number[]) : null,
    repetitions: ordered.length,
    frontier: { latency: false, tokenLatency: false, quality: false },
  };
}

/** Table order: variant, then batch size, threads and device. */
function byConfiguration(a: SweepPoint, b: SweepPoint): number {
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    text(a.model, b.model) ||
    a.batchSize - b.batchSize ||
    (a.threads ?? 0) - (b.threads ?? 0) ||
    text(a.device, b.device)
  );
}

/** Frontiers, the optimum and the optimum within the budget of one model's points. */
export function analyseModel(
  model: string,
  points: SweepPoint[],
  budgetMs: number | null,
  metric: MetricSpec | null,
): SweepModel {
  const energy = (p: SweepPoint) => p.joulesPer1k.mean;
  const latency = (p: SweepPoint) => p.latencyP95Ms;
  const perToken = (p: SweepPoint) => p.joulesPerToken ?? Number.NaN;
  // A fixture's quality means nothing: it is on no quality frontier (as the leaderboard's figure leaves it out).
  const quality = (p: SweepPoint) =>
    p.quality === null || p.kind === 'fixture' ? Number.NaN : metric?.higherIsBetter ? -p.quality : p.quality;
  const fronts = {
    latency: paretoFront(points, [energy, latency]),
    tokenLatency: paretoFront(points, [perToken, latency]),
    quality: paretoFront(points, [energy, quality]),
  };
  for (const p of points) {
    p.frontier = {
      latency: fronts.latency.has(p),
      tokenLatency: fronts.tokenLatency.has(p),
      quality: fronts.quality.has(p),
    };
  }
  const cheapest = (ps: readonly SweepPoint[]) =>
    ps.reduce<SweepPoint | null>((best, p) => (best === null || energy(p) < energy(best) ? p : best), null);
  const optimal = cheapest(points);
  const optimalTies = optimal
    ? points.filter((p) => p !== optimal && (welch(p.figures, optimal.figures)?.p ?? 1) >= 0.05)
    : [];
  const withinBudget = budgetMs === null ? null : cheapest(points.filter((p) => latency(p) <= budgetMs));
  return { model, points, optimal, optimalTies, withinBudget };
}

async function primaryMetric(task: string): Promise<MetricSpec | null> {
  if (!isTaskName(task)) return null;
  const def = await loadTask(task);
  return def.metrics.find((m) => m.name === def.primaryMetric) ?? null;
}

type Swept<R extends RunRecord> = R & { sweep: Sweep };

/** The sweep, the task and data, and the machine of a record of a sweep. */
function sweepKey(r: Swept<RunRecord>): string {
  const { accelerator: _, ...machine } = r.hardware; // the device axis names the accelerator per point
  return JSON.stringify([r.sweep.id, r.task, r.dataset.id, r.dataset.split, hardwareLabel(machine)]);
}

/** What makes a sweep's figures one report: its sweepKey and the meter. */
const reportKey = (r: Swept<OkRecord>) => JSON.stringify([sweepKey(r), r.energy.meter]);

/** A configuration's skipped record as what the report lists: its model, configuration and why. */
function sweptOut(r: SkippedRecord): SweptOut {
  const { batchSize, threads, device } = r.settings;
  return { model: r.model, config: { batchSize, threads, device }, reason: r.message };
}

/** Every sweep among these records, one report per sweep (its shards merged), in sweep id order. */
export async function buildSweepReports(records: readonly RunRecord[]): Promise<SweepReport[]> {
  const swept = records.filter((r): r is Swept<OkRecord> => r.status === 'ok' && r.sweep !== undefined);
  const unrunnable = records.filter(
    (r): r is Swept<SkippedRecord> => r.status === 'skipped' && r.reason === 'unrunnable' && r.sweep !== undefined,
  );
  const reports: SweepReport[] = [];
  for (const group of groupBy(swept, reportKey).values()) {
    const first = group[0]!;
    const { accelerator: _, ...machine } = first.hardware;
    const basis = group.every((r) => r.energy.netJoules !== undefined) ? 'net' : 'gross';
    const metric = await primaryMetric(first.task);
    const models = [...groupBy(group, (r) => `${r.modelInfo.hfId}@${r.modelInfo.revision}`).values()].map((rs) =>
      analyseModel(
        rs[0]!.modelInfo.hfId,
        [...groupBy(rs, configKey).values()].map((c) => pointOf(c, basis, metric)).sort(byConfiguration),
        first.sweep.latencyBudgetMs,
        metric,
      ),
    );
    const measured = new Set(group.map(configKey));
    const skipped = unrunnable.filter((r) => sweepKey(r) === sweepKey(first) && !measured.has(configKey(r)));
    reports.push({
      id: first.sweep.id,
      task: first.task,
      dataset: `${first.dataset.id} (${first.dataset.split})`,
      hardware: hardwareLabel(machine),
      meter: first.energy.meter,
      energyKind: first.energy.kind,
      basis,
      quality: metric,
      sweep: first.sweep,
      skipped: dedupe([...group.flatMap((r) => r.sweep.skipped), ...skipped.map(sweptOut)]),
      runs: [...new Set(group.map((r) => r.runId))].sort(),
      models,
    });
  }
  return reports.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Each once: shards of one sweep each name its dtypes without a variant. */
function dedupe<T>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
}

// Turns records into leaderboard rows: one row per model and configuration (mean ± sd over
// repetitions), grouped by task and by hardware + meter, so a model is only ranked against
// runs measured the same way on the same machine class.
import { loadTask, isTaskName } from '../../tasks/index.js';
import type { MetricSpec } from '../task.js';
import type { OkRecord, RunRecord } from '../records.js';
import { groupBy, mean, sd } from '../stats.js';
import { hardwareLabel } from '../system.js';

export const JOULES_PER_KWH = 3.6e6;

export interface Stat {
  mean: number;
  sd: number;
}

export interface LeaderboardRow {
  rank: number | null;
  task: string;
  model: string;
  kind: 'pretrained' | 'fixture';
  parameters: number;
  dtype: string;
  batchSize: number;
  threads: number | null;
  inferences: number;
  repetitions: number;
  joulesPer1k: Stat;
  kWhPer1k: number;
  quality: Record<string, Stat>;
  latencyP50Ms: number;
  throughput: number;
  joulesPerOutputToken: number | undefined;
  /** Component list the meter covered, e.g. "cpu+dram". */
  components: string;
  warnings: string[];
  runIds: string[];
}

/** What the energy figures are: the whole window's energy, or that minus the idle baseline. */
export type EnergyBasis = 'gross' | 'net';
/** --rank-by: auto = net where every record of a group has an idle baseline, else gross. */
export type RankBy = EnergyBasis | 'auto';

export interface HardwareGroup {
  /** gross, or net of the idle power measured before the run. */
  basis: EnergyBasis;
  hardware: string;
  /** "id (split)" of the data every row of the group ran on. */
  dataset: string;
  device: string;
  meter: string;
  energyKind: 'measured' | 'estimated';
  /** Ranked pretrained models, lowest J/1k first. */
  rows: LeaderboardRow[];
  /** Plumbing fixtures: shown apart and never ranked. */
  fixtures: LeaderboardRow[];
}

export interface TaskSection {
  task: string;
  dataset: string;
  metrics: readonly MetricSpec[];
  primaryMetric: string | undefined;
  groups: HardwareGroup[];
  /** Models that appear only as skipped in these records, with the reason. */
  notMeasured: { model: string; status: 'skipped' | 'failed'; reason: string }[];
}

export interface Leaderboard {
  tasks: TaskSection[];
  recordCount: number;
}

function statOf(xs: number[]): Stat {
  return { mean: mean(xs), sd: sd(xs) };
}

/** Records that may be averaged together: same model, data, settings, hardware and meter. */
function rowKey(r: OkRecord): string {
  return JSON.stringify([
    r.model,
    r.taskVersion,
    r.modelInfo.dtype,
    r.dataset.id,
    r.dataset.split,
    r.dataset.sha256,
    r.inferences,
    r.settings.batchSize,
    r.settings.threads,
    r.settings.callOptions,
  ]);
}

/** Runs compared with each other: same hardware, device, meter, and the same data (a suite may run a task on several datasets). */
function groupKey(r: OkRecord): string {
  return JSON.stringify([
    hardwareLabel(r.hardware),
    r.settings.device,
    r.energy.meter,
    r.energy.kind,
    datasetLabel(r),
    // One model at batch 1 and at batch 16 is two configurations, never ranked against each other.
    r.taskVersion,
    r.settings.batchSize,
    r.settings.threads,
    r.settings.callOptions,
  ]);
}

function datasetLabel(r: OkRecord): string {
  return `${r.dataset.id} (${r.dataset.split})`;
}

/** J per 1,000 inferences of a record on the chosen basis. */
function joulesPer1k(r: OkRecord, basis: EnergyBasis): number {
  return basis === 'net' ? (r.energy.netJoules! / r.inferences) * 1000 : r.joulesPer1kInferences;
}

function toRow(records: OkRecord[], basis: EnergyBasis): LeaderboardRow {
  const first = records[0]!;
  const metricNames = Object.keys(first.quality);
  const perToken = records
    .filter((r) => r.outputTokens)
    .map((r) => (basis === 'net' ? r.energy.netJoules! : r.energy.joules) / r.outputTokens!);
  const j = statOf(records.map((r) => joulesPer1k(r, basis)));
  return {
    rank: null,
    task: first.task,
    model: first.model,
    kind: first.modelInfo.kind,
    parameters: first.modelInfo.parameters,
    dtype: first.modelInfo.dtype,
    batchSize: first.settings.batchSize,
    threads: first.settings.threads,
    inferences: first.inferences,
    repetitions: records.length,
    joulesPer1k: j,
    kWhPer1k: j.mean / JOULES_PER_KWH,
    quality: Object.fromEntries(metricNames.map((m) => [m, statOf(records.map((r) => r.quality[m] ?? Number.NaN))])),
    latencyP50Ms: mean(records.map((r) => r.latencyMs.p50)),
    throughput: mean(records.map((r) => r.throughput)),
    joulesPerOutputToken: perToken.length > 0 ? mean(perToken) : undefined,
    components: Object.keys(first.energy.components).sort().join('+'),
    warnings: [...new Set(records.flatMap((r) => r.energy.warnings))],
    runIds: [...new Set(records.map((r) => r.runId))],
  };
}

async function taskInfo(task: string): Promise<Pick<TaskSection, 'metrics' | 'primaryMetric'>> {
  if (!isTaskName(task)) return { metrics: [], primaryMetric: undefined };
  const def = await loadTask(task);
  return { metrics: def.metrics, primaryMetric: def.primaryMetric };
}

export async function aggregate(records: readonly RunRecord[], rankBy: RankBy = 'auto'): Promise<Leaderboard> {
  const tasks: TaskSection[] = [];
  for (const [task, taskRecords] of groupBy(records, (r) => r.task)) {
    const ok = taskRecords.filter((r): r is OkRecord => r.status === 'ok');
    const groups: HardwareGroup[] = [];
    for (const groupRecords of groupBy(ok, groupKey).values()) {
      const first = groupRecords[0]!;
      const baselined = groupRecords.every((r) => r.energy.netJoules !== undefined);
      const basis: EnergyBasis = rankBy === 'gross' || !baselined ? 'gross' : 'net';
      const rows = [...groupBy(groupRecords, rowKey).values()].map((rs) => toRow(rs, basis));
      if (rankBy === 'net' && !baselined) {
        for (const r of rows) r.warnings.push('--rank-by net: these runs have no idle baseline (--idle-seconds 0, or the estimate meter), so gross energy is shown');
      }
      const byEnergy = (a: LeaderboardRow, b: LeaderboardRow) => a.joulesPer1k.mean - b.joulesPer1k.mean;
      const ranked = rows.filter((r) => r.kind === 'pretrained').sort(byEnergy);
      ranked.forEach((r, i) => (r.rank = i + 1));
      groups.push({
        basis,
        hardware: hardwareLabel(first.hardware),
        dataset: datasetLabel(first),
        device: first.settings.device,
        meter: first.energy.meter,
        energyKind: first.energy.kind,
        rows: ranked,
        fixtures: rows.filter((r) => r.kind === 'fixture').sort(byEnergy),
      });
    }
    const measured = new Set(ok.map((r) => r.model));
    const notMeasured = [
      ...new Map(
        taskRecords
          .filter((r): r is Exclude<RunRecord, OkRecord> => r.status !== 'ok' && !measured.has(r.model))
          .map((r) => [
            r.model,
            r.status === 'skipped'
              ? { model: r.model, status: 'skipped' as const, reason: 'not available offline' }
              : { model: r.model, status: 'failed' as const, reason: `${r.stage}: ${r.message}` },
          ]),
      ).values(),
    ];
    const datasets = [...new Set(ok.map((r) => `${r.dataset.id} (${r.dataset.split})`))];
    tasks.push({ task, dataset: datasets.join(', '), ...(await taskInfo(task)), groups, notMeasured });
  }
  tasks.sort((a, b) => a.task.localeCompare(b.task));
  return { tasks, recordCount: records.length };
}

// Turns records into leaderboard rows: one row per model and configuration (mean ± sd over
// repetitions), grouped by task and by hardware + meter, so a model is only ranked against
// runs measured the same way on the same machine class.
import { loadTask, isTaskName } from '../../tasks/index.js';
import type { MetricSpec } from '../task.js';
import type { OkRecord, RunRecord } from '../records.js';
import { mean, sd } from '../stats.js';
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

export interface HardwareGroup {
  hardware: string;
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
  notMeasured: { model: string; reason: string }[];
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

function groupKey(r: OkRecord): string {
  return JSON.stringify([hardwareLabel(r.hardware), r.settings.device, r.energy.meter, r.energy.kind]);
}

function toRow(records: OkRecord[]): LeaderboardRow {
  const first = records[0]!;
  const metricNames = Object.keys(first.quality);
  const perToken = records.map((r) => r.joulesPerOutputToken).filter((x): x is number => x !== undefined);
  const j = statOf(records.map((r) => r.joulesPer1kInferences));
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

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    map.set(k, [...(map.get(k) ?? []), item]);
  }
  return map;
}

async function taskInfo(task: string): Promise<Pick<TaskSection, 'metrics' | 'primaryMetric'>> {
  if (!isTaskName(task)) return { metrics: [], primaryMetric: undefined };
  const def = await loadTask(task);
  return { metrics: def.metrics, primaryMetric: def.primaryMetric };
}

export async function aggregate(records: readonly RunRecord[]): Promise<Leaderboard> {
  const tasks: TaskSection[] = [];
  for (const [task, taskRecords] of groupBy(records, (r) => r.task)) {
    const ok = taskRecords.filter((r): r is OkRecord => r.status === 'ok');
    const groups: HardwareGroup[] = [];
    for (const groupRecords of groupBy(ok, groupKey).values()) {
      const first = groupRecords[0]!;
      const rows = [...groupBy(groupRecords, rowKey).values()].map(toRow);
      const byEnergy = (a: LeaderboardRow, b: LeaderboardRow) => a.joulesPer1k.mean - b.joulesPer1k.mean;
      const ranked = rows.filter((r) => r.kind === 'pretrained').sort(byEnergy);
      ranked.forEach((r, i) => (r.rank = i + 1));
      groups.push({
        hardware: hardwareLabel(first.hardware),
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
          .filter((r) => r.status === 'skipped' && !measured.has(r.model))
          .map((r) => [r.model, { model: r.model, reason: 'not available offline' }]),
      ).values(),
    ];
    const datasets = [...new Set(ok.map((r) => `${r.dataset.id} (${r.dataset.split})`))];
    tasks.push({ task, dataset: datasets.join(', '), ...(await taskInfo(task)), groups, notMeasured });
  }
  tasks.sort((a, b) => a.task.localeCompare(b.task));
  return { tasks, recordCount: records.length };
}

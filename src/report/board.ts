// Records -> one typed Board, the only shape every output renders. Records are grouped by task,
// then by what makes figures comparable (hardware, device, meter, dataset, settings): one row
// per model and configuration, mean ± sd over repetitions, ranked, rated with the star rule in
// force, with carbon and every figure's provenance; imported published leaderboards join as
// groups of their own.
import { isTaskName, loadTask } from '../../tasks/index.js';
import type { EnergyKind } from '../schema/energy.js';
import type { ModelKind, OkRecord, RunRecord } from '../schema/result-record.js';
import type { MetricSpec } from '../task-api.js';
import { groupBy, mean, sd } from '../util/stats.js';
import { hardwareLabel } from '../util/system.js';
import { DEFAULT_CARBON_INTENSITY, gramsCO2e, type CarbonIntensity } from './carbon.js';
import { estimateHow, type MeterPart } from './format.js';
import type { ImportedTable } from './imports/aies.js';
import { rate, type StarRule } from './stars.js';

export const JOULES_PER_KWH = 3.6e6;

interface Stat {
  mean: number;
  sd: number;
}

interface QualityFigure {
  metric: string;
  label: string;
  higherIsBetter: boolean;
  mean: number;
  sd: number;
}

interface PublishedFigure {
  /** The file's total_gpu_energy, unchanged: kWh per 1,000 queries. */
  kWhPer1k: number;
  /** The file's energy_score, unchanged (their stars; ours are computed, never copied). */
  energyScore: string;
  class: string;
  line: number;
}

export interface BoardRow {
  /** 1 = least energy among the group's rated rows; null for fixtures. */
  rank: number | null;
  model: string;
  kind: ModelKind;
  parameters: number | null;
  dtype: string | null;
  joulesPer1k: Stat;
  kWhPer1k: number;
  gCO2ePer1k: number;
  /** The task's primary metric. */
  quality: QualityFigure | null;
  /** Every metric the records have. */
  metrics: Record<string, Stat>;
  latencyP50Ms: number | null;
  throughput: number | null;
  joulesPerOutputToken: number | null;
  batchSize: number | null;
  /** onnxruntime threads; null = its default (or an import). */
  threads: number | null;
  inferences: number | null;
  repetitions: number | null;
  /** Components the row's energy covers, e.g. "cpu+dram". */
  components: string;
  /** 1-5, more = less energy; null = not rated (fixture, lone model, no spread). */
  stars: number | null;
  /** Run ids (records) or file:line (imports). */
  provenance: string[];
  /** Imports only: the row as published. */
  published: PublishedFigure | null;
  warnings: string[];
}

/** What the energy figures are: the whole window's energy, or that minus the idle baseline. */
type EnergyBasis = 'gross' | 'net';
/** --rank-by: auto = net where every record of a group has an idle baseline, else gross. */
export type RankBy = EnergyBasis | 'auto';

export interface BoardGroup {
  /** Anchor-safe id, unique on the page. */
  id: string;
  task: string;
  origin: 'records' | 'import';
  /** Who produced the figures, e.g. "joulebench" or "AI Energy Score (NVIDIA H100, GPU only)". */
  source: string;
  hardware: string;
  /** "id (split)" of the data every row ran on (records), or null for imports (their own task datasets). */
  dataset: string | null;
  device: string | null;
  meter: string;
  /** The meter's parts and how each measured (a composite's from details.parts; one part otherwise). */
  meterParts: MeterPart[];
  energyKind: EnergyKind;
  /** gross or net (idle-subtracted) for our records; published for imports. */
  basis: EnergyBasis | 'published';
  /** Components the energy covers, e.g. "cpu+dram", "gpu". */
  components: string;
  /** One sentence on what the energy figure is and how it was obtained. */
  boundary: string;
  class: string | null;
  /** The star rule applied to this group, with its boundaries (printed under the table). */
  starsRule: string;
  notes: string[];
  /** Ranked rows (lowest energy first), then fixtures. */
  rows: BoardRow[];
}

interface NotMeasured {
  model: string;
  status: 'skipped' | 'failed';
  reason: string;
}

export interface BoardTask {
  task: string;
  /** The datasets of its records, "id (split)", comma-separated; '' for imports only. */
  dataset: string;
  metrics: readonly MetricSpec[];
  /** The primary metric, shown as "quality". */
  quality: MetricSpec | undefined;
  groups: BoardGroup[];
  /** Models that appear only as skipped or failed in these records. */
  notMeasured: NotMeasured[];
}

export interface Board {
  generatedAt: Date;
  recordCount: number;
  starRule: StarRule;
  carbon: CarbonIntensity;
  tasks: BoardTask[];
}

export interface BoardOptions {
  rankBy?: RankBy;
  starRule?: StarRule;
  carbon?: CarbonIntensity;
  imports?: readonly ImportedTable[];
  generatedAt?: Date;
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
    r.inferences / (r.passes ?? 1), // samples per pass: repetitions of one setting may run different passes
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

/** A composite meter's parts, from the reading's details (never from its name). */
function meterParts(r: OkRecord): MeterPart[] {
  const parts = r.energy.details.parts;
  if (parts && typeof parts === 'object') {
    return Object.entries(parts as Record<string, { kind?: EnergyKind }>).map(([meter, p]) => ({
      meter,
      kind: p.kind ?? r.energy.kind,
    }));
  }
  return [{ meter: r.energy.meter, kind: r.energy.kind }];
}

/** J per 1,000 inferences of a record on the chosen basis. */
function joulesPer1k(r: OkRecord, basis: EnergyBasis): number {
  return basis === 'net' ? (r.energy.netJoules! / r.inferences) * 1000 : r.joulesPer1kInferences;
}

function qualityOf(metrics: Record<string, Stat>, spec: MetricSpec | undefined): QualityFigure | null {
  const q = spec ? metrics[spec.name] : undefined;
  if (!spec || !q || !Number.isFinite(q.mean)) return null;
  return { metric: spec.name, label: spec.label, higherIsBetter: spec.higherIsBetter, mean: q.mean, sd: q.sd };
}

function recordRow(
  records: OkRecord[],
  basis: EnergyBasis,
  spec: MetricSpec | undefined,
  carbon: CarbonIntensity,
): BoardRow {
  const first = records[0]!;
  const perToken = records
    .filter((r) => r.outputTokens)
    .map((r) => (basis === 'net' ? r.energy.netJoules! : r.energy.joules) / r.outputTokens!);
  const j = statOf(records.map((r) => joulesPer1k(r, basis)));
  const kWhPer1k = j.mean / JOULES_PER_KWH;
  const metrics = Object.fromEntries(
    Object.keys(first.quality).map((m) => [m, statOf(records.map((r) => r.quality[m] ?? Number.NaN))]),
  );
  return {
    rank: null,
    model: first.model,
    kind: first.modelInfo.kind,
    parameters: first.modelInfo.parameters,
    dtype: first.modelInfo.dtype,
    joulesPer1k: j,
    kWhPer1k,
    gCO2ePer1k: gramsCO2e(kWhPer1k, carbon),
    quality: qualityOf(metrics, spec),
    metrics,
    latencyP50Ms: mean(records.map((r) => r.latencyMs.p50)),
    throughput: mean(records.map((r) => r.throughput)),
    joulesPerOutputToken: perToken.length > 0 ? mean(perToken) : null,
    batchSize: first.settings.batchSize,
    threads: first.settings.threads,
    inferences: first.inferences,
    repetitions: records.length,
    components: Object.keys(first.energy.components).sort().join('+'),
    stars: null,
    provenance: [...new Set(records.map((r) => r.runId))],
    published: null,
    warnings: [...new Set(records.flatMap((r) => r.energy.warnings))],
  };
}

/** Rates the rows that may be rated (never fixtures) and returns the rule text. */
function applyStars(rows: BoardRow[], rule: StarRule): string {
  // A net figure at or below zero is within the idle baseline's noise: it has no energy to rate.
  const rated = rows.filter((r) => r.kind !== 'fixture' && r.joulesPer1k.mean > 0);
  const rating = rate(
    rated.map((r) => r.joulesPer1k.mean),
    rule,
  );
  for (const [i, r] of rated.entries()) r.stars = rating.stars[i] ?? null;
  const notes = [rating.rule];
  if (rows.some((r) => r.kind === 'fixture')) notes.push('Fixture rows (not citable) are never rated.');
  if (rows.some((r) => r.kind !== 'fixture' && !(r.joulesPer1k.mean > 0)))
    notes.push('Rows at or below zero net energy (within the idle noise) are not rated.');
  return notes.join(' ');
}

function recordBoundary(
  energyKind: EnergyKind,
  meter: string,
  parts: readonly MeterPart[],
  basis: EnergyBasis,
  components: string,
): string {
  const what =
    basis === 'net'
      ? 'net energy: the measurement window minus the idle power measured before the run'
      : 'gross energy of the measurement window, nothing subtracted';
  if (energyKind === 'estimated') return `${estimateHow(meter, parts)}; ${what} (${components})`;
  return `measured by the ${meter} meter (${components}); ${what}`;
}

interface Resolved {
  rankBy: RankBy;
  starRule: StarRule;
  carbon: CarbonIntensity;
}

function recordGroup(
  task: string,
  index: number,
  records: OkRecord[],
  spec: MetricSpec | undefined,
  o: Resolved,
): BoardGroup {
  const first = records[0]!;
  const baselined = records.every((r) => r.energy.netJoules !== undefined);
  const basis: EnergyBasis = o.rankBy === 'gross' || !baselined ? 'gross' : 'net';
  const all = [...groupBy(records, rowKey).values()].map((rs) => recordRow(rs, basis, spec, o.carbon));
  if (o.rankBy === 'net' && !baselined) {
    for (const r of all)
      r.warnings.push(
        '--rank-by net: these runs have no idle baseline (--idle-seconds 0, or the estimate meter), so gross energy is shown',
      );
  }
  const byEnergy = (a: BoardRow, b: BoardRow) => a.joulesPer1k.mean - b.joulesPer1k.mean;
  const ranked = all.filter((r) => r.kind === 'pretrained').sort(byEnergy);
  for (const [i, r] of ranked.entries()) r.rank = i + 1;
  const rows = [...ranked, ...all.filter((r) => r.kind === 'fixture').sort(byEnergy)];
  const components = [...new Set(rows.map((r) => r.components))].join(', ');
  const parts = meterParts(first);
  return {
    id: `${task}-${index}`,
    task,
    origin: 'records',
    source: 'joulebench',
    hardware: hardwareLabel(first.hardware),
    dataset: datasetLabel(first),
    device: first.settings.device,
    meter: first.energy.meter,
    meterParts: parts,
    energyKind: first.energy.kind,
    basis,
    components,
    boundary: recordBoundary(first.energy.kind, first.energy.meter, parts, basis, components),
    class: null,
    starsRule: applyStars(rows, o.starRule),
    notes: [...new Set(rows.flatMap((r) => r.warnings))],
    rows,
  };
}

function notMeasured(records: readonly RunRecord[]): NotMeasured[] {
  const measured = new Set(records.filter((r) => r.status === 'ok').map((r) => r.model));
  return [
    ...new Map(
      records
        .filter((r): r is Exclude<RunRecord, OkRecord> => r.status !== 'ok' && !measured.has(r.model))
        .map((r) => [
          r.model,
          r.status === 'skipped'
            ? { model: r.model, status: 'skipped' as const, reason: 'not available offline' }
            : { model: r.model, status: 'failed' as const, reason: `${r.stage}: ${r.message}` },
        ]),
    ).values(),
  ];
}

async function taskMetrics(task: string): Promise<{ metrics: readonly MetricSpec[]; quality: MetricSpec | undefined }> {
  if (!isTaskName(task)) return { metrics: [], quality: undefined };
  const def = await loadTask(task);
  return { metrics: def.metrics, quality: def.metrics.find((m) => m.name === def.primaryMetric) };
}

function importGroups(table: ImportedTable, o: Resolved, firstIndex: number): BoardGroup[] {
  const classes = [...new Set(table.rows.map((r) => r.class))];
  return classes.map((cls, i) => {
    const published = table.rows.filter((r) => r.class === cls);
    const order = [...published].sort((a, b) => a.kWhPer1k - b.kWhPer1k);
    const rows: BoardRow[] = order.map((p) => ({
      rank: order.findIndex((q) => q.kWhPer1k === p.kWhPer1k) + 1,
      model: p.model,
      kind: 'pretrained',
      parameters: null,
      dtype: null,
      joulesPer1k: { mean: p.kWhPer1k * JOULES_PER_KWH, sd: Number.NaN }, // one published figure: no spread is known
      kWhPer1k: p.kWhPer1k,
      gCO2ePer1k: gramsCO2e(p.kWhPer1k, o.carbon),
      quality: null,
      metrics: {},
      latencyP50Ms: null,
      throughput: null,
      joulesPerOutputToken: null,
      batchSize: null,
      threads: null,
      inferences: null,
      repetitions: null,
      components: 'gpu',
      stars: null,
      provenance: [`${table.file}:${p.line}`],
      published: { kWhPer1k: p.kWhPer1k, energyScore: p.energyScore, class: p.class, line: p.line },
      warnings: [],
    }));
    const repeated = [...new Set(published.map((p) => p.model).filter((m, j, all) => all.indexOf(m) !== j))];
    const notes = [
      `Imported from ${table.file}: total_gpu_energy read as kWh per 1,000 queries (GPU only) and shown unchanged; J = kWh × 3,600,000.`,
      ...(repeated.length > 0
        ? [`Listed on more than one line of the file, each line shown as published: ${repeated.join(', ')}.`]
        : []),
    ];
    const meter = 'AI Energy Score (published)';
    return {
      id: `${table.task}-${firstIndex + i}`,
      task: table.task,
      origin: 'import' as const,
      source: table.source,
      hardware: table.hardware,
      dataset: null,
      device: null,
      meter,
      meterParts: [{ meter, kind: 'measured' as const }],
      energyKind: 'measured' as const,
      basis: 'published' as const,
      components: 'gpu',
      boundary:
        'published by AI Energy Score: energy of the GPU(s) in use only, summed over the inference phases, 1,000 queries at batch size 1 on NVIDIA H100' +
        (cls === 'C' ? ' (class C models run on several GPUs)' : cls === '' ? '' : ' (classes A and B run on one GPU)'),
      class: cls === '' ? null : cls,
      starsRule: applyStars(rows, o.starRule),
      notes,
      rows,
    };
  });
}

/** The board of these records (and imports): what every renderer renders. */
export async function buildBoard(records: readonly RunRecord[], options: BoardOptions = {}): Promise<Board> {
  const o: Resolved = {
    rankBy: options.rankBy ?? 'auto',
    starRule: options.starRule ?? 'quintile',
    carbon: options.carbon ?? DEFAULT_CARBON_INTENSITY,
  };
  const tasks: BoardTask[] = [];
  for (const [task, taskRecords] of groupBy(records, (r) => r.task)) {
    const info = await taskMetrics(task);
    const ok = taskRecords.filter((r): r is OkRecord => r.status === 'ok');
    const groups = [...groupBy(ok, groupKey).values()].map((rs, i) => recordGroup(task, i + 1, rs, info.quality, o));
    const datasets = [...new Set(ok.map(datasetLabel))];
    tasks.push({ task, dataset: datasets.join(', '), ...info, groups, notMeasured: notMeasured(taskRecords) });
  }
  for (const table of options.imports ?? []) {
    let task = tasks.find((t) => t.task === table.task);
    if (!task) {
      task = { task: table.task, dataset: '', metrics: [], quality: undefined, groups: [], notMeasured: [] };
      tasks.push(task);
    }
    task.groups.push(...importGroups(table, o, task.groups.length + 1));
  }
  tasks.sort((a, b) => a.task.localeCompare(b.task));
  return {
    generatedAt: options.generatedAt ?? new Date(),
    recordCount: records.length,
    starRule: o.starRule,
    carbon: o.carbon,
    tasks,
  };
}

/** Every row of the board with its task and group, in page order. */
export function allRows(board: Board): { task: BoardTask; group: BoardGroup; row: BoardRow }[] {
  return board.tasks.flatMap((task) => task.groups.flatMap((group) => group.rows.map((row) => ({ task, group, row }))));
}

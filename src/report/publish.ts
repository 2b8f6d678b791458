// The publishable leaderboard: joulebench's aggregated groups plus imported published
// leaderboards, each group rated with the star rule in force and every energy figure
// carried with its provenance (source, meter, components, measured vs estimated).
// JSON, HTML and the charts render from this one model.
import type { MetricSpec } from '../task.js';
import { JOULES_PER_KWH, type HardwareGroup, type Leaderboard, type LeaderboardRow, type Stat, type TaskSection } from './aggregate.js';
import { estimateHow } from './format.js';
import { gramsCO2e, type CarbonIntensity } from './carbon.js';
import type { ImportedTable } from './import-aies.js';
import { rate, type StarRule } from './stars.js';

export interface QualityFigure {
  metric: string;
  label: string;
  higherIsBetter: boolean;
  mean: number;
  sd: number;
}

export interface PublishedFigure {
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
  kind: 'pretrained' | 'fixture';
  parameters: number | null;
  dtype: string | null;
  joulesPer1k: Stat;
  kWhPer1k: number;
  gCO2ePer1k: number;
  quality: QualityFigure | null;
  metrics: Record<string, Stat>;
  latencyP50Ms: number | null;
  throughput: number | null;
  joulesPerOutputToken: number | null;
  batchSize: number | null;
  inferences: number | null;
  repetitions: number | null;
  /** 1-5, more = less energy; null = not rated (fixture, lone model, no spread). */
  stars: number | null;
  /** Run ids (records) or file:line (imports). */
  provenance: string[];
  /** Imports only: the row as published. */
  published: PublishedFigure | null;
  warnings: string[];
}

export interface BoardGroup {
  /** Anchor-safe id, unique on the page. */
  id: string;
  task: string;
  origin: 'records' | 'import';
  /** Who produced the figures, e.g. "joulebench" or "AI Energy Score (NVIDIA H100, GPU only)". */
  source: string;
  hardware: string;
  /** The data the group's rows ran on (records), or null for imports (their own task datasets). */
  dataset: string | null;
  device: string | null;
  meter: string;
  energyKind: 'measured' | 'estimated';
  /** gross or net (idle-subtracted) for our records; published for imports. */
  basis: 'gross' | 'net' | 'published';
  /** Components the energy covers, e.g. "cpu+dram", "gpu". */
  components: string;
  /** One sentence on what the energy figure is and how it was obtained. */
  boundary: string;
  class: string | null;
  /** The star rule applied to this group, with its boundaries (printed under the table). */
  starsRule: string;
  notes: string[];
  rows: BoardRow[];
}

export interface BoardTask {
  task: string;
  dataset: string;
  quality: MetricSpec | undefined;
  groups: BoardGroup[];
  notMeasured: TaskSection['notMeasured'];
}

export interface PublishedBoard {
  generatedAt: Date;
  recordCount: number;
  starRule: StarRule;
  carbon: CarbonIntensity;
  tasks: BoardTask[];
}

export interface PublishOptions {
  starRule: StarRule;
  carbon: CarbonIntensity;
  imports?: readonly ImportedTable[];
  generatedAt?: Date;
}

function recordBoundary(group: HardwareGroup, components: string): string {
  const basis =
    group.basis === 'net'
      ? 'net energy: the measurement window minus the idle power measured before the run'
      : 'gross energy of the measurement window, nothing subtracted';
  if (group.energyKind === 'estimated') return `${estimateHow(group.meter)}; ${basis} (${components})`;
  return `measured by the ${group.meter} meter (${components}); ${basis}`;
}

function qualityOf(row: LeaderboardRow, spec: MetricSpec | undefined): QualityFigure | null {
  const q = spec ? row.quality[spec.name] : undefined;
  if (!spec || !q || !Number.isFinite(q.mean)) return null;
  return { metric: spec.name, label: spec.label, higherIsBetter: spec.higherIsBetter, mean: q.mean, sd: q.sd };
}

function fromRecordRow(row: LeaderboardRow, spec: MetricSpec | undefined, carbon: CarbonIntensity): BoardRow {
  return {
    rank: row.rank,
    model: row.model,
    kind: row.kind,
    parameters: row.parameters,
    dtype: row.dtype,
    joulesPer1k: row.joulesPer1k,
    kWhPer1k: row.kWhPer1k,
    gCO2ePer1k: gramsCO2e(row.kWhPer1k, carbon),
    quality: qualityOf(row, spec),
    metrics: row.quality,
    latencyP50Ms: row.latencyP50Ms,
    throughput: row.throughput,
    joulesPerOutputToken: row.joulesPerOutputToken ?? null,
    batchSize: row.batchSize,
    inferences: row.inferences,
    repetitions: row.repetitions,
    stars: null,
    provenance: row.runIds,
    published: null,
    warnings: row.warnings,
  };
}

/** Rates the rows that may be rated (never fixtures) and returns the rule text. */
function applyStars(rows: BoardRow[], rule: StarRule): string {
  // A net figure at or below zero is within the idle baseline's noise: it has no energy to rate.
  const rated = rows.filter((r) => r.kind !== 'fixture' && r.joulesPer1k.mean > 0);
  const rating = rate(rated.map((r) => r.joulesPer1k.mean), rule);
  rated.forEach((r, i) => (r.stars = rating.stars[i] ?? null));
  const notes = [rating.rule];
  if (rows.some((r) => r.kind === 'fixture')) notes.push('Fixture rows (not citable) are never rated.');
  if (rows.some((r) => r.kind !== 'fixture' && !(r.joulesPer1k.mean > 0))) notes.push('Rows at or below zero net energy (within the idle noise) are not rated.');
  return notes.join(' ');
}

function recordGroups(section: TaskSection, options: PublishOptions): BoardGroup[] {
  const spec = section.metrics.find((m) => m.name === section.primaryMetric);
  return section.groups.map((group, i) => {
    const source = [...group.rows, ...group.fixtures];
    const rows = source.map((r) => fromRecordRow(r, spec, options.carbon));
    const components = [...new Set(source.map((r) => r.components))].join(', ');
    return {
      id: `${section.task}-${i + 1}`,
      task: section.task,
      origin: 'records' as const,
      source: 'joulebench',
      hardware: group.hardware,
      dataset: group.dataset,
      device: group.device,
      meter: group.meter,
      energyKind: group.energyKind,
      basis: group.basis,
      components,
      boundary: recordBoundary(group, components),
      class: null,
      starsRule: applyStars(rows, options.starRule),
      notes: [...new Set(rows.flatMap((r) => r.warnings))],
      rows,
    };
  });
}

function importGroups(table: ImportedTable, options: PublishOptions, firstIndex: number): BoardGroup[] {
  const classes = [...new Set(table.rows.map((r) => r.class))];
  return classes.map((cls, i) => {
    const published = table.rows.filter((r) => r.class === cls);
    const order = [...published].sort((a, b) => a.kWhPer1k - b.kWhPer1k);
    const rows: BoardRow[] = order.map((p) => {
      const joules = p.kWhPer1k * JOULES_PER_KWH;
      return {
        rank: order.findIndex((o) => o.kWhPer1k === p.kWhPer1k) + 1,
        model: p.model,
        kind: 'pretrained',
        parameters: null,
        dtype: null,
        joulesPer1k: { mean: joules, sd: Number.NaN }, // one published figure: no spread is known
        kWhPer1k: p.kWhPer1k,
        gCO2ePer1k: gramsCO2e(p.kWhPer1k, options.carbon),
        quality: null,
        metrics: {},
        latencyP50Ms: null,
        throughput: null,
        joulesPerOutputToken: null,
        batchSize: null,
        inferences: null,
        repetitions: null,
        stars: null,
        provenance: [`${table.file}:${p.line}`],
        published: { kWhPer1k: p.kWhPer1k, energyScore: p.energyScore, class: p.class, line: p.line },
        warnings: [],
      };
    });
    const repeated = [...new Set(published.map((p) => p.model).filter((m, j, all) => all.indexOf(m) !== j))];
    const notes = [
      `Imported from ${table.file}: total_gpu_energy read as kWh per 1,000 queries (GPU only) and shown unchanged; J = kWh × 3,600,000.`,
      ...(repeated.length > 0 ? [`Listed on more than one line of the file, each line shown as published: ${repeated.join(', ')}.`] : []),
    ];
    return {
      id: `${table.task}-${firstIndex + i}`,
      task: table.task,
      origin: 'import' as const,
      source: table.source,
      hardware: table.hardware,
      dataset: null,
      device: null,
      meter: 'AI Energy Score (published)',
      energyKind: 'measured' as const,
      basis: 'published' as const,
      components: 'gpu',
      boundary:
        'published by AI Energy Score: energy of the GPU(s) in use only, summed over the inference phases, 1,000 queries at batch size 1 on NVIDIA H100' +
        (cls === 'C' ? ' (class C models run on several GPUs)' : cls === '' ? '' : ' (classes A and B run on one GPU)'),
      class: cls === '' ? null : cls,
      starsRule: applyStars(rows, options.starRule),
      notes,
      rows,
    };
  });
}

export function publish(board: Leaderboard, options: PublishOptions): PublishedBoard {
  const tasks: BoardTask[] = board.tasks.map((section) => ({
    task: section.task,
    dataset: section.dataset,
    quality: section.metrics.find((m) => m.name === section.primaryMetric),
    groups: recordGroups(section, options),
    notMeasured: section.notMeasured,
  }));
  for (const table of options.imports ?? []) {
    let task = tasks.find((t) => t.task === table.task);
    if (!task) {
      task = { task: table.task, dataset: '', quality: undefined, groups: [], notMeasured: [] };
      tasks.push(task);
    }
    task.groups.push(...importGroups(table, options, task.groups.length + 1));
  }
  tasks.sort((a, b) => a.task.localeCompare(b.task));
  return {
    generatedAt: options.generatedAt ?? new Date(),
    recordCount: board.recordCount,
    starRule: options.starRule,
    carbon: options.carbon,
    tasks,
  };
}


/** Every row of the board with its task and group, in page order. */
export function allRows(board: PublishedBoard): { task: BoardTask; group: BoardGroup; row: BoardRow }[] {
  return board.tasks.flatMap((task) => task.groups.flatMap((group) => group.rows.map((row) => ({ task, group, row }))));
}

// Records -> one typed Board, the only shape every output renders. Records are grouped by task,
// then by what makes figures comparable (hardware, device, meter, dataset, settings, software):
// one row per model and configuration, mean with its 95 % CI over repetitions, ranked with ties, rated with the star rule in
// force, with carbon and every figure's provenance; imported published leaderboards join as
// groups of their own.
import { createHash } from 'node:crypto';
import { isTaskName, loadTask } from '../../tasks/index.js';
import { STEADY_RESOLUTIONS } from '../meters/base.js';
import type { EnergyKind } from '../schema/energy.js';
import type { ModelKind, OkRecord, RunRecord } from '../schema/result-record.js';
import type { MetricSpec } from '../task-api.js';
import { groupBy, mean } from '../util/stats.js';
import { slopeTest, spread, welch, type Spread } from '../util/student-t.js';
import { hardwareLabel } from '../util/system.js';
import { DEFAULT_CARBON_INTENSITY, gramsCO2e, type CarbonIntensity } from './carbon.js';
import { estimateHow, sig, type MeterPart } from './format.js';
import { rowGeneration, rowSplit, type RowGeneration, type RowSplit } from './generation-figures.js';
import type { ImportedTable } from './imports/aies.js';
import { rate, type StarRule } from './stars.js';
import { buildSweepReports, type SweepReport } from './sweep/sweep-report.js';

export const JOULES_PER_KWH = 3.6e6;

/** A figure over repetitions: mean, sd, n, coefficient of variation and its 95 % CI (none under 3 repetitions). */
export type Stat = Spread;

interface QualityFigure extends Stat {
  metric: string;
  label: string;
  higherIsBetter: boolean;
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
  /** 1 = least energy among the group's ranked rows; rows that tie share the rank of the first; null for fixtures. */
  rank: number | null;
  /** True when the row's energy is not significantly different from a neighbour's (shown as "=2"). */
  tied: boolean;
  model: string;
  /**
   * Set only when the group has another row of the same model id that loaded different weights:
   * "@<revision>" or "@files:<hash>", so the two are never shown (or picked) as one.
   */
  variant: string | null;
  kind: ModelKind;
  parameters: number | null;
  dtype: string | null;
  joulesPer1k: Stat;
  /** J/1k of each repetition, in repetition order (what the CI and the tests are computed from); [] for imports. */
  figures: number[];
  kWhPer1k: number;
  gCO2ePer1k: number;
  /** The task's primary metric. */
  quality: QualityFigure | null;
  /** Every metric the records have. */
  metrics: Record<string, Stat>;
  latencyP50Ms: number | null;
  throughput: number | null;
  joulesPerOutputToken: number | null;
  /** Generative tasks: J per response (one inference), beside J per token: long outputs rank differently. */
  joulesPerResponse: number | null;
  /** Generative tasks: TTFT and TPOT percentiles (mean over repetitions). */
  generation: RowGeneration | null;
  /** Generative tasks: prefill vs decode energy, derived from the prefill windows. */
  split: RowSplit | null;
  batchSize: number | null;
  /** onnxruntime threads; null = its default (or an import). */
  threads: number | null;
  inferences: number | null;
  /** Samples per pass (inferences / passes): the data each repetition ran over. */
  samples: number | null;
  repetitions: number | null;
  /** Components the row's energy covers, e.g. "cpu+dram". */
  components: string;
  /** 1-5, more = less energy; null = not rated (fixture, lone model, no spread). */
  stars: number | null;
  /** Run ids (records) or file:line (imports): what the row pooled. */
  provenance: string[];
  /** The row's repetitions trend (their slope differs from zero, α = 0.05): thermal drift or a neighbour. */
  drift: boolean;
  /** That trend: J/1k per repetition and its p-value; null when there is none to report. */
  trend: { slope: number; p: number } | null;
  /** A window lasted less than 200 × its meter's resolution: resolution alone may be more than 1 % of the figure. */
  shortWindow: boolean;
  /** Two sources for the same energy (NVML counter vs power, RAPL vs psys) differed by more than 10 % in a window. */
  crossCheckFlagged: boolean;
  /** With --target-ci: the repetitions stopped at --max-repetitions, before the CI reached the target. */
  ciTargetMissed: boolean;
  /** A window ran while the machine was busier than its hardware threads (load average): contention. */
  contention: boolean;
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
  /** What every row of the group shares besides the meter: batch size, threads, rows, calibration ("" for imports). */
  setup: string;
  /** What tells this group from others of its task with the same hardware, device and dataset; null when none shares them. */
  differsBy: string | null;
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
  /** Configuration sweeps among the records (their frontiers; the site's sweeps page). */
  sweeps: SweepReport[];
}

interface BoardOptions {
  rankBy?: RankBy;
  starRule?: StarRule;
  carbon?: CarbonIntensity;
  imports?: readonly ImportedTable[];
  generatedAt?: Date;
}

/** The weights a record ran: its revision and the hashes of the files it loaded. */
function weightsOf(r: OkRecord): string {
  const files = Object.entries(r.modelSource.files).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([r.modelInfo.revision, files]);
}

/** Records that may be averaged together: same model and weights, and everything of the group. */
function rowKey(r: OkRecord): string {
  // Samples per pass, not inferences: repetitions of one setting may run different numbers of passes.
  return JSON.stringify([groupKey(r), r.model, r.modelInfo.dtype, weightsOf(r), samplesOf(r)]);
}

function samplesOf(r: OkRecord): number {
  return r.inferences / (r.passes ?? 1);
}

/** The settings of a meter that change its figures (estimate: W/thread and its source), never its readings. */
const CALIBRATION = [
  'wattsPerThread',
  'wattsPerThreadSource',
  'dramWattsPerGiB',
  'dramWattsPerGB', // records before DRAM per GiB
  'field',
  'sampleMs',
] as const;

function calibration(details: Record<string, unknown>): unknown {
  const own = Object.fromEntries(CALIBRATION.filter((k) => k in details).map((k) => [k, details[k]]));
  const parts = details.parts as Record<string, Record<string, unknown>> | undefined;
  return parts
    ? { ...own, parts: Object.fromEntries(Object.entries(parts).map(([m, d]) => [m, calibration(d)])) }
    : own;
}

/**
 * Runs compared with each other: everything that changes a figure is the same — hardware, device,
 * meter and its calibration, the data (its config and content) and how its rows were selected,
 * batch size, threads, warm-up, generation settings, the runtime's versions. One model at batch 1 and at batch 16 is two configurations, never ranked
 * against each other, and runs made with different settings are never pooled.
 */
function groupKey(r: OkRecord): string {
  return JSON.stringify(Object.values(groupFields(r)));
}

/** What groupKey compares, each under the words a heading names it by. */
function groupFields(r: OkRecord): Record<string, unknown> {
  const selection = r.dataset.selection;
  return {
    hardware: hardwareLabel(r.hardware),
    device: r.settings.device,
    meter: r.energy.meter,
    'energy kind': r.energy.kind,
    calibration: calibration(r.energy.details),
    dataset: datasetLabel(r),
    'data sha256': r.dataset.sha256,
    rows:
      selection.method === 'random' ? `${selection.n} drawn with seed ${selection.seed}` : `the first ${selection.n}`,
    'task version': r.taskVersion,
    'batch size': r.settings.batchSize,
    'onnxruntime threads': r.settings.threads ?? 'default',
    'warm-up': r.settings.warmup,
    'call options': r.settings.callOptions,
    'min window': r.settings.minWindowSeconds ?? 'default', // the window rule
    'onnxruntime-node': r.software.onnxruntimeNode,
    'transformers.js': r.software.transformers,
  };
}

function datasetLabel(r: OkRecord): string {
  const config = r.dataset.config ? `, ${r.dataset.config}` : '';
  return `${r.dataset.id} (${r.dataset.split}${config})`;
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

/**
 * "batch size 1, onnxruntime threads default, warm-up 10, the first 872 usable rows (data sha256
 * 1a2b3c4d5e6f), estimate at 3.45 W/thread, onnxruntime-node 1.30.0, transformers.js 4.3.1".
 */
function setupOf(r: OkRecord): string {
  const { selection } = r.dataset;
  const which =
    selection.method === 'random'
      ? `${selection.n} rows drawn with seed ${selection.seed}`
      : `the first ${selection.n} usable rows`;
  const rows = `${which} (data sha256 ${r.dataset.sha256.slice(0, 12)})`;
  const parts = [
    `batch size ${r.settings.batchSize}`,
    `onnxruntime threads ${r.settings.threads ?? 'default'}`,
    `warm-up ${r.settings.warmup}`,
    rows,
  ];
  const details =
    (r.energy.details.parts as Record<string, Record<string, unknown>> | undefined)?.estimate ?? r.energy.details;
  if (typeof details.wattsPerThread === 'number') {
    const from = wattsSource(details.wattsPerThreadSource);
    parts.push(`estimate at ${details.wattsPerThread.toFixed(2)} W/thread${from ? ` (${from})` : ''}`);
  }
  parts.push(`onnxruntime-node ${r.software.onnxruntimeNode}`, `transformers.js ${r.software.transformers}`);
  return parts.join(', ');
}

/**
 * Groups of a task that share hardware, device and dataset read alike in their headings (a
 * sweep's configurations): each gets the fields of groupKey that tell it from the others.
 */
function nameApart(groups: BoardGroup[], firsts: readonly OkRecord[]): void {
  const heading = (g: BoardGroup) => `${g.hardware}|${g.device}|${g.dataset}`;
  const text = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
  for (const same of groupBy(
    groups.map((g, i) => ({ g, fields: groupFields(firsts[i]!) })),
    ({ g }) => heading(g),
  ).values()) {
    if (same.length < 2) continue;
    const differing = Object.keys(same[0]!.fields).filter((k) =>
      same.some((o) => text(o.fields[k]) !== text(same[0]!.fields[k])),
    );
    for (const { g, fields } of same) {
      const label = (k: string) =>
        k === 'data sha256' ? `${k} ${text(fields[k]).slice(0, 12)}` : `${k} ${text(fields[k])}`;
      g.differsBy = differing.map(label).join(', ') || null;
    }
  }
}

/**
 * Where the estimate's W/thread came from, in a few words: groups that differ only by it (the
 * table's median and the same figure given as --cpu-watts) must not read the same.
 */
function wattsSource(source: unknown): string | undefined {
  if (typeof source !== 'string') return undefined;
  if (source === '--cpu-watts') return '--cpu-watts';
  if (source.includes('median')) return "the TDP table's median";
  return `${source.split(':')[0]} TDP`;
}

/** J per 1,000 inferences of a record on the chosen basis. */
function joulesPer1k(r: OkRecord, basis: EnergyBasis): number {
  return basis === 'net' ? (r.energy.netJoules! / r.inferences) * 1000 : r.joulesPer1kInferences;
}

function qualityOf(metrics: Record<string, Stat>, spec: MetricSpec | undefined): QualityFigure | null {
  const q = spec ? metrics[spec.name] : undefined;
  if (!spec || !q || !Number.isFinite(q.mean)) return null;
  return { metric: spec.name, label: spec.label, higherIsBetter: spec.higherIsBetter, ...q };
}

/** Other processes took more than this share of the machine's CPU time during a window: contention. */
export const CONTENTION_SHARE = 0.1;

/**
 * A window that other processes competed with: they took more than CONTENTION_SHARE of the
 * machine's CPU time while it was open; records written before that was measured, by the
 * 1-minute load average at its ends above the machine's hardware threads.
 */
function busy(r: OkRecord): boolean {
  if (r.cpuShare) return r.cpuShare.others > CONTENTION_SHARE;
  return r.loadAverage !== undefined && Math.max(r.loadAverage.open, r.loadAverage.close) > r.hardware.cpu.logicalCores;
}

/** Why a row is flagged for contention, in the words of the figures it has. */
function contentionNote(r: BoardRow, records: readonly OkRecord[], threads: number): string {
  const shared = records.filter((rec) => rec.cpuShare && busy(rec));
  const worst = shared.sort((a, b) => b.cpuShare!.others - a.cpuShare!.others)[0];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return worst
    ? `${r.model}: other processes took up to ${pct(worst.cpuShare!.others)} of the machine's CPU time during a window (this run ${pct(worst.cpuShare!.own)}): they competed for the CPU, so the figure may be high`
    : `${r.model}: a window ran while the machine's load average was above its ${threads} hardware threads: another process competed for the CPU, so the figure may be high`;
}

/** A setting as the records state it ("—" when they do not). */
function settingOf(records: readonly OkRecord[], key: 'targetCi'): string {
  const value = records.find((r) => r.settings[key] !== undefined)?.settings[key];
  return value === undefined || value === null ? '—' : String(value);
}

/**
 * The repetitions (in repetition order) trend: their least-squares slope differs from zero
 * (t-test, two-sided, α = 0.05), so steady noise is flagged about 5% of the time at any n.
 * (Comparing the first and last third with the CI of the mean never fires at 3 repetitions and
 * fires on about half of steady rows at 5 or more.)
 */
function trendOf(xs: readonly number[]): { slope: number; p: number } | null {
  const test = slopeTest(
    xs.map((_, i) => i),
    xs,
  );
  return test && test.p < ALPHA ? { slope: test.slope, p: test.p } : null;
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
  const ordered = [...records].sort(
    (a, b) => (a.settings.repetition ?? 0) - (b.settings.repetition ?? 0) || a.startedAt.localeCompare(b.startedAt),
  );
  const energies = ordered.map((r) => joulesPer1k(r, basis));
  const j = spread(energies);
  const trend = trendOf(energies);
  const kWhPer1k = j.mean / JOULES_PER_KWH;
  const metrics = Object.fromEntries(
    Object.keys(first.quality).map((m) => [m, spread(records.map((r) => r.quality[m] ?? Number.NaN))]),
  );
  const row: BoardRow = {
    rank: null,
    tied: false,
    model: first.model,
    variant: null,
    kind: first.modelInfo.kind,
    parameters: first.modelInfo.parameters,
    dtype: first.modelInfo.dtype,
    joulesPer1k: j,
    figures: energies,
    kWhPer1k,
    gCO2ePer1k: gramsCO2e(kWhPer1k, carbon),
    quality: qualityOf(metrics, spec),
    metrics,
    latencyP50Ms: mean(records.map((r) => r.latencyMs.p50)),
    throughput: mean(records.map((r) => r.throughput)),
    joulesPerOutputToken: perToken.length > 0 ? mean(perToken) : null,
    joulesPerResponse: perToken.length > 0 ? j.mean / 1000 : null,
    generation: rowGeneration(ordered),
    split: rowSplit(ordered, energies, basis),
    batchSize: first.settings.batchSize,
    threads: first.settings.threads,
    inferences: first.inferences,
    samples: samplesOf(first),
    repetitions: records.length,
    components: Object.keys(first.energy.components).sort().join('+'),
    stars: null,
    provenance: [...new Set(records.map((r) => r.runId))],
    drift: trend !== null,
    trend,
    shortWindow: records.some(
      (r) => r.energy.resolutionS !== undefined && r.durationS < STEADY_RESOLUTIONS * r.energy.resolutionS,
    ),
    crossCheckFlagged: records.some((r) => r.energy.crossChecks?.some((c) => c.flagged) ?? false),
    ciTargetMissed: records.some((r) => r.stoppedBecause === 'max-repetitions'),
    contention: records.some((r) => busy(r)),
    published: null,
    warnings: [...new Set(records.flatMap((r) => r.energy.warnings))],
  };
  return row;
}

/** Significance of a difference between two rows' repetition figures (Welch, two-sided). */
export const ALPHA = 0.05;
/** Welch's test needs this many repetitions of each row (as a CI does). */
const MIN_REPETITIONS_FOR_TEST = 3;

/** Two rows tie when their difference is not significant (Welch, p ≥ α); null when it cannot be tested (under 3 repetitions). */
function tie(a: BoardRow, b: BoardRow): boolean | null {
  const test = welch(a.figures, b.figures);
  return test === null ? null : test.p >= ALPHA;
}

/**
 * Ranks rows sorted by mean energy into tie runs sharing the rank of their first row. Runs are
 * the rows connected by ties, closed over the order: a run lasts as far as any of its rows ties
 * with a row below, so every two rows that tie share a run, a rank and stars (ties are not
 * transitive: A ~ B ~ C puts all three in one run even when A and C differ). A row that cannot
 * be tested (under 3 repetitions) ties with the row above it, but links nothing: one such row
 * would otherwise tie, and so chain, every row of its group. Returns the tie runs.
 */
function rankWithTies(sorted: readonly BoardRow[]): BoardRow[][] {
  const runs: BoardRow[][] = [];
  let reach = -1;
  for (const [i, row] of sorted.entries()) {
    const untestable = row.figures.length < MIN_REPETITIONS_FOR_TEST;
    if (i > reach && !(untestable && runs.length > 0)) runs.push([]);
    runs.at(-1)!.push(row);
    reach = Math.max(reach, i);
    if (untestable) continue;
    for (let j = sorted.length - 1; j > reach; j--) {
      if (tie(row, sorted[j]!) === true) {
        reach = j;
        break;
      }
    }
  }
  let rank = 1;
  for (const run of runs) {
    for (const row of run) {
      row.rank = rank;
      row.tied = run.length > 1;
    }
    rank += run.length;
  }
  return runs;
}

/**
 * Rates the rows that may be rated (never fixtures) and returns the rule text. With the quintile
 * rule, rows that tie are rated together by the mean of their run, so no two statistically
 * indistinguishable models get different stars; the AI Energy Score rule stays as published.
 */
function applyStars(rows: BoardRow[], rule: StarRule, ties: readonly BoardRow[][] = []): string {
  // A net figure at or below zero is within the idle baseline's noise: it has no energy to rate.
  const rated = rows.filter((r) => r.kind !== 'fixture' && r.joulesPer1k.mean > 0);
  const runOf = new Map(ties.flatMap((run) => run.map((r) => [r, run.filter((m) => rated.includes(m))] as const)));
  const byRun = rule === 'quintile' && ties.some((run) => run.length > 1);
  const value = (r: BoardRow) =>
    byRun ? mean((runOf.get(r) ?? [r]).map((m) => m.joulesPer1k.mean)) : r.joulesPer1k.mean;
  const allTie = byRun && rated.length > 1 && ties.some((run) => rated.every((r) => run.includes(r)));
  const rating = allTie
    ? {
        stars: rated.map(() => null),
        rule: 'Stars: none — every two rows of this group tie (no significant difference, or under the 3 repetitions a test needs), so there is nothing to rate.',
      }
    : rate(rated.map(value), rule);
  for (const [i, r] of rated.entries()) r.stars = rating.stars[i] ?? null;
  const notes = [rating.rule];
  if (byRun && !allTie) {
    notes.push(
      `Rows marked = tie (no significant difference: Welch's t-test, two-sided, α = ${ALPHA}, or fewer than 3 repetitions) and are rated together, by the mean of their run.`,
    );
  }
  if (rows.some((r) => r.kind === 'fixture')) notes.push('Fixture rows (not citable) are never rated.');
  if (rows.some((r) => r.kind !== 'fixture' && !(r.joulesPer1k.mean > 0)))
    notes.push('Rows at or below zero net energy (within the idle noise) are not rated.');
  return notes.join(' ');
}

/**
 * Rows of one model id that ran different weights (another revision, other files) are told
 * apart by a variant, so a table never shows two rows under one name.
 */
function markVariants(rows: BoardRow[], rowRecords: readonly OkRecord[][]): void {
  // A dtype is shown beside the model already; only the same model and dtype need a variant.
  for (const indices of groupBy([...rows.keys()], (i) => `${rows[i]!.model} ${rows[i]!.dtype}`).values()) {
    const model = rows[indices[0]!]!.model;
    const firsts = indices.map((i) => rowRecords[i]![0]!);
    if (new Set(firsts.map(weightsOf)).size < 2) continue;
    const byRevision = new Set(firsts.map((r) => r.modelInfo.revision)).size === indices.length;
    for (const [k, i] of indices.entries()) {
      const r = firsts[k]!;
      const files = createHash('sha256').update(weightsOf(r)).digest('hex').slice(0, 8);
      rows[i]!.variant = byRevision ? `@${r.modelInfo.revision.slice(0, 12)}` : `@files:${files}`;
      rows[i]!.warnings.push(
        `${model}: measured with different weights in this group; rows are told apart by revision or files`,
      );
    }
  }
}

/** How a row is named on a page: its model id, and its variant when the group needs one. */
export function rowLabel(row: Pick<BoardRow, 'model' | 'variant'>): string {
  return row.variant ? `${row.model}${row.variant}` : row.model;
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
  const rowRecords = [...groupBy(records, rowKey).values()];
  const all = rowRecords.map((rs) => recordRow(rs, basis, spec, o.carbon));
  const recordsOf = new Map(all.map((row, i) => [row, rowRecords[i]!]));
  markVariants(all, rowRecords);
  if (o.rankBy === 'net' && !baselined) {
    for (const row of all)
      row.warnings.push(
        '--rank-by net: these runs have no idle baseline (--idle-seconds 0, or the estimate meter), so gross energy is shown',
      );
  }
  const byEnergy = (a: BoardRow, b: BoardRow) => a.joulesPer1k.mean - b.joulesPer1k.mean;
  const ties = rankWithTies(all.filter((r) => r.kind === 'pretrained').sort(byEnergy));
  const rows = [...ties.flat(), ...all.filter((r) => r.kind === 'fixture').sort(byEnergy)];
  for (const r of rows.filter((r) => r.ciTargetMissed)) {
    r.warnings.push(
      `${r.model}: stopped at --max-repetitions (${r.repetitions}) before its 95% CI reached --target-ci ${settingOf(records, 'targetCi')}`,
    );
  }
  for (const r of rows.filter((r) => r.contention))
    r.warnings.push(contentionNote(r, recordsOf.get(r)!, first.hardware.cpu.logicalCores));
  for (const r of rows) {
    if (!r.trend) continue;
    const slope = `${r.trend.slope > 0 ? '+' : ''}${sig(r.trend.slope)} J/1k per repetition`;
    r.warnings.push(
      `${r.model}: its repetitions trend: ${slope} (${r.trend.p < 0.001 ? 'p < 0.001' : `p = ${r.trend.p.toFixed(3)}`}, least-squares slope, α = ${ALPHA}): thermal drift or a busy neighbour?`,
    );
  }
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
    setup: setupOf(first),
    differsBy: null,
    class: null,
    starsRule: applyStars(rows, o.starRule, ties),
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
            ? {
                model: r.model,
                status: 'skipped' as const,
                reason: r.reason === 'offline' ? 'not available offline' : `cannot run here: ${r.message}`,
              }
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
      tied: order.filter((q) => q.kWhPer1k === p.kWhPer1k).length > 1,
      model: p.model,
      variant: null,
      kind: 'pretrained',
      parameters: null,
      dtype: null,
      joulesPer1k: { ...spread([p.kWhPer1k * JOULES_PER_KWH]), sd: Number.NaN, cv: Number.NaN }, // one published figure: no spread is known
      figures: [],
      kWhPer1k: p.kWhPer1k,
      gCO2ePer1k: gramsCO2e(p.kWhPer1k, o.carbon),
      quality: null,
      metrics: {},
      latencyP50Ms: null,
      throughput: null,
      joulesPerOutputToken: null,
      joulesPerResponse: null,
      generation: null,
      split: null,
      batchSize: null,
      threads: null,
      inferences: null,
      samples: null,
      repetitions: null,
      components: 'gpu',
      stars: null,
      provenance: [`${table.file}:${p.line}`],
      drift: false,
      trend: null,
      shortWindow: false,
      crossCheckFlagged: false,
      ciTargetMissed: false,
      contention: false,
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
      setup: '',
      differsBy: null,
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
    const byGroup = [...groupBy(ok, groupKey).values()];
    const groups = byGroup.map((rs, i) => recordGroup(task, i + 1, rs, info.quality, o));
    nameApart(
      groups,
      byGroup.map((rs) => rs[0]!),
    );
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
    sweeps: await buildSweepReports(records),
  };
}

/** Every row of the board with its task and group, in page order. */
export function allRows(board: Board): { task: BoardTask; group: BoardGroup; row: BoardRow }[] {
  return board.tasks.flatMap((task) => task.groups.flatMap((group) => group.rows.map((row) => ({ task, group, row }))));
}

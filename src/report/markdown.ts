// Leaderboard as Markdown: one section per task, one table per hardware + meter group.
// Estimated figures carry the word "estimated" in the group heading and in every row.
import type { RunRecord } from '../records.js';
import { estimateHow, params, partlyMeasured, qualityNumber, sig, varies } from './format.js';
import { aggregate, type HardwareGroup, type Leaderboard, type LeaderboardRow, type TaskSection } from './aggregate.js';
import type { BoardGroup, PublishedBoard } from './publish.js';
import { describeRule, starString } from './stars.js';

export function meterLabel(group: Pick<HardwareGroup, 'meter' | 'energyKind' | 'basis'>, components: string): string {
  return `${group.meter}, ${group.energyKind} (${components}, ${group.basis})`;
}

function qualityCell(row: LeaderboardRow, metric: string | undefined): string {
  if (!metric) return '—';
  const q = row.quality[metric];
  if (!q) return '—';
  return row.repetitions > 1 && varies(q.mean, q.sd) ? `${qualityNumber(q.mean)} ± ${qualityNumber(q.sd)}` : qualityNumber(q.mean);
}

function energyCell(row: LeaderboardRow): string {
  const { mean, sd } = row.joulesPer1k;
  return row.repetitions > 1 ? `${sig(mean)} ± ${sig(sd, 2)}` : sig(mean);
}

function starsCell(stars: number | null | undefined, fixture: boolean, estimated: boolean): string {
  if (fixture) return 'not rated';
  if (stars === null || stars === undefined) return '—';
  return estimated ? `${starString(stars)} (estimated)` : starString(stars);
}

function table(
  section: TaskSection,
  group: HardwareGroup,
  rows: LeaderboardRow[],
  fixture: boolean,
  starsOf?: (row: LeaderboardRow) => number | null | undefined,
): string[] {
  const metric = section.metrics.find((m) => m.name === section.primaryMetric);
  const qualityTitle = metric ? `${metric.label} ${metric.higherIsBetter ? '↑' : '↓'}` : 'Quality';
  const tokenCol = rows.some((r) => r.joulesPerOutputToken !== undefined);
  const head = [
    '#',
    'Model',
    'Params',
    'J / 1k inferences ↓',
    'kWh / 1k',
    qualityTitle,
    ...(tokenCol ? ['J / token'] : []),
    'Latency p50 (ms)',
    'Throughput (inf/s)',
    'Meter',
    'Samples × reps',
    ...(starsOf ? ['Stars'] : []),
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h) => (h === 'Model' || h === 'Meter' ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const cells = [
      fixture ? '—' : String(r.rank),
      fixture ? `${r.model} **(fixture: not citable)**` : r.model,
      params(r.parameters),
      energyCell(r),
      sig(r.kWhPer1k),
      fixture ? `${qualityCell(r, metric?.name)} (meaningless)` : qualityCell(r, metric?.name),
      ...(tokenCol ? [r.joulesPerOutputToken !== undefined ? sig(r.joulesPerOutputToken) : '—'] : []),
      sig(r.latencyP50Ms),
      sig(r.throughput),
      meterLabel(group, r.components),
      `${r.inferences} × ${r.repetitions}`,
      ...(starsOf ? [starsCell(starsOf(r), fixture, group.energyKind === 'estimated')] : []),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function settingsNote(rows: LeaderboardRow[]): string {
  const batch = [...new Set(rows.map((r) => r.batchSize))].join('/');
  const threads = [...new Set(rows.map((r) => r.threads ?? 'default'))].join('/');
  return `batch size ${batch}, onnxruntime threads ${threads}`;
}

function renderGroup(section: TaskSection, group: HardwareGroup, rated?: BoardGroup): string[] {
  const all = [...group.rows, ...group.fixtures];
  // publish() keeps aggregate's row order (ranked rows, then fixtures), so rows pair by index.
  const starsOf = rated ? (row: LeaderboardRow) => rated.rows[all.indexOf(row)]?.stars : undefined;
  const out = [
    `### ${group.hardware} · device ${group.device} · ${group.dataset}`,
    '',
    group.energyKind === 'estimated'
      ? `Meter: **${group.meter} — ${partlyMeasured(group.meter) ? 'PARTLY ESTIMATED' : 'ESTIMATED, not measured'}** (${estimateHow(group.meter)}). ${settingsNote(all)}.`
      : `Meter: **${group.meter} — measured**. ${settingsNote(all)}.`,
    '',
  ];
  if (group.rows.length > 0) out.push(...table(section, group, group.rows, false, starsOf), '');
  if (group.fixtures.length > 0) {
    out.push('Plumbing fixtures (random or toy weights; their quality means nothing; never cite these rows):', '');
    out.push(...table(section, group, group.fixtures, true, starsOf), '');
  }
  if (rated) out.push(rated.starsRule, '');
  const warnings = [...new Set(all.flatMap((r) => r.warnings))];
  for (const w of warnings) out.push(`> Note: ${w}`, '');
  return out;
}

/** A published leaderboard's group (imported): its figures as published, our stars. */
function renderImportedGroup(group: BoardGroup): string[] {
  const out = [
    `### ${group.source}${group.class ? ` · class ${group.class}` : ''} (published, imported)`,
    '',
    `Energy: ${group.boundary}. Hardware: ${group.hardware}.`,
    '',
    '| # | Model | kWh / 1k (as published) | J / 1k inferences ↓ | Stars |',
    '|---:|---|---:|---:|---|',
  ];
  for (const r of group.rows) {
    out.push(`| ${r.rank ?? '—'} | ${r.model} | ${r.published?.kWhPer1k ?? sig(r.kWhPer1k)} | ${sig(r.joulesPer1k.mean)} | ${starsCell(r.stars, false, false)} |`);
  }
  out.push('', group.starsRule, '');
  for (const note of group.notes) out.push(`> Note: ${note}`, '');
  return out;
}

export function renderMarkdown(board: Leaderboard, generatedAt = new Date(), published?: PublishedBoard): string {
  const out = [
    '# joulebench leaderboard',
    '',
    `Generated ${generatedAt.toISOString().slice(0, 10)} from ${board.recordCount} record(s). Energy per 1,000 inferences ` +
      '(lower is better), mean ± standard deviation over repetitions; each group says whether its figures are gross ' +
      '(the whole measurement window) or net (minus the idle baseline measured before the run). ' +
      'Models are ranked only against runs on the same hardware with the same meter.',
    '',
  ];
  if (published) out.push(`Stars (1–5, more = less energy, within one group only): ${describeRule(published.starRule)}.`, '');
  out.push(...taskSections(board, published));
  return `${out.join('\n').trimEnd()}\n`;
}

/** One "## task" section per task: its groups' tables, imported groups, models not measured. */
function taskSections(board: Leaderboard, published?: PublishedBoard): string[] {
  const out: string[] = [];
  const sections: TaskSection[] = [...board.tasks];
  for (const t of published?.tasks ?? []) {
    if (!sections.some((s) => s.task === t.task)) sections.push({ task: t.task, dataset: '', metrics: [], primaryMetric: undefined, groups: [], notMeasured: [] });
  }
  sections.sort((a, b) => a.task.localeCompare(b.task));
  for (const section of sections) {
    const rated = published?.tasks.find((t) => t.task === section.task)?.groups ?? [];
    const imported = rated.filter((g) => g.origin === 'import');
    out.push(`## ${section.task}`, '');
    if (section.dataset) out.push(`Dataset: ${section.dataset}.`, '');
    section.groups.forEach((group, i) => out.push(...renderGroup(section, group, published ? rated.filter((g) => g.origin === 'records')[i] : undefined)));
    if (section.groups.length === 0) {
      out.push(imported.length > 0 ? 'No joulebench measurements for this task; published figures only.' : 'No finished measurements for this task.', '');
    }
    for (const group of imported) out.push(...renderImportedGroup(group));
    if (section.notMeasured.length > 0) {
      out.push('Registered but not measured in these records:', '');
      for (const m of section.notMeasured) out.push(`- ${m.model}: ${m.status} (${m.reason})`);
      out.push('');
    }
  }
  return out;
}

/** The table a bench run prints at its end: the leaderboard of just this run's records. */
export async function renderTerminalSummary(records: readonly RunRecord[]): Promise<string> {
  if (!records.some((r) => r.status === 'ok')) return '\nNo model produced a measurement.\n';
  const board = await aggregate(records);
  return `\n${taskSections(board).join('\n').trimEnd()}\n`;
}

// Leaderboard as Markdown: one section per task, one table per group (hardware + meter +
// dataset + settings), stars and the rule under each table. Estimated figures carry the word
// "estimated" in the group heading and in every row. Also the summary at the end of `bench`.
import { rowLabel, type Board, type BoardGroup, type BoardRow, type BoardTask } from '../board.js';
import {
  estimateHow,
  markLegend,
  marksOf,
  params,
  partlyMeasured,
  qualityNumber,
  rankText,
  sig,
  varies,
  withCi,
} from '../format.js';
import { describeRule, starString } from '../stars.js';
import {
  GENERATIVE_TITLES,
  generativeLegend,
  hasGenerativeColumns,
  perResponseText,
  perTokenText,
  splitText,
  tpotText,
  ttftText,
} from './generation-cells.js';
import type { Renderer } from './renderer.js';

function meterLabel(group: BoardGroup, components: string): string {
  return `${group.meter}, ${group.energyKind} (${components}, ${group.basis})`;
}

function qualityCell(row: BoardRow): string {
  const q = row.quality;
  if (!q) return '—';
  return q.n > 1 && varies(q.mean, q.sd) ? withCi(q, qualityNumber) : qualityNumber(q.mean);
}

function energyCell(row: BoardRow): string {
  return `${withCi(row.joulesPer1k)}${marksOf(row)}`;
}

function starsCell(row: BoardRow, estimated: boolean): string {
  if (row.kind === 'fixture') return 'not rated';
  if (row.stars === null) return '—';
  return estimated ? `${starString(row.stars)} (estimated)` : starString(row.stars);
}

function table(task: BoardTask, group: BoardGroup, rows: readonly BoardRow[], fixture: boolean): string[] {
  const metric = task.quality;
  const qualityTitle = metric ? `${metric.label} ${metric.higherIsBetter ? '↑' : '↓'}` : 'Quality';
  const generative = hasGenerativeColumns(rows);
  const head = [
    '#',
    'Model',
    'Params',
    'J / 1k inferences ↓ [95% CI]',
    'kWh / 1k',
    qualityTitle,
    ...(generative ? Object.values(GENERATIVE_TITLES) : []),
    'Latency p50 (ms)',
    'Throughput (inf/s)',
    'Meter',
    'Samples × reps',
    'Stars',
  ];
  const lines = [
    `| ${head.join(' | ')} |`,
    `|${head.map((h) => (h === 'Model' || h === 'Meter' ? '---' : '---:')).join('|')}|`,
  ];
  for (const r of rows) {
    const cells = [
      rankText(r),
      fixture ? `${rowLabel(r)} **(fixture: not citable)**` : rowLabel(r),
      r.parameters === null ? '—' : params(r.parameters),
      energyCell(r),
      sig(r.kWhPer1k),
      fixture ? `${qualityCell(r)} (meaningless)` : qualityCell(r),
      ...(generative ? [perResponseText(r), perTokenText(r), ttftText(r), tpotText(r), splitText(r)] : []),
      r.latencyP50Ms === null ? '—' : sig(r.latencyP50Ms),
      r.throughput === null ? '—' : sig(r.throughput),
      meterLabel(group, r.components),
      `${r.samples} × ${r.repetitions}`,
      starsCell(r, group.energyKind === 'estimated'),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function recordGroup(task: BoardTask, group: BoardGroup): string[] {
  const ranked = group.rows.filter((r) => r.kind !== 'fixture');
  const fixtures = group.rows.filter((r) => r.kind === 'fixture');
  const estimated = partlyMeasured(group.meterParts) ? 'PARTLY ESTIMATED' : 'ESTIMATED, not measured';
  const out = [
    `### ${group.hardware} · device ${group.device} · ${group.dataset}${group.differsBy ? ` · ${group.differsBy}` : ''}`,
    '',
    group.energyKind === 'estimated'
      ? `Meter: **${group.meter} — ${estimated}** (${estimateHow(group.meter, group.meterParts)}). ${group.setup}.`
      : `Meter: **${group.meter} — measured**. ${group.setup}.`,
    '',
  ];
  if (ranked.length > 0) out.push(...table(task, group, ranked, false), '');
  if (fixtures.length > 0) {
    out.push('Plumbing fixtures (random or toy weights; their quality means nothing; never cite these rows):', '');
    out.push(...table(task, group, fixtures, true), '');
  }
  for (const legend of markLegend(group.rows)) out.push(legend, '');
  for (const legend of generativeLegend(group.rows)) out.push(legend, '');
  out.push(group.starsRule, '');
  for (const w of group.notes) out.push(`> Note: ${w}`, '');
  return out;
}

/** A published leaderboard's group (imported): its figures as published, our stars. */
function importedGroup(group: BoardGroup): string[] {
  const out = [
    `### ${group.source}${group.class ? ` · class ${group.class}` : ''} (published, imported)`,
    '',
    `Energy: ${group.boundary}. Hardware: ${group.hardware}.`,
    '',
    '| # | Model | kWh / 1k (as published) | J / 1k inferences ↓ | Stars |',
    '|---:|---|---:|---:|---|',
  ];
  for (const r of group.rows) {
    out.push(
      `| ${r.rank ?? '—'} | ${rowLabel(r)} | ${r.published?.kWhPer1k ?? sig(r.kWhPer1k)} | ${sig(r.joulesPer1k.mean)} | ${starsCell(r, false)} |`,
    );
  }
  out.push('', group.starsRule, '');
  for (const note of group.notes) out.push(`> Note: ${note}`, '');
  return out;
}

/** One "## task" section per task: its groups' tables, imported groups, models not measured. */
export function markdownSections(board: Board): string {
  const out: string[] = [];
  for (const task of board.tasks) {
    const ours = task.groups.filter((g) => g.origin === 'records');
    const imported = task.groups.filter((g) => g.origin === 'import');
    out.push(`## ${task.task}`, '');
    if (task.dataset) out.push(`Dataset: ${task.dataset}.`, '');
    for (const group of ours) out.push(...recordGroup(task, group));
    if (ours.length === 0) {
      out.push(
        imported.length > 0
          ? 'No joulebench measurements for this task; published figures only.'
          : 'No finished measurements for this task.',
        '',
      );
    }
    for (const group of imported) out.push(...importedGroup(group));
    if (task.notMeasured.length > 0) {
      out.push('Registered but not measured in these records:', '');
      for (const m of task.notMeasured) out.push(`- ${m.model}: ${m.status} (${m.reason})`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderMarkdown(board: Board): string {
  const head = [
    '# joulebench leaderboard',
    '',
    `Generated ${board.generatedAt.toISOString().slice(0, 10)} from ${board.recordCount} record(s). Energy per 1,000 inferences ` +
      '(lower is better): the mean over repetitions with its 95% confidence interval [low, high] (Student t; under 3 repetitions ' +
      "there is none); a rank marked = ties with its neighbour (no significant difference, Welch's t-test, α = 0.05). " +
      'Each group says whether its figures are gross ' +
      '(the whole measurement window) or net (minus the idle baseline measured before the run). ' +
      'Models are ranked only against runs on the same hardware with the same meter.',
    '',
    `Stars (1–5, more = less energy, within one group only): ${describeRule(board.starRule)}.`,
    '',
  ];
  return `${head.join('\n')}\n${markdownSections(board)}`;
}

export const markdownRenderer: Renderer = {
  name: 'md',
  file: 'leaderboard.md',
  render: (board) => ({ 'leaderboard.md': renderMarkdown(board) }),
};

// Leaderboard as Markdown: one section per task, one table per hardware + meter group.
// Estimated figures carry the word "estimated" in the group heading and in every row.
import type { RunRecord } from '../records.js';
import { aggregate, type HardwareGroup, type Leaderboard, type LeaderboardRow, type TaskSection } from './aggregate.js';

/** 3 significant digits, thousands separators, no exponent for ordinary magnitudes. */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e7) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 20 });
}

export function params(n: number): string {
  if (n >= 1e9) return `${sig(n / 1e9)}B`;
  if (n >= 1e6) return `${sig(n / 1e6)}M`;
  if (n >= 1e3) return `${sig(n / 1e3)}K`;
  return String(n);
}

export function meterLabel(group: Pick<HardwareGroup, 'meter' | 'energyKind'>, components: string): string {
  return `${group.meter}, ${group.energyKind} (${components}, gross)`;
}

function qualityCell(row: LeaderboardRow, metric: string | undefined): string {
  if (!metric) return '—';
  const q = row.quality[metric];
  if (!q) return '—';
  return row.repetitions > 1 && q.sd > 0 ? `${q.mean.toFixed(3)} ± ${q.sd.toFixed(3)}` : q.mean.toFixed(3);
}

function energyCell(row: LeaderboardRow): string {
  const { mean, sd } = row.joulesPer1k;
  return row.repetitions > 1 ? `${sig(mean)} ± ${sig(sd, 2)}` : sig(mean);
}

function table(section: TaskSection, group: HardwareGroup, rows: LeaderboardRow[], fixture: boolean): string[] {
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

function renderGroup(section: TaskSection, group: HardwareGroup): string[] {
  const all = [...group.rows, ...group.fixtures];
  const out = [
    `### ${group.hardware} · device ${group.device}`,
    '',
    group.energyKind === 'estimated'
      ? `Meter: **${group.meter} — ESTIMATED, not measured** (process CPU time × TDP per thread, plus a DRAM term; see README "Meters"). ${settingsNote(all)}.`
      : `Meter: **${group.meter} — measured**. ${settingsNote(all)}.`,
    '',
  ];
  if (group.rows.length > 0) out.push(...table(section, group, group.rows, false), '');
  if (group.fixtures.length > 0) {
    out.push('Plumbing fixtures (random or toy weights; their quality means nothing; never cite these rows):', '');
    out.push(...table(section, group, group.fixtures, true), '');
  }
  const warnings = [...new Set(all.flatMap((r) => r.warnings))];
  for (const w of warnings) out.push(`> Note: ${w}`, '');
  return out;
}

export function renderMarkdown(board: Leaderboard, generatedAt = new Date()): string {
  const out = [
    '# joulebench leaderboard',
    '',
    `Generated ${generatedAt.toISOString().slice(0, 10)} from ${board.recordCount} record(s). Energy per 1,000 inferences ` +
      '(lower is better), mean ± standard deviation over repetitions; gross energy of the measurement window. ' +
      'Models are ranked only against runs on the same hardware with the same meter.',
    '',
  ];
  for (const section of board.tasks) {
    out.push(`## ${section.task}`, '');
    if (section.dataset) out.push(`Dataset: ${section.dataset}.`, '');
    for (const group of section.groups) out.push(...renderGroup(section, group));
    if (section.groups.length === 0) out.push('No finished measurements for this task.', '');
    if (section.notMeasured.length > 0) {
      out.push('Registered but not measured in these records:', '');
      for (const m of section.notMeasured) out.push(`- ${m.model}: skipped (${m.reason})`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The table a bench run prints at its end: the leaderboard of just this run's records. */
export async function renderTerminalSummary(records: readonly RunRecord[]): Promise<string> {
  if (!records.some((r) => r.status === 'ok')) return '\nNo model produced a measurement.\n';
  const board = await aggregate(records);
  const body = renderMarkdown(board).split('\n').slice(4).join('\n'); // drop the title and preamble
  return `\n${body}`;
}

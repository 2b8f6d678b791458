// Paper-style comparison: our per-task energy next to a paper's published per-task figures,
// the ratio, whether the order of tasks by energy agrees (Spearman), and what differs in the
// set-up. Published figures are shown as published; only their unit is converted.
import type { EnergyKind } from '../../schema/energy.js';
import type { OkRecord, RunRecord } from '../../schema/result-record.js';
import { groupBy } from '../../util/stats.js';
import { JOULES_PER_KWH, type Board, type BoardGroup, type BoardRow, type BoardTask } from '../board.js';
import { sig } from '../format.js';
import type { PaperInfo } from './papers.js';
import type { ReferenceRow } from './references.js';
import { spearman } from './spearman.js';

interface TaskComparison {
  task: string;
  paperTask: string;
  group: Pick<BoardGroup, 'hardware' | 'device' | 'meter' | 'energyKind'>;
  components: string;
  models: number;
  ours: { mean: number; min: number; max: number };
  paper: { meanKWh: number; stdKWh: number | null; minKWh: number | null; maxKWh: number | null };
  /** ours.mean / paper mean in joules. */
  ratio: number;
}

interface OrderComparison {
  group: string;
  energyKind: EnergyKind;
  tasks: { task: string; paperTask: string; ours: number; paperKWh: number }[];
  /** Spearman's rho over the shared tasks; NaN when fewer than 2 or all tied. */
  rho: number;
  sameOrder: boolean;
}

interface ModelComparison {
  model: string;
  paperModel: string;
  task: string;
  group: string;
  energyKind: EnergyKind;
  ours: number;
  paperKWh: number;
  paperGpuKWh: number | null;
}

interface Comparison {
  paper: PaperInfo;
  tasks: TaskComparison[];
  orders: OrderComparison[];
  models: ModelComparison[];
  /** Our tasks the paper has no figure for. */
  unmatchedTasks: string[];
  /** Fixture rows left out (not citable). */
  fixtures: { task: string; model: string }[];
  /** Tasks whose only rows are fixtures. */
  fixtureOnlyTasks: string[];
  /** Those of them the paper has a figure for: listed with it, no measurement of ours beside it. */
  uncited: { task: string; paperTask: string; paperKWh: number; paperStdKWh: number | null }[];
}

function groupName(g: Pick<BoardGroup, 'hardware' | 'device' | 'meter' | 'energyKind'>): string {
  return `${g.hardware} · ${g.device} · ${g.meter} (${g.energyKind})`;
}

function ref(refs: readonly ReferenceRow[], where: (r: ReferenceRow) => boolean): ReferenceRow | undefined {
  return refs.find(where);
}

/** The paper's Table 2 figure for a task and metric (mean_energy / std_energy). */
function table2(refs: readonly ReferenceRow[], task: string, metric: string): number | undefined {
  return ref(refs, (r) => r.tableOrFile === 'Table 2' && r.task === task && r.metric === metric)?.value;
}

function derivedTask(refs: readonly ReferenceRow[], task: string, metric: string): number | null {
  return (
    ref(
      refs,
      (r) => r.task === task && r.model.startsWith('ALL') && r.metric === metric && r.notes.startsWith('derived'),
    )?.value ?? null
  );
}

/** "Xenova/distilgpt2" and "distilgpt2" name the same weights; ":q8" variants are still the same model. */
function repoName(id: string): string {
  return (id.split(':')[0]!.split('/').at(-1) ?? id).toLowerCase();
}

const isFixture = (r: BoardRow) => r.kind === 'fixture';

export function compare(board: Board, refs: readonly ReferenceRow[], paper: PaperInfo): Comparison {
  const tasks: TaskComparison[] = [];
  const models: ModelComparison[] = [];
  const unmatchedTasks: string[] = [];
  const fixtures: { task: string; model: string }[] = [];
  const fixtureOnlyTasks: string[] = [];
  const uncited: Comparison['uncited'] = [];
  for (const section of board.tasks) {
    const groups = section.groups.filter((g) => g.origin === 'records');
    fixtures.push(
      ...groups.flatMap((g) => g.rows.filter(isFixture).map((f) => ({ task: section.task, model: f.model }))),
    );
    const paperTask = paper.taskMap[section.task];
    const meanKWh = paperTask === undefined ? undefined : table2(refs, paperTask, 'mean_energy');
    if (paperTask === undefined || meanKWh === undefined) {
      unmatchedTasks.push(section.task);
      continue;
    }
    if (groups.every((g) => g.rows.every(isFixture))) {
      fixtureOnlyTasks.push(section.task);
      uncited.push({
        task: section.task,
        paperTask,
        paperKWh: meanKWh,
        paperStdKWh: table2(refs, paperTask, 'std_energy') ?? null,
      });
      continue;
    }
    // The paper pools each task over its datasets (and runs): pool our groups the same way,
    // over every dataset and setting measured on one hardware with one meter.
    for (const sameMachine of groupBy(groups, groupName).values()) {
      const group = sameMachine[0]!;
      const rows = sameMachine.flatMap((g) => g.rows.filter((r) => !isFixture(r)));
      if (rows.length === 0) continue;
      const js = rows.map((r) => r.joulesPer1k.mean);
      const mean = js.reduce((a, b) => a + b, 0) / js.length;
      tasks.push({
        task: section.task,
        paperTask,
        group,
        components: [...new Set(rows.map((r) => r.components))].join(', '),
        models: new Set(rows.map((r) => r.model)).size,
        ours: { mean, min: Math.min(...js), max: Math.max(...js) },
        paper: {
          meanKWh,
          stdKWh: table2(refs, paperTask, 'std_energy') ?? null,
          minKWh: derivedTask(refs, paperTask, 'min_energy_cpu_gpu_ram'),
          maxKWh: derivedTask(refs, paperTask, 'max_energy_cpu_gpu_ram'),
        },
        ratio: mean / (meanKWh * JOULES_PER_KWH),
      });
      for (const [model, modelRows] of groupBy(rows, (r) => r.model)) {
        const pooled = refs.filter(
          (r) => r.task === paperTask && r.dataset === '3 datasets pooled' && repoName(r.model) === repoName(model),
        );
        const total = pooled.find((r) => r.metric === 'mean_energy_cpu_gpu_ram');
        if (!total) continue;
        models.push({
          model,
          paperModel: total.model,
          task: section.task,
          group: groupName(group),
          energyKind: group.energyKind,
          ours: modelRows.reduce((a, r) => a + r.joulesPer1k.mean, 0) / modelRows.length,
          paperKWh: total.value,
          paperGpuKWh: pooled.find((r) => r.metric === 'mean_gpu_energy')?.value ?? null,
        });
      }
    }
  }
  const orders: OrderComparison[] = [];
  for (const name of new Set(tasks.map((t) => groupName(t.group)))) {
    const inGroup = tasks.filter((t) => groupName(t.group) === name);
    const ours = inGroup.map((t) => t.ours.mean);
    const theirs = inGroup.map((t) => t.paper.meanKWh);
    const byOurs = [...inGroup].sort((a, b) => a.ours.mean - b.ours.mean).map((t) => t.task);
    const byTheirs = [...inGroup].sort((a, b) => a.paper.meanKWh - b.paper.meanKWh).map((t) => t.task);
    orders.push({
      group: name,
      energyKind: inGroup[0]!.group.energyKind,
      tasks: inGroup.map((t) => ({
        task: t.task,
        paperTask: t.paperTask,
        ours: t.ours.mean,
        paperKWh: t.paper.meanKWh,
      })),
      rho: spearman(ours, theirs),
      sameOrder: byOurs.join() === byTheirs.join(),
    });
  }
  return { paper, tasks, orders, models, unmatchedTasks, fixtures, fixtureOnlyTasks, uncited };
}

const est = (kind: EnergyKind) => (kind === 'estimated' ? ' (est.)' : '');
const joules = (kWh: number) => sig(kWh * JOULES_PER_KWH);

function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return '—';
  return ratio < 1 ? `${sig(ratio)} (paper ${sig(1 / ratio)}× ours)` : `${sig(ratio)}× paper`;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

const repetitionsWord = (r: BoardRow) => (r.repetitions === 1 ? 'repetition' : 'repetitions');

/**
 * "10 samples per pass × 3 repetitions of org/data (test)" for each row configuration: as the
 * leaderboard's "Samples × reps", per pass (a steady window runs several) and the repetitions
 * a row pooled (not the number planned).
 */
function samplesOfTask(task: BoardTask): string {
  const configurations = task.groups
    .filter((g) => g.origin === 'records')
    .flatMap((g) =>
      g.rows.map((r) => `${r.samples} samples per pass × ${r.repetitions} ${repetitionsWord(r)} of ${g.dataset}`),
    );
  return unique(configurations).join('; ');
}

/** Our set-up in the same terms as the paper's, from the records themselves. */
function ourSettings(records: readonly OkRecord[], board: Board) {
  const groups = board.tasks.flatMap((t) => t.groups);
  const perTask = (f: (r: OkRecord) => string) =>
    unique(records.map((r) => r.task))
      .sort()
      .map((task) => `${task}: ${unique(records.filter((r) => r.task === task).map(f)).join('; ')}`)
      .join(' · ');
  return {
    hardware: unique(groups.map((g) => `${g.hardware} (device ${g.device})`)).join('; '),
    boundary: unique(
      groups.map(
        (g) =>
          `${g.meter} meter, ${g.energyKind === 'estimated' ? 'ESTIMATED, not measured' : 'measured'} (${unique(g.rows.map((r) => r.components)).join(', ')}), ${g.basis} energy of the window`,
      ),
    ).join('; '),
    precision: unique(records.map((r) => r.modelInfo.dtype)).join(', '),
    batch: `batch size ${unique(records.map((r) => r.settings.batchSize)).join(', ')}`,
    generation: perTask((r) =>
      Object.keys(r.settings.callOptions).length > 0 ? JSON.stringify(r.settings.callOptions) : 'pipeline defaults',
    ),
    samples: board.tasks
      .map((t) => ({ task: t.task, samples: samplesOfTask(t) }))
      .filter((t) => t.samples !== '')
      .map((t) => `${t.task}: ${t.samples}`)
      .sort()
      .join(' · '),
    meter: unique(groups.map((g) => g.meter)).join(', '),
    loading: 'excluded: the model loads before the energy window opens',
  };
}

interface ComparisonReportInput {
  records: readonly RunRecord[];
  board: Board;
  references: readonly ReferenceRow[];
  referencesPath: string;
  paper: PaperInfo;
  generatedAt?: Date | undefined;
}

export function renderComparison(input: ComparisonReportInput): string {
  const { paper, board } = input;
  const c = compare(board, input.references, paper);
  const ok = input.records.filter((r): r is OkRecord => r.status === 'ok');
  const anyEstimated = c.tasks.some((t) => t.group.energyKind === 'estimated');
  const out = [
    `# joulebench vs ${paper.title}`,
    '',
    `${paper.citation}.`,
    '',
    `Generated ${(input.generatedAt ?? new Date()).toISOString().slice(0, 10)} from ${input.records.length} record(s). ` +
      `The paper's figures are read from \`${input.referencesPath}\`, where every row names its source; rows whose notes start with "derived" were recomputed from the authors' logs, not printed in the paper. ` +
      'Published figures are shown as published; only their unit is converted.',
    '',
    '**Units.** The paper reports kWh per 1,000 inferences; joulebench reports joules (J) per 1,000 inferences. ' +
      `1 kWh = 3,600,000 J, so paper J/1k = paper kWh/1k × 3,600,000 (e.g. 0.002 kWh/1k = ${joules(0.002)} J/1k).`,
    '',
  ];
  if (anyEstimated) {
    out.push(
      '**Our figures marked (est.) are ESTIMATED, not measured**: they come from the `estimate` meter (process CPU time × TDP per thread, plus a DRAM term), not from a power sensor.',
      '',
    );
  }

  out.push('## Energy per 1,000 inferences by task', '');
  if (c.tasks.length === 0 && c.uncited.length === 0) {
    out.push('No task of these records has a counterpart in the paper with citable (non-fixture) rows.', '');
  } else {
    out.push(
      '| Task (ours ↔ paper) | Our hardware · meter | Models | Ours mean J/1k | Ours min J/1k | Ours max J/1k | Paper Table 2 kWh/1k (mean ± std) | Paper mean J/1k | Paper min–max J/1k (runs, derived from logs) | Ours ÷ paper |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const t of c.tasks) {
      const e = est(t.group.energyKind);
      const std = t.paper.stdKWh === null ? '' : ` ± ${t.paper.stdKWh}`;
      const range =
        t.paper.minKWh !== null && t.paper.maxKWh !== null
          ? `${joules(t.paper.minKWh)}–${joules(t.paper.maxKWh)}`
          : '—';
      out.push(
        `| ${t.task} ↔ ${t.paperTask} | ${t.group.hardware} · ${t.group.meter}, ${t.group.energyKind} (${t.components}) | ${t.models} | ` +
          `${sig(t.ours.mean)}${e} | ${sig(t.ours.min)}${e} | ${sig(t.ours.max)}${e} | ${t.paper.meanKWh}${std} | ${joules(t.paper.meanKWh)} | ${range} | ${ratioText(t.ratio)} |`,
      );
    }
    // Measured here only by fixtures: the paper's figure stays in the table, with nothing to cite beside it.
    for (const u of c.uncited) {
      const std = u.paperStdKWh === null ? '' : ` ± ${u.paperStdKWh}`;
      const paperCells = `${u.paperKWh}${std} | ${joules(u.paperKWh)} | — | — |`;
      out.push(
        `| ${u.task} ↔ ${u.paperTask} | no citable measurement here (fixtures only) | 0 | — | — | — | ${paperCells}`,
      );
    }
    out.push(
      '',
      `Our mean is over models and datasets (each model on each dataset is the mean of its repetitions); the paper's is over its runs (${paper.settings.samples}).`,
      '',
    );
  }

  out.push('## Order of tasks by energy', '');
  for (const o of c.orders) {
    const ours = [...o.tasks].sort((a, b) => a.ours - b.ours);
    const theirs = [...o.tasks].sort((a, b) => a.paperKWh - b.paperKWh);
    out.push(
      `Our group ${o.group}:`,
      '',
      `- Ours: ${ours.map((t) => `${t.task} (${sig(t.ours)} J${est(o.energyKind)})`).join(' < ')}`,
      `- Paper (Table 2): ${theirs.map((t) => `${t.paperTask} (${t.paperKWh} kWh)`).join(' < ')}`,
    );
    if (o.tasks.length >= 3 && Number.isFinite(o.rho)) {
      out.push(
        `- Spearman rank correlation over the ${o.tasks.length} shared tasks: ρ = ${o.rho.toFixed(2)}; the order ${o.sameOrder ? 'agrees' : 'differs'}.`,
      );
    } else {
      out.push(
        `- Only ${o.tasks.length} shared task(s): a rank correlation over fewer than 3 tasks says nothing, so none is reported; the order ${o.sameOrder ? 'agrees' : 'differs'}.`,
      );
    }
    out.push('');
  }
  if (c.orders.length === 0) out.push('No shared tasks to order.', '');

  out.push('## Models in both', '');
  if (c.models.length === 0) {
    out.push("None of the measured models appears in the paper's per-model figures (matched by repository name).", '');
  } else {
    out.push(
      "Matched by repository name (e.g. Xenova/distilgpt2 is the ONNX export of distilgpt2). Paper figures are derived from the authors' logs: mean over 3 datasets × 10 repetitions.",
      '',
      '| Task | Our model | Paper model | Ours J/1k | Paper J/1k (CPU+GPU+RAM) | Paper GPU part J/1k (all 8 GPUs) | Ours ÷ paper |',
      '|---|---|---|---:|---:|---:|---|',
    );
    for (const m of c.models) {
      const gpu = m.paperGpuKWh === null ? '—' : joules(m.paperGpuKWh);
      out.push(
        `| ${m.task} | ${m.model} | ${m.paperModel} | ${sig(m.ours)}${est(m.energyKind)} | ${joules(m.paperKWh)} | ${gpu} | ${ratioText(m.ours / (m.paperKWh * JOULES_PER_KWH))} |`,
      );
    }
    out.push('');
  }

  const ours = ourSettings(ok, board);
  const aspects: [string, keyof PaperInfo['settings']][] = [
    ['Hardware', 'hardware'],
    ['Energy boundary', 'boundary'],
    ['Precision', 'precision'],
    ['Batching', 'batch'],
    ['Generation settings', 'generation'],
    ['Samples', 'samples'],
    ['Meter', 'meter'],
    ['Model loading', 'loading'],
  ];
  out.push('## What differs', '', '| | Paper | joulebench (these records) |', '|---|---|---|');
  for (const [label, key] of aspects) out.push(`| ${label} | ${paper.settings[key]} | ${ours[key] || '—'} |`);
  out.push(
    '',
    'The ratio therefore mixes hardware (a data-centre GPU node vs this machine), the energy boundary (the paper counts 7 idle GPUs and ≈430 W of modelled RAM), ' +
      'the models themselves and the meter. Read it as "how far apart", never as a correction factor.',
    '',
  );

  const left: string[] = [];
  if (c.fixtures.length > 0)
    left.push(
      `Fixture rows (not citable, never compared): ${c.fixtures.map((f) => `${f.model} (${f.task})`).join(', ')}.`,
    );
  if (c.fixtureOnlyTasks.length > 0)
    left.push(`Tasks with fixture rows only, so no comparison: ${c.fixtureOnlyTasks.join(', ')}.`);
  if (c.unmatchedTasks.length > 0) left.push(`Tasks without a figure in the paper: ${c.unmatchedTasks.join(', ')}.`);
  if (left.length > 0) out.push('## Left out', '', ...left.map((l) => `- ${l}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}

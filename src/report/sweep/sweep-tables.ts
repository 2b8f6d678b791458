// A sweep's report as Markdown (a section per sweep, a table per model), CSV (one line per
// configuration) and JSON. Every figure says its basis and whether it was measured or estimated;
// the chosen configurations are named under each table, and what was skipped is listed with why.
import { stringify } from 'csv-stringify/sync';
import type { SweepAxes, SweptOut } from '../../schema/sweep-axes.js';
import { groupBy } from '../../util/stats.js';
import { finiteOrNull, sig } from '../format.js';
import { sweepColumns } from './sweep-columns.js';
import type { SweepModel, SweepReport } from './sweep-report.js';

const AXIS_NAMES: Record<keyof SweepAxes, string> = {
  batchSize: 'batch size',
  threads: 'threads',
  dtype: 'dtype',
  device: 'device',
};

/** "batch size 1, 4 × threads 1, 2 × dtype fp32, q8". */
export function axesText(axes: SweepAxes): string {
  return (Object.keys(AXIS_NAMES) as (keyof SweepAxes)[])
    .filter((k) => axes[k] !== undefined)
    .map((k) => `${AXIS_NAMES[k]} ${axes[k]!.join(', ')}`)
    .join(' × ');
}

/** "dtype fp16", "batch size 8, threads 1, device cpu": the part of a configuration named. */
function configText(config: SweptOut['config']): string {
  const names = { dtype: 'dtype', batchSize: 'batch size', threads: 'threads', device: 'device' } as const;
  return (Object.keys(names) as (keyof typeof names)[])
    .filter((k) => config[k] !== undefined)
    .map((k) => `${names[k]} ${config[k] ?? 'default'}`)
    .join(', ');
}

/**
 * What was skipped, one line per model and reason: "karpathy/stories260K, dtype fp16: <reason>",
 * "m:q8, batch size 1, threads 1, device cpu; batch size 2, threads 1, device cpu: <reason>".
 */
export function skippedLines(skipped: readonly SweptOut[]): string[] {
  return [...groupBy(skipped, (s) => JSON.stringify([s.model, s.reason])).values()].map((same) => {
    const model = same[0]!.model === '*' ? 'every model' : same[0]!.model; // older sweeps left a device out
    return `${model}, ${same.map((s) => configText(s.config)).join('; ')}: ${same[0]!.reason}`;
  });
}

/** What the energy figures are, in words. */
export function energyText(report: SweepReport): string {
  const kind = report.energyKind === 'estimated' ? 'ESTIMATED, not measured' : 'measured';
  return `${report.basis} J per 1,000 inferences, ${kind} (meter ${report.meter})`;
}

/** The sentences naming the chosen configurations of one model. */
export function choiceText(model: SweepModel, budgetMs: number | null): string[] {
  const out: string[] = [];
  const o = model.optimal;
  if (o) {
    const tied = model.optimalTies.map((p) => p.label).join('; ');
    const ties = tied
      ? `; not significantly different from it (Welch's t-test, α = 0.05, or under 3 repetitions): ${tied}`
      : '';
    out.push(`Energy-optimal: ${o.label} (${sig(o.joulesPer1k.mean)} J/1k, p95 ${sig(o.latencyP95Ms)} ms)${ties}.`);
  }
  if (budgetMs !== null) {
    const w = model.withinBudget;
    const fastest = Math.min(...model.points.map((p) => p.latencyP95Ms));
    out.push(
      w
        ? `Energy-optimal within the ${sig(budgetMs)} ms p95 budget: ${w.label} ` +
            `(${sig(w.joulesPer1k.mean)} J/1k, p95 ${sig(w.latencyP95Ms)} ms).`
        : `No configuration meets the ${sig(budgetMs)} ms p95 budget (the fastest: p95 ${sig(fastest)} ms).`,
    );
  }
  return out;
}

function modelTable(report: SweepReport, model: SweepModel): string[] {
  const columns = sweepColumns(model);
  const lines = [
    `| ${columns.map((c) => c.header(report)).join(' | ')} |`,
    `|${columns.map((c) => (c.align === 'text' ? '---' : '---:')).join('|')}|`,
  ];
  for (const p of model.points) {
    const cells = columns.map((c) => {
      const text = c.cell(model, p);
      return c.model && p.kind === 'fixture' ? `${text} (fixture: not citable)` : text;
    });
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** One sweep as a Markdown section. */
export function sweepMarkdown(report: SweepReport): string {
  const { sweep } = report;
  const out = [
    `## Sweep ${report.id}: ${report.task} · ${report.hardware} · ${report.dataset}`,
    '',
    `Axes: ${axesText(sweep.axes)}. Energy: ${energyText(report)}, mean over repetitions with its 95% CI. ` +
      'Latency: p95 of one pipeline call (at batch size > 1 the whole batch, which every request in it waits for). ' +
      'A configuration is on a frontier when no other is at least as good on both figures and better on one ' +
      '(configurations equal on both stay together). Records: ' +
      `${report.runs.join(', ')}.`,
    '',
  ];
  for (const model of report.models) {
    out.push(`### ${model.model}`, '', ...modelTable(report, model), '');
    for (const line of choiceText(model, sweep.latencyBudgetMs)) out.push(line, '');
  }
  if (report.skipped.length > 0) {
    out.push('Skipped configurations:', '');
    for (const line of skippedLines(report.skipped)) out.push(`- ${line}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** One line per configuration of every sweep. */
export function sweepCsv(reports: readonly SweepReport[]): string {
  const rows = reports.flatMap((r) =>
    r.models.flatMap((m) =>
      m.points.map((p) => ({
        sweep: r.id,
        task: r.task,
        hardware: r.hardware,
        meter: r.meter,
        energy_kind: r.energyKind,
        basis: r.basis,
        hub_model: m.model,
        model: p.model,
        kind: p.kind,
        dtype: p.dtype,
        batch_size: p.batchSize,
        threads: p.threads ?? 'default',
        device: p.device,
        joules_per_1k_inferences: p.joulesPer1k.mean,
        ci95_low: p.joulesPer1k.ci95?.low ?? '',
        ci95_high: p.joulesPer1k.ci95?.high ?? '',
        repetitions: p.repetitions,
        joules_per_response: p.joulesPerToken === null ? '' : p.joulesPer1k.mean / 1000,
        joules_per_output_token: p.joulesPerToken ?? '',
        latency_p95_ms_per_call: p.latencyP95Ms,
        quality_metric: r.quality?.name ?? '',
        quality: p.quality ?? '',
        frontier_energy_latency: p.frontier.latency ? 'yes' : 'no',
        frontier_token_latency: p.frontier.tokenLatency ? 'yes' : 'no',
        frontier_energy_quality: p.frontier.quality ? 'yes' : 'no',
        energy_optimal: m.optimal === p ? 'yes' : 'no',
        optimal_within_budget: m.withinBudget === p ? 'yes' : 'no',
        latency_budget_ms: r.sweep.latencyBudgetMs ?? '',
      })),
    ),
  );
  return rows.length === 0 ? '' : stringify(rows, { header: true });
}

/** The reports as JSON: points with their frontier flags, the chosen configurations by label, the skips. */
export function sweepJson(reports: readonly SweepReport[]): string {
  const doc = reports.map((r) => ({
    id: r.id,
    task: r.task,
    dataset: r.dataset,
    hardware: r.hardware,
    meter: r.meter,
    energyKind: r.energyKind,
    basis: r.basis,
    qualityMetric: r.quality,
    axes: r.sweep.axes,
    latencyBudgetMs: r.sweep.latencyBudgetMs,
    skipped: r.skipped,
    runs: r.runs,
    models: r.models.map((m) => ({
      model: m.model,
      energyOptimal: m.optimal?.label ?? null,
      tiesWithOptimal: m.optimalTies.map((p) => p.label),
      optimalWithinBudget: m.withinBudget?.label ?? null,
      points: m.points.map((p) => ({
        label: p.label,
        model: p.model,
        kind: p.kind,
        dtype: p.dtype,
        batchSize: p.batchSize,
        threads: p.threads,
        device: p.device,
        joulesPer1kInferences: finiteOrNull(p.joulesPer1k.mean),
        ci95: p.joulesPer1k.ci95,
        repetitions: p.repetitions,
        joulesPerResponse: p.joulesPerToken === null ? null : finiteOrNull(p.joulesPer1k.mean / 1000),
        joulesPerOutputToken: finiteOrNull(p.joulesPerToken),
        latencyP95MsPerCall: finiteOrNull(p.latencyP95Ms),
        quality: finiteOrNull(p.quality),
        frontier: p.frontier,
      })),
    })),
  }));
  return `${JSON.stringify(doc, null, 2)}\n`;
}

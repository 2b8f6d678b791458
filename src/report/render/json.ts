// Leaderboard as JSON: { tasks: { <task>: { groups: [ { hardware, source, starsRule, rows: [...] } ] } } }.
// Every row repeats its energy kind and meter so a consumer that picks one row out still
// knows whether the figure was measured or estimated.
import type { Board, BoardGroup, BoardRow, BoardTask } from '../board.js';
import { finiteOrNull } from '../format.js';
import { describeRule } from '../stars.js';
import type { Renderer } from './renderer.js';

/** JSON has no NaN: a missing figure is null. */
const num = finiteOrNull;

function jsonRow(row: BoardRow, group: BoardGroup) {
  return {
    model: row.model,
    variant: row.variant,
    kind: row.kind,
    citable: row.kind !== 'fixture',
    energyKind: group.energyKind,
    basis: group.basis,
    meter: group.meter,
    components: group.components,
    parameters: num(row.parameters),
    dtype: row.dtype,
    joulesPer1kInferences: num(row.joulesPer1k.mean),
    joulesPer1kInferencesSd: num(row.joulesPer1k.sd),
    ci95Low: num(row.joulesPer1k.ci95?.low),
    ci95High: num(row.joulesPer1k.ci95?.high),
    cv: num(row.joulesPer1k.cv),
    n: group.origin === 'import' ? null : row.joulesPer1k.n,
    rank: row.rank,
    tied: row.tied,
    drift: row.drift,
    trend: row.trend,
    shortWindow: row.shortWindow,
    crossCheckFlagged: row.crossCheckFlagged,
    contention: row.contention,
    ciTargetMissed: row.ciTargetMissed,
    kWhPer1kInferences: num(row.kWhPer1k),
    gCO2ePer1kInferences: num(row.gCO2ePer1k),
    stars: row.stars,
    quality: row.quality
      ? {
          metric: row.quality.metric,
          mean: num(row.quality.mean),
          sd: num(row.quality.sd),
          ci95Low: num(row.quality.ci95?.low),
          ci95High: num(row.quality.ci95?.high),
          n: row.quality.n,
        }
      : null,
    metrics: Object.fromEntries(Object.entries(row.metrics).map(([k, v]) => [k, { mean: num(v.mean), sd: num(v.sd) }])),
    latencyP50Ms: num(row.latencyP50Ms),
    throughputInferencesPerS: num(row.throughput),
    joulesPerOutputToken: num(row.joulesPerOutputToken),
    joulesPerResponse: num(row.joulesPerResponse),
    generation: row.generation,
    split: row.split
      ? {
          kind: 'derived',
          resolved: row.split.resolved,
          reason: row.split.reason,
          prefillJoulesPer1k: num(row.split.prefillPer1k.mean),
          prefillJoulesPer1kCi95: row.split.prefillPer1k.ci95,
          decodeJoulesPer1k: num(row.split.decodePer1k?.mean),
          decodeJoulesPer1kCi95: row.split.decodePer1k?.ci95 ?? null,
          decodeJoulesPerOutputToken: num(row.split.decodePerToken),
        }
      : null,
    batchSize: row.batchSize,
    threads: row.threads,
    inferences: row.inferences,
    samples: row.samples,
    repetitions: row.repetitions,
    provenance: row.provenance,
    published: row.published,
    warnings: row.warnings,
  };
}

function jsonGroup(group: BoardGroup) {
  return {
    hardware: group.hardware,
    source: group.source,
    origin: group.origin,
    device: group.device,
    meter: group.meter,
    energyKind: group.energyKind,
    basis: group.basis,
    components: group.components,
    boundary: group.boundary,
    setup: group.setup,
    differsBy: group.differsBy,
    class: group.class,
    starsRule: group.starsRule,
    notes: group.notes,
    rows: group.rows.map((r) => jsonRow(r, group)),
  };
}

function jsonTask(task: BoardTask) {
  return {
    dataset: task.dataset || null,
    qualityMetric: task.quality
      ? { name: task.quality.name, label: task.quality.label, higherIsBetter: task.quality.higherIsBetter }
      : null,
    groups: task.groups.map(jsonGroup),
    notMeasured: task.notMeasured,
  };
}

export function renderJson(board: Board): string {
  const doc = {
    generatedAt: board.generatedAt.toISOString(),
    recordCount: board.recordCount,
    units: {
      joulesPer1kInferences:
        'J per 1,000 inferences (mean over repetitions; sd = sample standard deviation; ci95Low/ci95High = the 95% confidence interval of the mean, Student t, null under 3 repetitions; cv = sd / mean; n = repetitions)',
      rank: 'by energy within the group; tied = no significant difference from a neighbour (Welch t-test, two-sided, alpha 0.05; no test under 3 repetitions)',
      kWhPer1kInferences: 'kWh per 1,000 inferences (J / 3,600,000)',
      gCO2ePer1kInferences: 'g CO2e per 1,000 inferences = kWh × carbonIntensity (an estimate for every row)',
      joulesPerResponse: 'generative tasks: J per inference (J/1k ÷ 1000), beside joulesPerOutputToken',
      generation:
        'generative tasks: TTFT and TPOT percentiles in ms (mean over repetitions of each window percentile over its requests); per "call" at batch size > 1',
      split:
        'generative tasks, DERIVED: prefill = a window of the same inputs with max_new_tokens 1, per inference; decode = full − prefill; resolved only with 3+ repetitions whose prefill 95% CI lies below the full window CI',
    },
    starRule: { name: board.starRule, description: describeRule(board.starRule) },
    carbonIntensity: { gCO2ePerKWh: board.carbon.gPerKWh, source: board.carbon.source },
    tasks: Object.fromEntries(board.tasks.map((t) => [t.task, jsonTask(t)])),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const jsonRenderer: Renderer = {
  name: 'json',
  file: 'leaderboard.json',
  render: (board) => ({ 'leaderboard.json': renderJson(board) }),
};

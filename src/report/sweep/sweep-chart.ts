// One model's sweep as a Vega-Lite chart: J/1k against p95 latency per call, one point per
// configuration, the Pareto frontier as a dashed line, the chosen configurations highlighted
// (energy-optimal overall and within the latency budget, whose line is drawn). Estimated figures
// are drawn hollow, as in the leaderboard's charts.
import type { TopLevelSpec } from 'vega-lite';
import type { SweepModel, SweepPoint, SweepReport } from './sweep-report.js';

const STATUS = {
  optimal: 'energy-optimal',
  optimalWithinBudget: 'energy-optimal, and within the budget',
  withinBudget: 'energy-optimal within the budget',
  frontier: 'on the frontier (not dominated)',
  dominated: 'dominated',
} as const;

const COLORS: Record<string, string> = {
  [STATUS.optimal]: '#d62728',
  [STATUS.optimalWithinBudget]: '#d62728',
  [STATUS.withinBudget]: '#ff7f0e',
  [STATUS.frontier]: '#1f4e79',
  [STATUS.dominated]: '#9a9aa5',
};

const CHOSEN = "indexof(datum.status, 'energy-optimal') >= 0";

/** How a configuration shows on its chart and in its table. */
export function statusOf(model: SweepModel, p: SweepPoint): string {
  const optimal = model.optimal === p;
  const within = model.withinBudget === p;
  if (optimal && within) return STATUS.optimalWithinBudget;
  if (optimal) return STATUS.optimal;
  if (within) return STATUS.withinBudget;
  return p.frontier.latency ? STATUS.frontier : STATUS.dominated;
}

/** "q8 b4 t1" (and the device when it is not the CPU): the label beside each point. */
function shortLabel(p: SweepPoint): string {
  return `${p.dtype} b${p.batchSize} t${p.threads ?? 'def'}${p.device === 'cpu' ? '' : ` ${p.device}`}`;
}

export function sweepChartSpec(report: SweepReport, model: SweepModel): TopLevelSpec {
  const estimated = report.energyKind === 'estimated';
  const points = model.points.map((p) => ({
    configuration: p.label,
    short: shortLabel(p),
    latency: p.latencyP95Ms,
    joules: p.joulesPer1k.mean,
    perToken: p.joulesPerToken,
    frontier: p.frontier.latency,
    status: statusOf(model, p),
  }));
  const domain = Object.values(STATUS).filter((s) => points.some((p) => p.status === s));
  const x = {
    field: 'latency',
    type: 'quantitative' as const,
    title: 'p95 latency per call (ms, log)',
    scale: { type: 'log' as const },
  };
  const y = {
    field: 'joules',
    type: 'quantitative' as const,
    title: `J / 1k inferences (${report.basis}${estimated ? ', estimated' : ''}, log)`,
    scale: { type: 'log' as const },
  };
  const budget = report.sweep.latencyBudgetMs;
  const machine = report.hardware;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${model.model}: energy vs p95 latency`,
      subtitle: `dashed: the Pareto frontier; ${estimated ? 'hollow = estimated (not measured); ' : ''}${machine}`,
    },
    config: { font: 'system-ui, sans-serif', view: { stroke: '#d9d9e0' } },
    width: 460,
    height: 300,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: 'datum.frontier' }],
        mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 1.5, color: COLORS[STATUS.frontier] },
        encoding: { x, y, order: { field: 'latency', type: 'quantitative' } },
      },
      {
        mark: { type: 'point', filled: !estimated, strokeWidth: 2, opacity: 0.95 },
        encoding: {
          x,
          y,
          color: {
            field: 'status',
            type: 'nominal',
            title: 'status',
            scale: { domain, range: domain.map((s) => COLORS[s]!) },
            legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0 },
          },
          // The chosen configurations (every status naming "energy-optimal") are large diamonds.
          shape: { condition: { test: CHOSEN, value: 'diamond' }, value: 'circle' },
          size: { condition: { test: CHOSEN, value: 260 }, value: 90 },
          tooltip: [
            { field: 'configuration', title: 'configuration' },
            { field: 'status', title: 'status' },
            { field: 'joules', title: 'J / 1k inferences', format: '.3~g' },
            { field: 'latency', title: 'p95 latency per call (ms)', format: '.3~g' },
            ...(points.some((p) => p.perToken !== null)
              ? [{ field: 'perToken', title: 'J / token', format: '.3~g' }]
              : []),
          ],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 8, dy: -6, fontSize: 10, color: '#3a3a44' },
        encoding: { x, y, text: { field: 'short' } },
      },
      ...(budget === null
        ? []
        : [
            {
              data: { values: [{ budget, text: `budget ${budget} ms` }] },
              mark: { type: 'rule' as const, strokeDash: [2, 2], color: COLORS[STATUS.withinBudget] },
              encoding: { x: { field: 'budget', type: 'quantitative' as const } },
            },
          ]),
    ],
  } as TopLevelSpec;
}

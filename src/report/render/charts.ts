// The leaderboard's figures as Vega-Lite specs, rendered to SVG in Node (no browser, no
// network). Every point carries how its energy was obtained: filled = measured, hollow =
// estimated (not measured), squares = fixtures (not citable); the legend says so.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { groupBy, median } from '../../util/stats.js';
import { allRows, rowLabel, type Board, type BoardGroup, type BoardRow, type BoardTask } from '../board.js';

const MARKERS = {
  measured: 'measured',
  estimated: 'estimated (not measured)',
  fixtureMeasured: 'fixture, measured (not citable)',
  fixtureEstimated: 'fixture, estimated (not citable)',
} as const;

// Hollow shapes are filled paths with a hole (inner contour wound the other way), so the
// legend draws them hollow too. Vega shape paths live in a [-1, 1] box.
const RING = 'M1,0A1,1,0,1,1,-1,0A1,1,0,1,1,1,0Z M0.5,0A0.5,0.5,0,1,0,-0.5,0A0.5,0.5,0,1,0,0.5,0Z';
const SQUARE = 'M-0.85,-0.85H0.85V0.85H-0.85Z';
const HOLLOW_SQUARE = 'M-0.85,-0.85H0.85V0.85H-0.85Z M-0.4,-0.4V0.4H0.4V-0.4Z';
const SHAPES: Record<string, string> = {
  [MARKERS.measured]: 'circle',
  [MARKERS.estimated]: RING,
  [MARKERS.fixtureMeasured]: SQUARE,
  [MARKERS.fixtureEstimated]: HOLLOW_SQUARE,
};

const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#eeca3b',
  '#9d755d',
  '#ff9da6',
  '#bab0ac',
];

function markerOf(group: BoardGroup, row: BoardRow): string {
  const estimated = group.energyKind === 'estimated';
  if (row.kind === 'fixture') return estimated ? MARKERS.fixtureEstimated : MARKERS.fixtureMeasured;
  return estimated ? MARKERS.estimated : MARKERS.measured;
}

/** Legend label of a group: who measured, on what, how. */
function groupLabel(group: BoardGroup): string {
  if (group.origin === 'import') return `${group.source}${group.class ? `, class ${group.class}` : ''}`;
  return `joulebench · ${group.hardware} · ${group.meter} (${group.energyKind}, ${group.basis})`;
}

interface Point {
  task: string;
  model: string;
  group: string;
  marker: string;
  joules: number;
  parameters: number | null;
  quality: number | null;
  frontier: boolean;
}

function point(task: BoardTask, group: BoardGroup, row: BoardRow): Point {
  return {
    task: task.task,
    model: rowLabel(row),
    group: groupLabel(group),
    marker: markerOf(group, row),
    joules: row.joulesPer1k.mean,
    parameters: row.parameters,
    quality: row.quality?.mean ?? null,
    frontier: false,
  };
}

function markerEncoding(points: readonly Point[]) {
  const domain = Object.values(MARKERS).filter((m) => points.some((p) => p.marker === m));
  return {
    field: 'marker',
    type: 'nominal' as const,
    title: 'energy figure',
    scale: { domain, range: domain.map((m) => SHAPES[m]!) },
    legend: {
      title: 'energy figure',
      labelLimit: 0,
      symbolSize: 110,
      orient: 'bottom' as const,
      direction: 'vertical' as const,
    },
  };
}

function colorEncoding(field: 'group' | 'task', domain: string[], title: string) {
  return {
    field,
    type: 'nominal' as const,
    title,
    scale: { domain, range: domain.map((_, i) => PALETTE[i % PALETTE.length]!) },
    legend: { title, labelLimit: 0, orient: 'bottom' as const, direction: 'vertical' as const },
  };
}

const JOULES_FIELD = {
  field: 'joules',
  type: 'quantitative' as const,
  title: 'J / 1k inferences (log)',
  scale: { type: 'log' as const },
};

const TOOLTIP = [
  { field: 'model', title: 'model' },
  { field: 'task', title: 'task' },
  { field: 'joules', title: 'J / 1k inferences', format: '.3~g' },
  { field: 'group', title: 'source' },
  { field: 'marker', title: 'energy figure' },
];

const CONFIG = { font: 'system-ui, sans-serif', view: { stroke: '#ccc' }, legend: { labelFontSize: 11 } };

/** Tasks by the median energy of their points, lowest first (the paper's Figure 1 orders tasks by energy). */
function tasksByEnergy(points: readonly Point[]): string[] {
  const byTask = groupBy(points, (p) => p.task);
  const medianOf = (task: string) => median(byTask.get(task)!.map((p) => p.joules));
  return [...byTask.keys()].sort((a, b) => medianOf(a) - medianOf(b) || a.localeCompare(b));
}

/** Figure 1 (the Power Hungry Processing figure): energy per 1,000 inferences by task, log scale. */
export function energyByTaskSpec(board: Board): TopLevelSpec | null {
  const points = allRows(board).map(({ task, group, row }) => point(task, group, row));
  if (points.length === 0) return null;
  const groups = [...new Set(points.map((p) => p.group))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Energy per 1,000 inferences by task',
      subtitle: 'tasks by median energy; log scale; one point per model and source; hollow = estimated (not measured)',
    },
    config: CONFIG,
    width: { step: 120 },
    height: 320,
    data: { values: points },
    mark: { type: 'point', filled: true, size: 110, opacity: 0.9 },
    encoding: {
      x: { field: 'task', type: 'nominal', title: 'task', sort: tasksByEnergy(points), axis: { labelAngle: -30 } },
      xOffset: { field: 'group', type: 'nominal', scale: { domain: groups } },
      y: JOULES_FIELD,
      color: colorEncoding('group', groups, 'source'),
      shape: markerEncoding(points),
      tooltip: TOOLTIP,
    },
  };
}

/** Rows not dominated within their group: nothing cheaper is at least as good. */
export function paretoFrontier<T extends { joules: number; quality: number }>(
  rows: readonly T[],
  higherIsBetter: boolean,
): T[] {
  const better = (a: number, b: number) => (higherIsBetter ? a > b : a < b);
  const sorted = [...rows].sort((a, b) => a.joules - b.joules || (better(a.quality, b.quality) ? -1 : 1));
  const frontier: T[] = [];
  for (const r of sorted) {
    const last = frontier.at(-1);
    if (!last || better(r.quality, last.quality)) frontier.push(r);
  }
  return frontier;
}

/** Figure 2: energy vs quality for one task, Pareto frontier per group. Fixtures are left out (their quality means nothing). */
function energyVsQualitySpec(task: BoardTask): TopLevelSpec | null {
  const spec = task.quality;
  if (!spec) return null;
  const points = task.groups.flatMap((group) =>
    group.rows.filter((r) => r.kind !== 'fixture' && r.quality !== null).map((row) => point(task, group, row)),
  ) as (Point & { quality: number })[];
  if (points.length === 0) return null;
  for (const group of new Set(points.map((p) => p.group))) {
    for (const p of paretoFrontier(
      points.filter((q) => q.group === group),
      spec.higherIsBetter,
    ))
      p.frontier = true;
  }
  const groups = [...new Set(points.map((p) => p.group))];
  const y = {
    field: 'quality',
    type: 'quantitative' as const,
    title: `${spec.label} (${spec.higherIsBetter ? 'higher' : 'lower'} is better)`,
    scale: { zero: false },
    axis: { format: Math.max(...points.map((p) => Math.abs(p.quality))) >= 100 ? ',.4~r' : '.3~f' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Energy vs ${spec.label}: ${task.task}`,
      subtitle: 'dashed line: Pareto frontier within each source (no other model there is both cheaper and better)',
    },
    config: CONFIG,
    width: 480,
    height: 300,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: 'datum.frontier' }],
        mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 1.5, point: false },
        encoding: {
          x: JOULES_FIELD,
          y,
          detail: { field: 'group', type: 'nominal' },
          color: colorEncoding('group', groups, 'source'),
          order: { field: 'joules', type: 'quantitative' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 110, opacity: 0.9 },
        encoding: {
          x: JOULES_FIELD,
          y,
          color: colorEncoding('group', groups, 'source'),
          shape: markerEncoding(points),
          tooltip: [
            ...TOOLTIP,
            { field: 'quality', title: spec.label, format: '.3f' },
            { field: 'frontier', title: 'on the Pareto frontier' },
          ],
        },
      },
    ],
  };
}

/** Figure 3: energy vs parameter count, log–log, coloured by task. Rows without a parameter count (imports) are left out. */
function energyVsParametersSpec(board: Board): TopLevelSpec | null {
  const points = allRows(board)
    .filter(({ row }) => row.parameters !== null && row.parameters > 0)
    .map(({ task, group, row }) => point(task, group, row));
  if (points.length === 0) return null;
  const tasks = [...new Set(points.map((p) => p.task))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Energy vs parameter count', subtitle: 'log–log; hollow = estimated (not measured)' },
    config: CONFIG,
    width: 480,
    height: 300,
    data: { values: points },
    mark: { type: 'point', filled: true, size: 110, opacity: 0.9 },
    encoding: {
      x: { field: 'parameters', type: 'quantitative', title: 'parameters (log)', scale: { type: 'log' } },
      y: JOULES_FIELD,
      color: colorEncoding('task', tasks, 'task'),
      shape: markerEncoding(points),
      tooltip: [...TOOLTIP, { field: 'parameters', title: 'parameters', format: '.3~s' }],
    },
  };
}

// Vega-Lite logs compile hints to the console; a CLI that prints Markdown must stay clean.
const quietLogger = {
  level(): number {
    return 0;
  },
  error(...args: readonly unknown[]) {
    throw new Error(`Vega-Lite: ${args.join(' ')}`);
  },
  warn() {
    return quietLogger;
  },
  info() {
    return quietLogger;
  },
  debug() {
    return quietLogger;
  },
};

/** Renders a spec to a standalone SVG string; ids are prefixed so several SVGs can share one page. */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec, { logger: quietLogger }).spec), {
    renderer: 'none',
    logLevel: vega.Error,
  });
  try {
    const svg = await view.toSVG();
    return svg.replace(/id="([^"]+)"/g, `id="${idPrefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`);
  } finally {
    view.finalize();
  }
}

export interface Figure {
  /** File name under figures/, also the id prefix. */
  name: string;
  title: string;
  caption: string;
  /** Task the figure belongs to; null for figures over all tasks. */
  task: string | null;
  svg: string;
}

/** Every figure of the board, rendered. */
export async function renderFigures(board: Board): Promise<Figure[]> {
  const figures: Figure[] = [];
  const byTask = energyByTaskSpec(board);
  if (byTask) {
    figures.push({
      name: 'energy-by-task',
      title: 'Energy per 1,000 inferences by task',
      caption:
        'One point per model and source, log scale (after Luccioni et al., "Power Hungry Processing", Fig. 1); ' +
        'tasks from left to right by the median J/1k of their points. ' +
        'Sources measure different things (hardware, energy boundary): compare positions within a source.',
      task: null,
      svg: await renderSvg(byTask, 'energy-by-task'),
    });
  }
  const byParams = energyVsParametersSpec(board);
  if (byParams) {
    figures.push({
      name: 'energy-vs-parameters',
      title: 'Energy vs parameter count',
      caption: 'Log–log. Rows without a parameter count (imported leaderboards) are not plotted.',
      task: null,
      svg: await renderSvg(byParams, 'energy-vs-parameters'),
    });
  }
  for (const task of board.tasks) {
    const spec = energyVsQualitySpec(task);
    if (!spec) continue;
    const name = `energy-vs-quality-${task.task.replace(/[^a-z0-9-]+/gi, '-')}`;
    figures.push({
      name,
      title: `Energy vs ${task.quality?.label ?? 'quality'} (${task.task})`,
      caption: 'Fixture rows are not plotted (their quality means nothing); imported rows have no quality figure.',
      task: task.task,
      svg: await renderSvg(spec, name),
    });
  }
  return figures;
}

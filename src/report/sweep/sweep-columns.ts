// The columns of a sweep's table of configurations (one per model), in one list for the
// Markdown report and the site's page: each renderer only formats what a column gives (escaping,
// the page's fixture badge and "est." mark).
import { qualityNumber, sig, withCi } from '../format.js';
import type { SweepModel, SweepPoint, SweepReport } from './sweep-report.js';

interface SweepColumn {
  header: (report: SweepReport) => string;
  align: 'text' | 'num';
  /** Shown only where a configuration of the model generated tokens. */
  tokens?: true;
  /** An energy figure: marked estimated on the page where the sweep's energy is. */
  energy?: true;
  /** The model id: a fixture's is marked not citable. */
  model?: true;
  cell: (model: SweepModel, p: SweepPoint) => string;
}

const tick = (b: boolean) => (b ? '✓' : '');

/** "energy-optimal", "optimal within budget", both, or "". */
function chosenText(model: SweepModel, p: SweepPoint): string {
  return [model.optimal === p ? 'energy-optimal' : '', model.withinBudget === p ? 'optimal within budget' : '']
    .filter(Boolean)
    .join(', ');
}

const COLUMNS: readonly SweepColumn[] = [
  { header: () => 'configuration', align: 'text', cell: (_, p) => p.label },
  { header: () => 'model id', align: 'text', model: true, cell: (_, p) => p.model },
  { header: () => 'J / 1k [95% CI]', align: 'num', energy: true, cell: (_, p) => withCi(p.joulesPer1k) },
  {
    // ML.ENERGY shows both: with long outputs J/response and J/token rank configurations differently.
    header: () => 'J / response',
    align: 'num',
    tokens: true,
    energy: true,
    cell: (_, p) => sig(p.joulesPer1k.mean / 1000),
  },
  {
    header: () => 'J / token',
    align: 'num',
    tokens: true,
    energy: true,
    cell: (_, p) => (p.joulesPerToken === null ? '—' : sig(p.joulesPerToken)),
  },
  { header: () => 'p95 latency per call (ms)', align: 'num', cell: (_, p) => sig(p.latencyP95Ms) },
  {
    header: ({ quality: m }) => (m ? `${m.label} ${m.higherIsBetter ? '↑' : '↓'}` : 'quality'),
    align: 'num',
    cell: (_, p) =>
      p.quality === null ? '—' : `${qualityNumber(p.quality)}${p.kind === 'fixture' ? ' (meaningless)' : ''}`,
  },
  { header: () => 'frontier: J/1k vs latency', align: 'num', cell: (_, p) => tick(p.frontier.latency) },
  {
    header: () => 'frontier: J/token vs latency',
    align: 'num',
    tokens: true,
    cell: (_, p) => tick(p.frontier.tokenLatency),
  },
  { header: () => 'frontier: J/1k vs quality', align: 'num', cell: (_, p) => tick(p.frontier.quality) },
  { header: () => 'chosen', align: 'text', cell: chosenText },
];

/** The columns of one model's table. */
export function sweepColumns(model: SweepModel): SweepColumn[] {
  const tokens = model.points.some((p) => p.joulesPerToken !== null);
  return COLUMNS.filter((c) => tokens || !c.tokens);
}

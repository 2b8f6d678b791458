// `stats`: is A really cheaper than B here? For two models (two rows) of one group, the
// difference in J/1k with its 95 % CI and Welch's two-sided p-value, from their repetitions.
import { UserError } from '../util/errors.js';
import { welch, type WelchResult } from '../util/student-t.js';
import { ALPHA, rowLabel, type Board, type BoardGroup, type BoardRow } from './board.js';
import { sig } from './format.js';

interface RowDifference {
  task: string;
  /** The group's heading: hardware · device · dataset, meter and setup. */
  group: string;
  energyKind: BoardGroup['energyKind'];
  basis: BoardGroup['basis'];
  a: { model: string; mean: number; n: number };
  b: { model: string; mean: number; n: number };
  /** null when a side has fewer than 3 repetitions: no test. */
  test: WelchResult | null;
  /** p < α: the difference is significant. */
  significant: boolean;
}

const heading = (g: BoardGroup) =>
  `${g.hardware} · device ${g.device} · ${g.dataset} · ${g.meter} (${g.energyKind}, ${g.basis}); ${g.setup}`;

/** Every group (of our records) that has a row for both models. */
export function rowDifferences(board: Board, modelA: string, modelB: string): RowDifference[] {
  if (modelA === modelB) throw new UserError(`stats compares two different models; got '${modelA}' twice`);
  const out: RowDifference[] = [];
  const seen = { a: [] as string[], b: [] as string[] };
  for (const task of board.tasks) {
    for (const group of task.groups.filter((g) => g.origin === 'records')) {
      const a = pick(group, modelA);
      const b = pick(group, modelB);
      if (a) seen.a.push(`${task.task}: ${heading(group)}`);
      if (b) seen.b.push(`${task.task}: ${heading(group)}`);
      if (!a || !b) continue;
      const test = welch(a.figures, b.figures);
      out.push({
        task: task.task,
        group: heading(group),
        energyKind: group.energyKind,
        basis: group.basis,
        a: side(a),
        b: side(b),
        test,
        significant: test !== null && test.p < ALPHA,
      });
    }
  }
  if (out.length === 0) {
    const where = (m: string, gs: string[]) => (gs.length > 0 ? `${m} is in ${gs.length} group(s)` : `${m} is in none`);
    throw new UserError(
      `No group of these records has both ${modelA} and ${modelB} (${where(modelA, seen.a)}; ${where(modelB, seen.b)}): ` +
        'only models measured the same way (machine, meter, data, settings) can be compared',
    );
  }
  return out;
}

/** The group's row named so: by its label (model@variant), else by model id when only one row has it. */
function pick(group: BoardGroup, name: string): BoardRow | undefined {
  const exact = group.rows.find((r) => rowLabel(r) === name);
  if (exact) return exact;
  const rows = group.rows.filter((r) => r.model === name);
  if (rows.length > 1) {
    throw new UserError(
      `${name} has ${rows.length} rows in one group (different weights): name one of ${rows.map(rowLabel).join(', ')}`,
    );
  }
  return rows[0];
}

function side(r: BoardRow) {
  return { model: rowLabel(r), mean: r.joulesPer1k.mean, n: r.joulesPer1k.n };
}

/** One line per comparison. */
export function renderDifference(d: RowDifference): string {
  const est = d.energyKind === 'estimated' ? ' (estimated)' : '';
  const head = `${d.task} · ${d.group}:\n  ${d.a.model} ${sig(d.a.mean)} vs ${d.b.model} ${sig(d.b.mean)} J/1k${est}`;
  if (!d.test) {
    const short = [d.a, d.b].filter((s) => s.n < 3).map((s) => `${s.model} has ${s.n} repetition(s)`);
    return `${head}: no test (${short.join(', ')}; a test needs 3 each), so they tie`;
  }
  const { difference, ci95, t, df, p } = d.test;
  const verdict = d.significant
    ? `${difference < 0 ? d.a.model : d.b.model} uses less energy (significant at α = ${ALPHA})`
    : `not significant at α = ${ALPHA}: they tie`;
  return (
    `${head}: difference ${sig(difference)} J/1k [95% CI ${sig(ci95.low)}, ${sig(ci95.high)}], ` +
    `Welch t = ${t.toFixed(2)}, df = ${df.toFixed(1)}, p = ${p < 0.001 ? p.toExponential(1) : p.toFixed(3)}: ${verdict}`
  );
}

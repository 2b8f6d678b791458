// Which dataset rows a run uses: the first n usable rows (the default, as Power Hungry
// Processing's `.take(1000)`), or n rows drawn with a seeded generator (--sample-seed), so
// another machine draws exactly the same rows.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Selection } from '../schema/result-record.js';
import type { DatasetRow } from '../task-api.js';

export interface SelectedRow {
  row: DatasetRow;
  /** Index in the dataset file. */
  index: number;
}

export function selectRows(
  rows: readonly DatasetRow[],
  keep: ((row: DatasetRow) => boolean) | undefined,
  n: number,
  seed: number | null,
): { selected: SelectedRow[]; usable: number; selection: Selection } {
  const usable = rows.map((row, index) => ({ row, index })).filter(({ row }) => keep?.(row) ?? true);
  const count = Math.min(n, usable.length);
  if (seed === null)
    return { selected: usable.slice(0, count), usable: usable.length, selection: { method: 'first', n: count } };
  // Partial Fisher-Yates: the first `count` positions become a uniform sample; then back to
  // file order, so inputs keep the dataset's order whatever the seed.
  const pool = [...usable];
  const rng = xoroshiro128plus(seed);
  for (let i = 0; i < count; i++) {
    const j = uniformInt(rng, i, pool.length - 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const selected = pool.slice(0, count).sort((a, b) => a.index - b.index);
  return { selected, usable: usable.length, selection: { method: 'random', n: count, seed } };
}

import { describe, expect, it } from 'vitest';
import type { PlanUnit } from '../src/schema/run-plan.js';
import { cellsOf, parseShard, shardUnits, sortUnits, unitKey } from '../src/run/units.js';
import { selectRows } from '../src/datasets/selection.js';

function unit(task: string, model: string, dataset = 'org/data'): PlanUnit {
  return { task, model, dataset: { id: dataset, split: 'test', config: 'default', sha256: 'x' }, modelFiles: null };
}

const units = sortUnits([
  unit('summarization', 'b'),
  unit('classification', 'z'),
  unit('classification', 'a'),
  unit('generation', 'm'),
  unit('classification', 'a', 'org/other'),
  unit('generation', 'c'),
  unit('summarization', 'a'),
]);

describe('shards', () => {
  it('orders units by task, dataset and model', () => {
    expect(units.map((u) => `${u.task}/${u.model}`)).toEqual([
      'classification/a', // org/data
      'classification/z', // org/data
      'classification/a', // org/other
      'generation/c',
      'generation/m',
      'summarization/a',
      'summarization/b',
    ]);
  });

  it.each([1, 2, 3, 4, 7, 10])('partitions the plan exactly into %i shards: every cell once', (n) => {
    const seen = new Map<string, number>();
    for (let i = 1; i <= n; i++) {
      for (const cell of cellsOf(shardUnits(units, { index: i, count: n }), 3)) {
        const key = `${unitKey(cell.unit)}|${cell.repetition}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    const all = cellsOf(units, 3).map((c) => `${unitKey(c.unit)}|${c.repetition}`);
    expect([...seen.keys()].sort()).toEqual([...all].sort());
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
  });

  it('keeps all repetitions of a model on one shard', () => {
    const shard = shardUnits(units, { index: 2, count: 3 });
    const cells = cellsOf(shard, 4);
    for (const u of shard) expect(cells.filter((c) => c.unit === u).map((c) => c.repetition)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ['3/2', /i must be between 1 and n/],
    ['0/2', /i must be between 1 and n/],
    ['1/0', /i must be between 1 and n/],
    ['x', /expected i\/n with whole numbers/],
    ['1/2/3', /expected i\/n/],
    ['-1/2', /expected i\/n/],
  ])('rejects --shard %s in one line', (text, pattern) => {
    expect(() => parseShard(text)).toThrow(pattern);
  });

  it('accepts i/n', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  });
});

describe('sample selection', () => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ i }));

  it('takes the first n usable rows by default', () => {
    const s = selectRows(rows, (r) => (r.i as number) % 2 === 0, 5, null);
    expect(s.selected.map((r) => r.index)).toEqual([0, 2, 4, 6, 8]);
    expect(s.selection).toEqual({ method: 'first', n: 5 });
    expect(s.usable).toBe(25);
  });

  it('draws the same seeded sample every time, in file order, and a different one for another seed', () => {
    const a = selectRows(rows, undefined, 10, 7);
    const b = selectRows(rows, undefined, 10, 7);
    const c = selectRows(rows, undefined, 10, 8);
    expect(a.selected.map((r) => r.index)).toEqual(b.selected.map((r) => r.index));
    expect(a.selected.map((r) => r.index)).not.toEqual(c.selected.map((r) => r.index));
    const idx = a.selected.map((r) => r.index);
    expect(new Set(idx).size).toBe(10);
    expect([...idx].sort((x, y) => x - y)).toEqual(idx);
    expect(a.selection).toEqual({ method: 'random', n: 10, seed: 7 });
  });
});

// Star ratings: the quintile rule (default) and the AI Energy Score rule, ties, a lone model,
// an outlier, and fixtures (never rated).
import { describe, expect, it } from 'vitest';
import { buildBoard } from '../src/report/board.js';
import { DEFAULT_CARBON_INTENSITY } from '../src/report/carbon.js';
import { rate } from '../src/report/stars.js';
import { okRecord } from './helpers/records.js';

describe('quintile rule', () => {
  it('gives 5 stars to the lowest fifth and 1 star to the highest fifth', () => {
    expect(rate([1, 2, 3, 4, 5], 'quintile').stars).toEqual([5, 4, 3, 2, 1]);
    expect(rate([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 'quintile').stars).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('rates two models 5 and 1, three models 5, 3 and 1', () => {
    expect(rate([7, 3], 'quintile').stars).toEqual([1, 5]);
    expect(rate([1, 2, 3], 'quintile').stars).toEqual([5, 3, 1]);
  });

  it('gives tied energies the same stars', () => {
    const { stars } = rate([1, 2, 2, 3, 4], 'quintile');
    expect(stars[1]).toBe(stars[2]);
    expect(stars).toEqual([5, 4, 4, 2, 1]);
  });

  it('is not squashed by one outlier', () => {
    expect(rate([1, 2, 3, 4, 1000], 'quintile').stars).toEqual([5, 4, 3, 2, 1]);
  });

  it('prints its boundaries', () => {
    expect(rate([1, 2, 3, 4, 5], 'quintile').rule).toBe(
      'Stars: quintiles of J/1k among the 5 rated models of this group; boundaries 1.8, 2.6, 3.4, 4.2 J/1k (5★ at or below the first).',
    );
  });
});

describe('AI Energy Score rule', () => {
  it('uses five equal-width bins between the lowest and highest energy, Emax getting 1 star', () => {
    // w = (11 - 1) / 5 = 2: [1,3) → 5, [3,5) → 4, [5,7) → 3, [7,9) → 2, [9,11] → 1
    expect(rate([1, 2.99, 3, 6, 8.5, 9, 11], 'aies').stars).toEqual([5, 5, 4, 3, 2, 1, 1]);
  });

  it('lets one outlier squash everyone else into the top bin (unlike quintiles)', () => {
    expect(rate([1, 2, 3, 4, 1000], 'aies').stars).toEqual([5, 5, 5, 5, 1]);
  });

  it('gives ties the same stars', () => {
    expect(rate([1, 6, 6, 11], 'aies').stars).toEqual([5, 3, 3, 1]);
  });

  it('prints Emin, Emax and the bin width', () => {
    expect(rate([1, 11], 'aies').rule).toContain('Emin 1, Emax 11 J/1k, bin width w = (Emax − Emin)/5 = 2;');
  });
});

describe('groups that cannot be rated', () => {
  it.each(['quintile', 'aies'] as const)('%s: a lone model gets no stars', (rule) => {
    const r = rate([42], rule);
    expect(r.stars).toEqual([null]);
    expect(r.rule).toMatch(/lone model is not rated/);
  });

  it.each(['quintile', 'aies'] as const)('%s: models with identical energy get no stars', (rule) => {
    expect(rate([5, 5, 5], rule).stars).toEqual([null, null, null]);
  });
});

describe('stars on a published board', () => {
  const records = [
    okRecord({ model: 'a', joulesPer1k: 10 }),
    okRecord({ model: 'b', joulesPer1k: 20 }),
    okRecord({ model: 'c', joulesPer1k: 30 }),
    okRecord({ model: 'toy', kind: 'fixture', joulesPer1k: 1 }),
    okRecord({ model: 'alone', joulesPer1k: 5, cpuModel: 'Other CPU' }),
  ];

  it('rates within each hardware group, never fixtures, and says so under the table', async () => {
    const board = await buildBoard(records, { starRule: 'quintile', carbon: DEFAULT_CARBON_INTENSITY });
    const groups = board.tasks[0]!.groups;
    const main = groups.find((g) => g.hardware.startsWith('Test CPU'))!;
    expect(main.rows.map((r) => [r.model, r.stars])).toEqual([
      ['a', 5],
      ['b', 3],
      ['c', 1],
      ['toy', null],
    ]);
    expect(main.starsRule).toMatch(/among the 3 rated models/);
    expect(main.starsRule).toMatch(/Fixture rows \(not citable\) are never rated/);
    const other = groups.find((g) => g.hardware.startsWith('Other CPU'))!;
    expect(other.rows[0]!.stars).toBeNull();
    expect(other.starsRule).toMatch(/lone model/);
  });

  it('applies the AI Energy Score rule when asked', async () => {
    const board = await buildBoard([...records, okRecord({ model: 'd', joulesPer1k: 11 })], {
      starRule: 'aies',
      carbon: DEFAULT_CARBON_INTENSITY,
    });
    const main = board.tasks[0]!.groups.find((g) => g.hardware.startsWith('Test CPU'))!;
    // w = (30 - 10) / 5 = 4
    expect(Object.fromEntries(main.rows.map((r) => [r.model, r.stars]))).toEqual({ a: 5, d: 5, b: 3, c: 1, toy: null });
  });
});

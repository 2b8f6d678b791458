// Star ratings: the quintile rule (default) and the AI Energy Score rule, ties, a lone model,
// an outlier, and fixtures (never rated).
import { describe, expect, it } from 'vitest';
import { buildBoard } from '../src/report/board.js';
import { DEFAULT_CARBON_INTENSITY } from '../src/report/carbon.js';
import { rate } from '../src/report/stars.js';
import { okRecord, repetitions } from './helpers/records.js';

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
    ...repetitions({ model: 'a' }, [10, 10.2, 9.8]),
    ...repetitions({ model: 'b' }, [20, 20.2, 19.8]),
    ...repetitions({ model: 'c' }, [30, 30.2, 29.8]),
    okRecord({ model: 'toy', kind: 'fixture', joulesPer1k: 1 }),
    okRecord({ model: 'alone', joulesPer1k: 5, cpuModel: 'Other CPU' }),
  ];

  it('rates within each hardware group, never fixtures, and says so under the table', async () => {
    const board = await buildBoard(records, { starRule: 'quintile', carbon: DEFAULT_CARBON_INTENSITY });
    const groups = board.tasks[0]!.groups;
    const main = groups.find((g) => g.hardware.startsWith('Test CPU'))!;
    expect(main.rows.map((r) => [r.model, r.rank, r.tied, r.stars])).toEqual([
      ['a', 1, false, 5],
      ['b', 2, false, 3],
      ['c', 3, false, 1],
      ['toy', null, false, null],
    ]);
    expect(main.starsRule).toMatch(/among the 3 rated models/);
    expect(main.starsRule).toMatch(/Fixture rows \(not citable\) are never rated/);
    const other = groups.find((g) => g.hardware.startsWith('Other CPU'))!;
    expect(other.rows[0]!.stars).toBeNull();
    expect(other.starsRule).toMatch(/lone model/);
  });

  it('applies the AI Energy Score rule when asked', async () => {
    const board = await buildBoard([...records, ...repetitions({ model: 'd' }, [11, 11.2, 10.8])], {
      starRule: 'aies',
      carbon: DEFAULT_CARBON_INTENSITY,
    });
    const main = board.tasks[0]!.groups.find((g) => g.hardware.startsWith('Test CPU'))!;
    // w = (30 - 10) / 5 = 4
    expect(Object.fromEntries(main.rows.map((r) => [r.model, r.stars]))).toEqual({ a: 5, d: 5, b: 3, c: 1, toy: null });
  });
});

describe('ties instead of false winners', () => {
  const group = async (records: ReturnType<typeof repetitions>) =>
    (await buildBoard(records, { starRule: 'quintile' })).tasks[0]!.groups[0]!;

  it('gives two models with equal means (within noise) one rank and the same stars', async () => {
    // q8 vs fp32 about 1.4 sd apart: the stories260K case that flipped between two runs.
    const g = await group([
      ...repetitions({ model: 'q8' }, [51.4, 47.8, 55.0]),
      ...repetitions({ model: 'fp32' }, [56.3, 52.8, 59.8]),
      ...repetitions({ model: 'big' }, [200, 201, 199]),
    ]);
    expect(g.rows.map((r) => [r.model, r.rank, r.tied])).toEqual([
      ['q8', 1, true],
      ['fp32', 1, true],
      ['big', 3, false],
    ]);
    const stars = Object.fromEntries(g.rows.map((r) => [r.model, r.stars]));
    expect(stars.q8).toBe(stars.fp32);
    expect(stars.big).toBeLessThan(stars.q8!);
    expect(g.starsRule).toMatch(/Rows marked = tie .*Welch's t-test/);
  });

  it('chains ties: a row that ties with any row of a run joins it, so no two indistinguishable rows differ in rank or stars', async () => {
    // a ~ b and b ~ c (b is noisy), though a and c differ clearly (Welch p < 0.001): all three tie.
    const g = await group([
      ...repetitions({ model: 'a' }, [10, 10.1, 9.9]),
      ...repetitions({ model: 'b' }, [10.5, 11.5, 9.5]),
      ...repetitions({ model: 'c' }, [11, 11.1, 10.9]),
      ...repetitions({ model: 'far' }, [30, 30.1, 29.9]),
      ...repetitions({ model: 'farther' }, [60, 60.1, 59.9]),
    ]);
    expect(g.rows.map((r) => [r.model, r.rank, r.tied])).toEqual([
      ['a', 1, true],
      ['b', 1, true],
      ['c', 1, true],
      ['far', 4, false],
      ['farther', 5, false],
    ]);
    const stars = g.rows.map((r) => r.stars);
    expect(new Set(stars.slice(0, 3)).size).toBe(1);
    expect(stars[3]).not.toBe(stars[0]);
  });

  it('lets a row under 3 repetitions tie with the row above it, but chain nothing', async () => {
    const g = await group([
      ...repetitions({ model: 'a' }, [10, 10.01, 9.99]),
      ...repetitions({ model: 'b' }, [20, 20.01, 19.99]),
      ...repetitions({ model: 'c' }, [30, 30.01, 29.99]),
      ...repetitions({ model: 'once' }, [35]),
      ...repetitions({ model: 'd' }, [40, 40.01, 39.99]),
    ]);
    expect(g.rows.map((r) => [r.model, r.rank])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['once', 3],
      ['d', 5],
    ]);
    expect(new Set(g.rows.map((r) => r.stars)).size).toBeGreaterThan(2);
  });

  it('keeps in one run two rows that tie though a row between them does not tie with the first', async () => {
    // first and second are told apart; wide (the noisiest, highest mean) ties with both.
    const g = await group([
      ...repetitions({ model: 'first' }, [10, 10.01, 9.99]),
      ...repetitions({ model: 'second' }, [11, 11.01, 10.99]),
      ...repetitions({ model: 'wide' }, [5, 19, 12]),
    ]);
    expect(g.rows.map((r) => [r.model, r.rank])).toEqual([
      ['first', 1],
      ['second', 1],
      ['wide', 1],
    ]);
  });

  it('separates two clearly different models, with different stars', async () => {
    const g = await group([
      ...repetitions({ model: 'lean' }, [10, 10.1, 9.9]),
      ...repetitions({ model: 'hungry' }, [12, 12.1, 11.9]),
    ]);
    expect(g.rows.map((r) => [r.rank, r.tied])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect(g.rows[0]!.stars).not.toBe(g.rows[1]!.stars);
  });

  it('runs no test under 3 repetitions: such rows tie, and get no stars when all tie', async () => {
    const g = await group([...repetitions({ model: 'x' }, [10, 11]), ...repetitions({ model: 'y' }, [50, 51])]);
    expect(g.rows.map((r) => [r.rank, r.tied, r.stars])).toEqual([
      [1, true, null],
      [1, true, null],
    ]);
    expect(g.starsRule).toMatch(/none .*every two rows of this group tie/);
  });

  it('flags a row whose repetitions trend (least-squares slope, t-test, α = 0.05), and says by how much', async () => {
    const g = await group([...repetitions({ model: 'warming' }, [10, 11.2, 11.9, 13.1, 14, 15.2])]);
    expect(g.rows[0]!.drift).toBe(true);
    expect(g.notes.join(' ')).toMatch(
      /warming: its repetitions trend: \+1\.0\d J\/1k per repetition \(p < 0\.001, least-squares slope/,
    );
    const steady = await group([...repetitions({ model: 'steady' }, [10, 11, 10, 11, 10, 11])]);
    expect(steady.rows[0]!.drift).toBe(false);
  });

  it('flags about 5% of rows whose repetitions are steady noise, at 3, 5 and 10 repetitions', async () => {
    let seed = 12345; // a fixed LCG and Box-Muller: the same noise on every machine
    const uniform = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed + 0.5) / 2 ** 32;
    };
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    for (const n of [3, 5, 10]) {
      const records = Array.from({ length: 300 }, (_, m) =>
        repetitions(
          { model: `m${m}` },
          Array.from({ length: n }, () => 100 + 5 * normal()),
        ),
      ).flat();
      const rows = (await buildBoard(records, { starRule: 'quintile' })).tasks[0]!.groups[0]!.rows;
      const flagged = rows.filter((r) => r.drift).length / rows.length;
      expect(flagged, `n = ${n}`).toBeGreaterThan(0.01);
      expect(flagged, `n = ${n}`).toBeLessThan(0.1);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { topKAccuracy } from '../src/metrics/top-k.js';

describe('top-k accuracy', () => {
  const ranked = [
    ['cat', 'dog', 'bird'],
    ['dog', 'cat', 'bird'],
    [null, 'bird', 'cat'],
  ];
  const gold = ['cat', 'cat', 'frog'];

  it('counts a hit when the gold label is among the first k', () => {
    expect(topKAccuracy(ranked, gold, 1)).toBeCloseTo(1 / 3, 12);
    expect(topKAccuracy(ranked, gold, 2)).toBeCloseTo(2 / 3, 12);
    expect(topKAccuracy(ranked, gold, 5)).toBeCloseTo(2 / 3, 12);
  });

  it('never matches an unmapped (null) prediction', () => {
    expect(topKAccuracy([[null]], [null as unknown as string], 1)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { classificationScores } from '../src/metrics/label-scores.js';

describe('classificationScores', () => {
  it('computes accuracy and macro-F1 on a worked example', () => {
    // 6 samples: confusion pos->pos 2, pos->neg 1, neg->neg 2, neg->pos 1.
    const actual = ['positive', 'positive', 'positive', 'negative', 'negative', 'negative'];
    const predicted = ['positive', 'positive', 'negative', 'negative', 'negative', 'positive'];
    const s = classificationScores(predicted, actual, ['negative', 'positive']);
    expect(s.accuracy).toBeCloseTo(4 / 6);
    // F1 is 2/3 for both classes (precision = recall = 2/3).
    expect(s.macroF1).toBeCloseTo(2 / 3);
  });

  it('counts an unmapped prediction (null) as wrong without crediting any class', () => {
    const s = classificationScores(['positive', null], ['positive', 'negative'], ['negative', 'positive']);
    expect(s.accuracy).toBe(0.5);
    // positive: tp 1 -> F1 1; negative: fn 1 -> F1 0; macro = 0.5
    expect(s.macroF1).toBeCloseTo(0.5);
  });

  it('is unbalanced-aware: always predicting the majority class scores low macro-F1', () => {
    const actual = ['a', 'a', 'a', 'b'];
    const s = classificationScores(['a', 'a', 'a', 'a'], actual, ['a', 'b']);
    expect(s.accuracy).toBe(0.75);
    expect(s.macroF1).toBeCloseTo((6 / 7 + 0) / 2); // a: 2*3/(2*3+1) = 6/7
  });
});

// SQuAD v1.1 exact match and F1, against the official script's behaviour: every expected value
// below was produced by running huggingface/evaluate metrics/squad/compute_score.py (the v1.1
// script) on the same strings.
import { describe, expect, it } from 'vitest';
import { exactMatch, normalizeAnswer, squadScores, tokenF1 } from '../src/metrics/squad.js';

const cases: [string, string[], number, number][] = [
  ['Denver Broncos', ['Denver Broncos', 'Denver Broncos'], 1, 1],
  ['the Denver Broncos!', ['Denver Broncos'], 1, 1],
  ['Broncos', ['Denver Broncos'], 0, 2 / 3],
  ['Denver Broncos defeated', ['Denver Broncos'], 0, 0.8],
  ['Carolina Panthers', ['Denver Broncos'], 0, 0],
  ['an apple a day', ['apple day'], 1, 1],
  ['Santa Clara, California', ["Levi's Stadium", 'Santa Clara, California'], 1, 1],
  ['the the cat cat', ['cat'], 0, 2 / 3],
  ['24–10', ['24-10'], 0, 0], // the en dash is not ASCII punctuation
  ['24-10', ['2410'], 1, 1],
  ['', ['Denver Broncos'], 0, 0],
  ['the', ['a'], 1, 0], // both normalise to nothing: EM true, F1 0 (v1.1; v2.0 differs)
  ['Théâtre', ['theatre'], 0, 0],
  ['x_the y', ['x_the y'], 1, 1],
  ['thé a', ['thé'], 1, 1], // Python's \b does not split "th|é"
  ['the-end', ['end'], 0, 0], // punctuation goes before articles: "theend"
  ['(The) cat', ['cat'], 1, 1],
  ['A.B.C.', ['abc'], 1, 1],
  ['U.S.', ['US'], 1, 1],
  ['1,000', ['1000'], 1, 1],
];

describe('SQuAD v1.1 metrics', () => {
  it.each(cases)('%j vs %j: EM %d, F1 %d', (prediction, golds, em, f1) => {
    expect(golds.some((g) => exactMatch(prediction, g)) ? 1 : 0).toBe(em);
    expect(Math.max(...golds.map((g) => tokenF1(prediction, g)))).toBeCloseTo(f1, 12);
  });

  it('normalises as Python does where JavaScript differs (Unicode \\b, str.split())', () => {
    expect(normalizeAnswer('Wesoła')).toBe('wesoła'); // a naive /\ba\b/ would cut the ł-word
    expect(normalizeAnswer('éthe')).toBe('éthe');
    expect(normalizeAnswer('a\x85b\x1cc')).toBe('b c');
  });

  it('aggregates as compute_score: each question scores its best gold answer', () => {
    const s = squadScores(['Denver Broncos', 'Broncos', 'nothing'], [['Denver Broncos'], ['Denver Broncos'], ['x']]);
    expect(s.exactMatch).toBeCloseTo(1 / 3, 12);
    expect(s.f1).toBeCloseTo((1 + 2 / 3 + 0) / 3, 12);
  });
});

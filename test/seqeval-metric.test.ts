// Entity-level P/R/F1 with seqeval's strict IOB2 rules; every expected value below is what
// seqeval (chakki-works/seqeval, mode='strict', scheme=IOB2) returns for the same tags.
import { describe, expect, it } from 'vitest';
import { entitiesIob2, entityScores } from '../src/metrics/seqeval.js';

const split = (s: string) => s.split(' ');
const cases: [string, string, string, [number, number, number]][] = [
  ['exact', 'B-PER I-PER O B-LOC', 'B-PER I-PER O B-LOC', [1, 1, 1]],
  ['partial span, too short', 'B-PER I-PER O', 'B-PER O O', [0, 0, 0]],
  ['partial span, too long', 'B-PER O O', 'B-PER I-PER O', [0, 0, 0]],
  ['wrong type', 'B-PER I-PER O', 'B-ORG I-ORG O', [0, 0, 0]],
  ['I- without B- after O (seqeval default mode would count it)', 'O B-PER I-PER', 'O I-PER I-PER', [0, 0, 0]],
  ['I- at sentence start', 'B-LOC O', 'I-LOC O', [0, 0, 0]],
  ['I- after another type', 'B-ORG I-ORG O', 'B-ORG I-PER O', [0, 0, 0]],
  ['B then I of another type', 'B-PER B-LOC', 'B-PER I-LOC', [1, 0.5, 2 / 3]],
  ['adjacent B B vs merged', 'B-PER B-PER', 'B-PER I-PER', [0, 0, 0]],
  ['no predictions', 'B-PER O', 'O O', [0, 0, 0]],
  ['no gold, one prediction', 'O O', 'B-PER O', [0, 0, 0]],
];

describe('seqeval strict IOB2', () => {
  it.each(cases)('%s', (_name, gold, predicted, [p, r, f1]) => {
    const s = entityScores([split(gold)], [split(predicted)]);
    expect([s.precision, s.recall]).toEqual([p, r]);
    expect(s.f1).toBeCloseTo(f1, 12);
  });

  it("micro-averages over sentences: seqeval's README example and a two-sentence case", () => {
    const readme = entityScores(
      [split('O O O B-MISC I-MISC I-MISC O'), split('B-PER I-PER O')],
      [split('O O B-MISC I-MISC I-MISC I-MISC O'), split('B-PER I-PER O')],
    );
    expect([readme.precision, readme.recall, readme.f1]).toEqual([0.5, 0.5, 0.5]);
    const two = entityScores(
      [split('B-PER I-PER O B-LOC'), split('B-ORG O B-MISC')],
      [split('B-PER I-PER O O'), split('I-ORG O B-PER')],
    );
    expect(two.precision).toBeCloseTo(0.5, 12);
    expect(two.recall).toBeCloseTo(0.25, 12);
    expect(two.f1).toBeCloseTo(1 / 3, 12);
  });

  it('reads spans with exclusive ends', () => {
    expect(entitiesIob2(split('B-PER I-PER O B-LOC'))).toEqual([
      { type: 'PER', start: 0, end: 2 },
      { type: 'LOC', start: 3, end: 4 },
    ]);
  });
});

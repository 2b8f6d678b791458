// The token-classification task: CoNLL rows become space-joined sentences with IOB2 tag names,
// each word is aligned to its first sub-token (WordPiece and byte-level BPE), a model's labels
// must all map by name onto the dataset's, and entities score as seqeval's strict IOB2 mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelFacts, Sample, TaskDef } from '../src/task-api.js';
import { loadTask } from '../tasks/index.js';
import { wordStarts } from '../tasks/token-classification.js';
import { loadMirrorModel, type MirrorModel } from './helpers/mirror-model.js';

const row0 = {
  id: '0',
  tokens: ['CRICKET', '-', 'LEICESTERSHIRE', 'TAKE', 'OVER', 'AT', 'TOP', 'AFTER', 'INNINGS', 'VICTORY', '.'],
  ner_tags: [0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0],
};
const row1 = { id: '1', tokens: ['LONDON', '1996-08-30'], ner_tags: [5, 0] };
const conll = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];

describe('token-classification task', () => {
  let task: TaskDef;
  let ner: MirrorModel;
  let bart: MirrorModel;
  beforeAll(async () => {
    task = await loadTask('token-classification');
    ner = await loadMirrorModel(task, 'joulebench-fixtures/tiny-random-bert-ner');
    bart = await loadMirrorModel(await loadTask('summarization'), 'joulebench-fixtures/tiny-random-bart');
  });
  afterAll(async () => {
    await ner.pipe.dispose();
    await bart.pipe.dispose();
  });

  it("joins the tokens with spaces and names the tags with the dataset's labels", async () => {
    const s = await task.prepare(row0, 0, task.dataset);
    expect(s.input).toBe('CRICKET - LEICESTERSHIRE TAKE OVER AT TOP AFTER INNINGS VICTORY .');
    expect(s.reference).toEqual({
      words: row0.tokens,
      tags: ['O', 'O', 'B-ORG', 'O', 'O', 'O', 'O', 'O', 'O', 'O', 'O'],
    });
  });

  it('names the row of a malformed one', () => {
    expect(() => task.prepare({ id: '3', tokens: ['a'] }, 3, task.dataset)).toThrow(
      "Dataset eriktks/conll2003 (validation) row 4 has no field 'ner_tags'; its fields are: id, tokens",
    );
    expect(() => task.prepare({ tokens: ['a', 'b'], ner_tags: [0] }, 4, task.dataset)).toThrow(
      'Dataset eriktks/conll2003 (validation) row 5: has 2 tokens but 1 tags',
    );
    expect(() => task.prepare({ tokens: ['a'], ner_tags: [9] }, 5, task.dataset)).toThrow(
      'row 6: tag 9 is not one of 0..8',
    );
    expect(() => task.prepare({ tokens: 'a b', ner_tags: [0] }, 6, task.dataset)).toThrow(
      "row 7: field 'tokens' should be a list of strings",
    );
  });

  it("finds each word's first sub-token, after [CLS], in WordPiece", () => {
    // "london" is token 1; "1996-08-30" is five tokens (1996 - 08 - 30), starting at 2.
    expect(wordStarts(ner.facts.tokenizer!, row1.tokens)).toEqual([1, 2]);
    expect(wordStarts(ner.facts.tokenizer!, row0.tokens)).toHaveLength(11);
  });

  it('and in byte-level BPE, where every word but the first carries its space', () => {
    const t = bart.facts.tokenizer!;
    const starts = wordStarts(t, ['Boulter', 'is', 'an', 'actor'])!;
    expect(starts[0]).toBe(1); // after <s>
    const ids = t.encode('Boulter is an actor');
    expect(ids[starts[2]!]).toBe(t.encode(' an', false)[0]); // "Ġan"
    expect(ids[starts[3]!]).toBe(t.encode(' actor', false)[0]); // "Ġact" of "Ġact" + "or"
  });

  it("checks that every label the model outputs maps by name, before any window (dslim's order is not CoNLL's)", () => {
    const samples: Sample[] = [
      { input: 'LONDON 1996-08-30', reference: { words: row1.tokens, tags: ['B-LOC', 'O'] }, row: 1 },
    ];
    const dslimOrder = ['O', 'B-MISC', 'I-MISC', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC'];
    const facts = (labels: string[], labelMap: Record<string, string>): ModelFacts => ({
      ...ner.facts,
      id: 'org/ner',
      labels,
      labelMap,
    });
    const byName = Object.fromEntries(conll.map((l) => [l, l]));
    expect(() => task.forModel!(samples, facts(dslimOrder, byName))).not.toThrow();
    const { 'B-MISC': _, ...noMisc } = byName;
    expect(() => task.forModel!(samples, facts(dslimOrder, noMisc))).toThrow(
      `Model org/ner: models.json "labels" does not map the model's label 'B-MISC' (every label must map here)`,
    );
    expect(() => task.forModel!(samples, facts(dslimOrder, { ...byName, 'B-PER': 'B-PERSON' }))).toThrow(
      `Model org/ner: models.json "labels" maps 'B-PER' to 'B-PERSON', which is not a dataset label (O, B-PER, I-PER,`,
    );
    expect(() => task.forModel!(samples, facts(dslimOrder, { ...byName, 'B-DATE': 'O' }))).toThrow(
      `Model org/ner: models.json "labels" names 'B-DATE', which the model does not output (its labels: O, B-MISC,`,
    );
  });

  it('scores strict IOB2 entities: partial spans and wrong types miss, stray I- starts nothing', () => {
    const sample = (words: string[], tags: string[], starts: number[] | null): Sample => ({
      input: words.join(' '),
      reference: { words, tags, starts },
      row: 0,
    });
    const samples = [
      sample(['Nadim', 'Ladki'], ['B-PER', 'I-PER'], [1, 2]),
      sample(['JAPAN', 'GET', 'CHINA'], ['B-LOC', 'O', 'B-PER'], [1, 2, 3]),
      sample(['LEICESTERSHIRE'], ['B-ORG'], null), // could not be aligned: all O
      sample(['1996', 'Paris'], ['O', 'B-LOC'], [1, 2]),
    ];
    const outputs = [
      [{ entity: 'B-PER', index: 1 }], // partial span: B-PER O
      [
        { entity: 'B-LOC', index: 1 }, // right
        { entity: 'B-ORG', index: 3 }, // wrong type
      ],
      [{ entity: 'B-ORG', index: 1 }],
      [
        { entity: 'B-DATE', index: 1 }, // mapped to O
        { entity: 'I-LOC', index: 2 }, // I- after O: no entity in strict mode
      ],
    ];
    const labels = { O: 'O', 'B-PER': 'B-PER', 'B-LOC': 'B-LOC', 'I-LOC': 'I-LOC', 'B-ORG': 'B-ORG', 'B-DATE': 'O' };
    const q = task.score(samples, outputs, { dataset: task.dataset, labels });
    // Gold: PER, LOC, PER, ORG, LOC (5); predicted: PER[0,1), LOC, ORG (3); right: LOC.
    expect(q.precision).toBeCloseTo(1 / 3, 12);
    expect(q.recall).toBeCloseTo(1 / 5, 12);
    expect(q.f1).toBeCloseTo((2 * (1 / 3) * (1 / 5)) / (1 / 3 + 1 / 5), 12);
    expect(q.unalignedRate).toBe(0.25);
  });

  it('scores what the real pipeline outputs for a sentence (random-weight fixture)', async () => {
    const [fitted] = await task.forModel!([await task.prepare(row1, 1, task.dataset)], ner.facts);
    const out = await ner.pipe(fitted!.input, task.callOptions);
    // The fixture labels "london" I-LOC (a stray I-: no entity) and "1996" B-LOC: one wrong LOC.
    expect((out as { entity: string; index: number }[]).slice(0, 2)).toMatchObject([
      { entity: 'I-LOC', index: 1 },
      { entity: 'B-LOC', index: 2 },
    ]);
    const q = task.score([fitted!], [out], { dataset: task.dataset, labels: ner.facts.labelMap });
    expect(q).toEqual({ precision: 0, recall: 0, f1: 0, unalignedRate: 0 });
  });
});

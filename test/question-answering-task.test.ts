// The question-answering task: SQuAD rows become {question, context} inputs, the pipeline is
// called with its two positional arguments (one question or a batch), and the re-decoded answers
// are mapped back to the context before SQuAD v1.1 exact match and F1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverSpan } from '../src/metrics/answer-span.js';
import type { Sample, TaskDef } from '../src/task-api.js';
import { loadTask } from '../tasks/index.js';
import { hubDir } from './helpers/env.js';
import { loadMirrorModel, type MirrorModel } from './helpers/mirror-model.js';

const squadRows = readFileSync(join(hubDir, 'datasets/rajpurkar/squad/validation.jsonl'), 'utf8')
  .trimEnd()
  .split('\n')
  .slice(0, 6)
  .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('recoverSpan: the context text of a re-decoded answer', () => {
  const context = 'The New York-based U.S. Army unit of 1,063 ft won 24–10 at the Théâtre.';
  it.each([
    ['new york - based', 'New York-based'],
    ['u. s. army', 'U.S. Army'],
    ['1, 063 ft', '1,063 ft'],
    ['24 10', '24–10'],
    ['theatre', 'Théâtre'], // an uncased tokenizer strips accents
    ['no match here', null],
    ['', null],
  ])('%j -> %j', (answer, span) => {
    expect(recoverSpan(context, answer)).toBe(span);
  });

  it('takes the first occurrence, and whole code points outside the BMP', () => {
    expect(recoverSpan('a cat, a cat', 'cat')).toBe('cat');
    expect(recoverSpan('x 𝐀𝐁 y', '𝐀𝐁')).toBe('𝐀𝐁');
  });
});

describe('question-answering task', () => {
  let task: TaskDef;
  beforeAll(async () => {
    task = await loadTask('question-answering');
  });

  it('prepares question and context as the input, the gold texts as the reference', async () => {
    const s = await task.prepare(squadRows[0]!, 0, task.dataset);
    expect(s.input).toEqual({
      question: 'Which NFL team represented the AFC at Super Bowl 50?',
      context: expect.stringMatching(/^Super Bowl 50 was an American football game/),
    });
    expect(s.reference).toEqual(['Denver Broncos', 'Denver Broncos', 'Denver Broncos']);
  });

  it('names the row of a malformed one', async () => {
    const { answers: _, ...noAnswers } = squadRows[0]!;
    expect(() => task.prepare(noAnswers, 3, task.dataset)).toThrow(
      "Dataset rajpurkar/squad (validation) row 4 has no field 'answers'; its fields are: id, title, question, context",
    );
    expect(() => task.prepare({ ...squadRows[0], answers: { text: [1] } }, 4, task.dataset)).toThrow(
      "Dataset rajpurkar/squad (validation) row 5: field 'answers' should have a list of strings 'text'",
    );
    expect(() => task.prepare({ ...squadRows[0], question: 7 }, 5, task.dataset)).toThrow(
      "row 6: field 'question' should be a string, got 7",
    );
    expect(task.keep?.({ ...squadRows[0], answers: { text: [], answer_start: [] } }, task.dataset)).toBe(false); // SQuAD v2
  });

  it('scores the context span of each answer: exact match and F1 as the v1.1 script', () => {
    const context = 'The New York-based Denver Broncos defeated the Carolina Panthers 24–10.';
    const samples: Sample[] = [
      { input: { question: 'q', context }, reference: ['New York-based'], row: 0 },
      { input: { question: 'q', context }, reference: ['Denver Broncos'], row: 1 },
      { input: { question: 'q', context }, reference: ['Carolina Panthers', 'the Panthers'], row: 2 },
      { input: { question: 'q', context }, reference: ['24–10'], row: 3 },
    ];
    const outputs = [
      { answer: 'new york - based', score: 0.5 }, // EM only once mapped back: "new yorkbased" vs "new york based"
      [{ answer: 'broncos', score: 0.4 }], // a top_k list: its first answer; F1 2/3
      { answer: 'panthers 24', score: 0.3 }, // F1 0.5 against "Carolina Panthers", 2/3 against "the Panthers"
      { answer: 'nowhere in it', score: 0.1 }, // no span: scored as decoded, 0
    ];
    const q = task.score(samples, outputs, { dataset: task.dataset, labels: undefined });
    expect(q.exactMatch).toBeCloseTo(1 / 4, 12);
    expect(q.f1).toBeCloseTo((1 + 2 / 3 + 2 / 3 + 0) / 4, 12);
  });

  describe('calling the real pipeline (random-weight fixture)', () => {
    let model: MirrorModel;
    beforeAll(async () => {
      model = await loadMirrorModel(task, 'joulebench-fixtures/tiny-random-bert-qa');
    });
    afterAll(() => model.pipe.dispose());

    it('passes question and context as two arguments, one question or a batch', async () => {
      const [a, b] = await Promise.all([0, 5].map((i) => task.prepare(squadRows[i]!, i, task.dataset)));
      const pipe = model.pipe as unknown as (...args: unknown[]) => Promise<unknown>;
      const one = (await task.call!(pipe, a!.input, task.callOptions)) as { answer: string; score: number };
      // The fixture's answer for SQuAD row 0, as the pipeline gives it when called directly.
      expect(one.answer).toBe('s in the san bay area at santa, california. as this was the super, the');
      expect(one.score).toBeCloseTo(0.00453221538337837, 9);
      const batch = (await task.call!(pipe, [a!.input, b!.input], task.callOptions)) as { answer: string }[];
      expect(batch.map((x) => x.answer)).toEqual([one.answer, expect.stringMatching(/^third super title/)]);
    });
  });
});

// The fill-mask task: which word of a paragraph is masked (a seeded rule on the words alone, so
// every model and both dataset layouts mask the same one), whether a model's tokenizer keeps it
// whole (WordPiece and byte-level BPE alike), the model's own mask token, and top-k scoring.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample, TaskDef } from '../src/task-api.js';
import { keepsWhole, maskedWord } from '../tasks/fill-mask.js';
import { loadTask } from '../tasks/index.js';
import { loadMirrorModel, type MirrorModel } from './helpers/mirror-model.js';

// WikiText test row 0, as the mirror stores it and (with its leading space and newline) as the Hub does.
const paragraph =
  'Robert Boulter is an English film , television and theatre actor . He had a guest @-@ starring role on ' +
  'the television series The Bill in 2000 .';

describe('the masked word', () => {
  it('is one of the first 20 words, lower-case letters only, at least 3 of them', () => {
    const m = maskedWord(paragraph)!;
    expect(m.words).toHaveLength(20);
    expect(m.words[m.at]).toMatch(/^[a-z]{3,}$/);
    expect(maskedWord('Robert Boulter , 2000 @-@ an BBC')).toBeNull();
  });

  it('depends only on the words: the same pick in the Hub layout, on every call', () => {
    const m = maskedWord(paragraph)!;
    expect(maskedWord(` ${paragraph} \n`)).toEqual(m);
    // The seeded pick for this paragraph (xoroshiro128+ over FNV-1a of the words, seed 20261218).
    expect(m.words[m.at]).toBe('role');
    expect(m.at).toBe(18);
  });
});

describe('fill-mask task', () => {
  let task: TaskDef;
  let bert: MirrorModel;
  let bart: MirrorModel;
  beforeAll(async () => {
    task = await loadTask('fill-mask');
    bert = await loadMirrorModel(task, 'joulebench-fixtures/tiny-random-bert-fill-mask');
    bart = await loadMirrorModel(await loadTask('summarization'), 'joulebench-fixtures/tiny-random-bart');
  });
  afterAll(async () => {
    await bert.pipe.dispose();
    await bart.pipe.dispose();
  });

  const at = (words: string, word: string) => {
    const ws = words.split(' ');
    return { words: ws, at: ws.indexOf(word) };
  };

  it('tells whole-word pieces from split words in WordPiece (unknown words are not whole)', () => {
    const t = bert.facts.tokenizer!;
    expect(t.maskToken).toBe('[MASK]');
    expect(keepsWhole(t, at('an English film , television and theatre', 'television'), '[MASK]')).toBe(true);
    expect(keepsWhole(t, at('Robert boulter is an actor', 'boulter'), '[MASK]')).toBe(false); // [UNK]
  });

  it('tells them apart in byte-level BPE too, where a word carries its leading space', () => {
    const t = bart.facts.tokenizer!;
    expect(t.maskToken).toBe('<mask>');
    expect(keepsWhole(t, at('Boulter is an English actor', 'an'), '<mask>')).toBe(true); // "Ġan"
    expect(keepsWhole(t, at('Boulter is an English actor', 'actor'), '<mask>')).toBe(false); // "Ġact" + "or"
  });

  it("puts in the model's own mask token and flags words its tokenizer splits", async () => {
    const samples = [
      await task.prepare({ prompt: paragraph }, 0, task.dataset),
      await task.prepare({ prompt: 'He had a recurring role in 2003 on two episodes of The Bill' }, 1, task.dataset),
    ];
    const fitted = await task.forModel!(samples, bert.facts);
    expect(fitted[0]!.input).toBe(
      'Robert Boulter is an English film , television and theatre actor . He had a guest @-@ starring [MASK] on',
    );
    expect(fitted[0]!.reference).toMatchObject({ at: 18, whole: true });
    const outputs = await Promise.all(fitted.map((s) => bert.pipe(s.input, task.callOptions)));
    expect((outputs[0] as unknown[]).length).toBe(5); // top_k 5
  });

  it('refuses a model whose tokenizer has no mask token, naming it', async () => {
    const samples = [await task.prepare({ prompt: paragraph }, 0, task.dataset)];
    const noMask = { ...bert.facts, id: 'org/gpt', tokenizer: { ...bert.facts.tokenizer!, maskToken: undefined } };
    expect(() => task.forModel!(samples, noMask)).toThrow(
      'Model org/gpt: its tokenizer has no mask token, so it cannot fill masks',
    );
  });

  it('scores top-1 and top-5 on the predicted token text, leading spaces trimmed', () => {
    const sample = (words: string, word: string, whole: boolean): Sample => ({
      input: '',
      reference: { ...at(words, word), whole },
      row: 0,
    });
    const samples = [
      sample('a film and television actor', 'television', true),
      sample('a film and theatre actor', 'theatre', true),
      sample('a guest starring role', 'role', true),
      sample('Robert boulter is', 'boulter', false), // split: never one token
    ];
    const filled = (...tokens: string[]) => tokens.map((token_str, i) => ({ token_str, score: 1 / (i + 2) }));
    const outputs = [
      filled(' television', ' radio', ' film', ' stage', ' the'), // BPE: leading space
      filled('radio', 'cinema', 'film', 'opera', 'theatre'), // fifth
      filled('part', 'guest', 'lead', 'minor', 'small'), // missed
      filled('boul', 'bou', 'b', 'ter', 'x'),
    ];
    const q = task.score(samples, outputs, { dataset: task.dataset, labels: undefined });
    expect(q).toEqual({ top1Accuracy: 0.25, top5Accuracy: 0.5, splitRate: 0.25 });
  });
});

// Masked language modelling on WikiText paragraphs: one word of each paragraph's first 20 words
// is masked and the model fills it in; top-1 and top-5 accuracy of the masked word. Power
// Hungry Processing masked the 20th word of BookCorpus, C4 and OSCAR rows and measured no
// quality; none of those is in the offline mirror, so WikiText stands in.
//
// Which word: among the lower-case alphabetic words of three letters or more (proper nouns,
// numbers, punctuation and WikiText's "@-@" are left out: tokenizers split them most), one
// picked by seededChoice over the words themselves. The pick depends on neither the model nor
// the row's position in the file, so every model is asked for the same word in the same text
// (only the mask token is each model's own), and the mirror and the Hub's rows agree.
//
// A tokenizer may still split the word into several pieces, which one mask cannot hold. Such a
// row still runs (every model does the same number of inferences on the same texts) and counts
// as a miss, and `splitRate` says how many rows that was for the model: read accuracy beside it.
import { topKAccuracy } from '../src/metrics/top-k.js';
import {
  defineTask,
  field,
  fieldValue,
  metric,
  modelError,
  rowError,
  seededChoice,
  tokenizerOf,
  type TaskTokenizer,
} from '../src/task-api.js';

const CONTEXT_WORDS = 20;
const SEED = 20261218;
const CANDIDATE = /^[a-z]{3,}$/;

interface Masked {
  /** The paragraph's first words. */
  words: string[];
  /** Index of the masked word. */
  at: number;
}

interface Reference extends Masked {
  /** Whether this model's tokenizer keeps the word as one piece (set per model). */
  whole?: boolean;
}

interface Filled {
  token_str: string;
}

/** The masked word of a paragraph, or null when none of its first words qualifies. */
export function maskedWord(text: string): Masked | null {
  const words = text.trim().split(/\s+/).slice(0, CONTEXT_WORDS);
  const candidates = words.flatMap((w, i) => (CANDIDATE.test(w) ? [i] : []));
  if (candidates.length === 0) return null;
  return { words, at: candidates[seededChoice(SEED, words.join(' '), candidates.length)]! };
}

function textWith(m: Masked, replacement: string): string {
  return m.words.map((w, i) => (i === m.at ? replacement : w)).join(' ');
}

/**
 * Whether the tokenizer keeps the masked word as one piece: the text and the masked text
 * encode to the same number of tokens, differing in one place, which holds the mask in one
 * and an ordinary (not special, not unknown) token in the other. No assumption about word
 * boundaries or leading spaces: it works alike for WordPiece, byte-level BPE and SentencePiece.
 */
export function keepsWhole(tokenizer: TaskTokenizer, m: Masked, maskToken: string): boolean {
  const plain = tokenizer.encode(textWith(m, m.words[m.at]!));
  const masked = tokenizer.encode(textWith(m, maskToken));
  if (plain.length !== masked.length) return false;
  const differ = plain.flatMap((id, i) => (id !== masked[i] ? [i] : []));
  return (
    differ.length === 1 && masked[differ[0]!] === tokenizer.maskTokenId && !tokenizer.specialIds.has(plain[differ[0]!]!)
  );
}

export default defineTask({
  name: 'fill-mask',
  version: 1,
  description:
    'Fill-mask: one seeded lower-case word per paragraph masked, the same for every model; top-1/top-5 accuracy; ' +
    'splitRate: rows whose word the tokenizer splits (a miss)',
  pipeline: 'fill-mask',
  dataset: {
    id: 'Salesforce/wikitext',
    split: 'test',
    config: 'wikitext-2-raw-v1',
    fields: { text: ['text', 'prompt'] }, // the Hub's column, then the mirror's
    description: `WikiText-2 (raw) test paragraphs, first ${CONTEXT_WORDS} words, one masked; empty lines, headings skipped`,
  },
  callOptions: { top_k: 5 },
  metrics: [
    metric('top1Accuracy', 'Top-1', true),
    metric('top5Accuracy', 'Top-5', true),
    metric('splitRate', 'Split words', false),
  ],
  primaryMetric: 'top1Accuracy',
  generative: false,
  keep(row, spec) {
    const text = fieldValue(row, spec, 'text');
    if (typeof text !== 'string') return true; // prepare() names the row
    const t = text.trim();
    return t !== '' && !/^=.*=$/.test(t) && maskedWord(t) !== null; // Hub rows: empty lines and headings
  },
  prepare(row, rowIndex, spec) {
    const masked = maskedWord(field(row, spec, 'text', rowIndex, 'string'));
    if (!masked)
      throw rowError(spec, rowIndex, `no lower-case word of 3+ letters to mask in its first ${CONTEXT_WORDS}`);
    return { input: masked.words.join(' '), reference: masked satisfies Reference, row: rowIndex };
  },
  forModel(samples, model) {
    const tokenizer = tokenizerOf(model);
    const maskToken = tokenizer.maskToken;
    if (maskToken === undefined || tokenizer.maskTokenId === undefined) {
      throw modelError(model, 'its tokenizer has no mask token, so it cannot fill masks');
    }
    return samples.map((s) => {
      const m = s.reference as Masked;
      const reference: Reference = { ...m, whole: keepsWhole(tokenizer, m, maskToken) };
      return { ...s, input: textWith(m, maskToken), reference };
    });
  },
  score(samples, outputs) {
    // The predicted token's text (byte-level BPE and SentencePiece carry a leading space) against
    // the word: a word the tokenizer splits cannot be one predicted token, so it never matches.
    const ranked = outputs.map((out) => (out as Filled[]).map((f) => f.token_str.trim()));
    const gold = samples.map((s) => {
      const m = s.reference as Reference;
      return m.words[m.at]!;
    });
    const split = samples.filter((s) => (s.reference as Reference).whole === false).length;
    return {
      top1Accuracy: topKAccuracy(ranked, gold, 1),
      top5Accuracy: topKAccuracy(ranked, gold, 5),
      splitRate: split / samples.length,
    };
  },
});

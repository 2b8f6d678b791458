// Named-entity recognition on CoNLL-2003 validation, the split Power Hungry Processing used: the
// sentence's tokens joined by spaces (as the paper fed them), scored as seqeval does in strict
// IOB2 mode: an entity counts only with its exact span and type.
//
// transformers.js's token-classification pipeline labels sub-tokens and gives no character
// offsets, so each word takes the label of its first sub-token, found by encoding the words one
// by one (with the space before every word but the first) and summing their lengths. Where the
// words' encodings do not add up to the sentence's, that sentence counts as all O and is
// reported in `unalignedRate`. Words the pipeline drops ([UNK], or past the model's length) are O.
import { entityScores } from '../src/metrics/seqeval.js';
import {
  defineTask,
  field,
  fieldValue,
  metric,
  modelLabelMap,
  rowError,
  tokenizerOf,
  type TaskTokenizer,
} from '../src/task-api.js';

interface Reference {
  words: string[];
  tags: string[];
  /** Position in the model's input ids of each word's first sub-token; null if they could not be aligned. */
  starts?: number[] | null;
}

interface TokenLabel {
  entity: string;
  index: number;
}

const CONLL_LABELS = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];

/** Where each word's first sub-token sits in the sentence's input ids, or null if the encodings disagree. */
export function wordStarts(tokenizer: TaskTokenizer, words: readonly string[]): number[] | null {
  const sentence = words.join(' ');
  const bare = tokenizer.encode(sentence, false);
  const full = tokenizer.encode(sentence, true);
  const lead = full.findIndex((_, k) => bare.every((id, j) => full[k + j] === id)); // [CLS] or <s> before the words
  if (lead < 0 || bare.length === 0) return null;
  const starts: number[] = [];
  const concatenated: number[] = [];
  words.forEach((w, k) => {
    starts.push(lead + concatenated.length);
    concatenated.push(...tokenizer.encode(k === 0 ? w : ` ${w}`, false));
  });
  const same = concatenated.length === bare.length && concatenated.every((id, i) => id === bare[i]);
  return same ? starts : null;
}

export default defineTask({
  name: 'token-classification',
  version: 1,
  description:
    'Token classification (NER): strict IOB2 entity precision, recall and F1 (seqeval), first sub-token per word',
  pipeline: 'token-classification',
  dataset: {
    id: 'eriktks/conll2003',
    split: 'validation',
    config: 'conll2003',
    fields: { tokens: ['tokens'], tags: ['ner_tags'] },
    labelNames: CONLL_LABELS,
    description: 'CoNLL-2003 English validation (IOB2 tags, as the Hub has them), first rows in file order',
  },
  callOptions: {}, // one label per sub-token ('none'), O dropped: the pipeline's defaults
  metrics: [
    metric('f1', 'Entity F1', true),
    metric('precision', 'Precision', true),
    metric('recall', 'Recall', true),
    metric('unalignedRate', 'Unaligned', false),
  ],
  primaryMetric: 'f1',
  generative: false,
  labelMapping: true,
  keep(row, spec) {
    const tokens = fieldValue(row, spec, 'tokens');
    return !Array.isArray(tokens) || tokens.length > 0; // malformed rows reach prepare(), which names them
  },
  prepare(row, rowIndex, spec) {
    const tokens = field(row, spec, 'tokens', rowIndex, 'string[]');
    const ids = field(row, spec, 'tags', rowIndex, 'number[]');
    if (ids.length !== tokens.length) {
      throw rowError(spec, rowIndex, `has ${tokens.length} tokens but ${ids.length} tags`);
    }
    const names = spec.labelNames ?? CONLL_LABELS;
    const tags = ids.map((id) => {
      const tag = names[id];
      if (tag === undefined) throw rowError(spec, rowIndex, `tag ${id} is not one of 0..${names.length - 1}`);
      return tag;
    });
    const reference: Reference = { words: tokens, tags };
    return { input: tokens.join(' '), reference, row: rowIndex };
  },
  forModel(samples, model) {
    modelLabelMap(model, model.dataset.labelNames ?? CONLL_LABELS, true); // every label the model outputs must map
    const tokenizer = tokenizerOf(model);
    return samples.map((s) => {
      const reference = s.reference as Reference;
      return { ...s, reference: { ...reference, starts: wordStarts(tokenizer, reference.words) } };
    });
  },
  score(samples, outputs, { labels }) {
    const gold = samples.map((s) => (s.reference as Reference).tags);
    const predicted = samples.map((s, i) => {
      const { tags, starts } = s.reference as Reference;
      if (!starts) return tags.map(() => 'O');
      const byIndex = new Map((outputs[i] as TokenLabel[]).map((t) => [t.index, t.entity]));
      return starts.map((at) => {
        const entity = byIndex.get(at);
        return entity === undefined ? 'O' : (labels?.[entity] ?? 'O');
      });
    });
    const unaligned = samples.filter((s) => !(s.reference as Reference).starts).length;
    return { ...entityScores(gold, predicted), unalignedRate: unaligned / samples.length };
  },
});

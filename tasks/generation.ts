// Open-ended text generation from WikiText paragraphs, as in Power Hungry Processing: the
// prompt is the first 20 whitespace-separated words of a paragraph; every model generates
// exactly 10 new tokens greedily (AI Energy Score's min = max = 10), so energy per inference
// compares the same amount of work.
import { defineTask, field, fieldValue, metric } from '../src/task-api.js';

const PROMPT_WORDS = 20;
/** Words after the prompt that perplexity is measured on. */
const CONTINUATION_WORDS = 50;

/** Hub rows include empty lines and " = Heading = " lines; the local mirror already dropped them. */
function isParagraph(text: string): boolean {
  const t = text.trim();
  return t.length > 0 && !/^=.*=$/.test(t);
}

export default defineTask({
  name: 'generation',
  version: 1,
  description: 'Text generation: 10 new tokens per prompt; reports generated tokens and joules per token',
  pipeline: 'text-generation',
  dataset: {
    id: 'Salesforce/wikitext',
    split: 'test',
    config: 'wikitext-2-raw-v1',
    fields: { text: ['text', 'prompt'] }, // the Hub's column, then the mirror's
    description: `WikiText-2 (raw) test paragraphs, first ${PROMPT_WORDS} words as the prompt; empty lines and headings skipped`,
  },
  callOptions: { max_new_tokens: 10, min_new_tokens: 10, do_sample: false, num_beams: 1, return_full_text: false },
  // Word perplexity of the paragraph's next words under the model (lm-evaluation-harness's
  // word_perplexity: per-word, so models with different tokenizers compare). Records also
  // report generated tokens and joules per token.
  metrics: [metric('wordPerplexity', 'Word perplexity', false)],
  primaryMetric: 'wordPerplexity',
  generative: true,
  keep(row, spec) {
    const text = fieldValue(row, spec, 'text');
    return typeof text !== 'string' || isParagraph(text); // non-strings reach prepare(), which names the row
  },
  prepare(row, rowIndex, spec) {
    const words = field(row, spec, 'text', rowIndex, 'string').trim().split(/\s+/);
    const prompt = words.slice(0, PROMPT_WORDS).join(' ');
    const continuation = words.slice(PROMPT_WORDS, PROMPT_WORDS + CONTINUATION_WORDS).join(' ');
    return { input: prompt, reference: continuation || null, row: rowIndex };
  },
  score() {
    return {}; // generated text has no reference to compare with; quality comes from evaluate()
  },
  async evaluate(samples, model): Promise<Record<string, number>> {
    let logProb = 0;
    let words = 0;
    for (const s of samples) {
      if (typeof s.reference !== 'string') continue; // paragraph of <= 20 words: nothing to predict
      logProb += (await model.logLikelihood(s.input as string, s.reference)).logProb;
      words += s.reference.split(/\s+/).length;
    }
    return words > 0 ? { wordPerplexity: Math.exp(-logProb / words) } : {};
  },
});

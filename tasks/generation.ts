// Open-ended text generation from WikiText paragraphs, as in Power Hungry Processing: the
// prompt is the first 20 whitespace-separated words of a paragraph; every model generates
// exactly 10 new tokens greedily (AI Energy Score's min = max = 10), so energy per inference
// compares the same amount of work.
import { defineTask, field } from '../src/task.js';

const PROMPT_WORDS = 20;

const dataset = {
  id: 'Salesforce/wikitext',
  split: 'test',
  config: 'wikitext-2-raw-v1',
  fields: { text: ['prompt', 'text'] },
  description: `WikiText-2 (raw) test paragraphs, first ${PROMPT_WORDS} words as the prompt; empty lines and headings skipped`,
};

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
  dataset,
  callOptions: { max_new_tokens: 10, min_new_tokens: 10, do_sample: false, num_beams: 1, return_full_text: false },
  // No quality metric yet: the record reports generated tokens and joules per token.
  metrics: [],
  generative: true,
  keep(row) {
    const text = row.prompt ?? row.text;
    return typeof text !== 'string' || isParagraph(text); // non-strings reach prepare(), which names the row
  },
  prepare(row, rowIndex, model, spec) {
    const text = field(row, spec, 'text', rowIndex, 'string');
    const prompt = text.trim().split(/\s+/).slice(0, PROMPT_WORDS).join(' ');
    return { input: (model.inputPrefix ?? '') + prompt, reference: null, row: rowIndex };
  },
  score() {
    return {};
  },
});

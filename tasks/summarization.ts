// Abstractive summarization of BBC articles (XSum test), as in Power Hungry Processing.
// Output length is fixed to 10-15 new tokens, greedy, so models are compared on the same work.
import { meanRouge } from '../src/metrics/rouge.js';
import { defineTask, field } from '../src/task.js';

const dataset = {
  id: 'EdinburghNLP/xsum',
  split: 'test',
  config: 'default',
  fields: { document: ['document'], summary: ['summary'] },
  description: 'XSum test (BBC articles with one-sentence reference summaries), first rows in Hub order',
};

interface SummaryOutput {
  summary_text: string;
}

export default defineTask({
  name: 'summarization',
  version: 1,
  description: 'Summarization: ROUGE-1/2/L F-measure against the reference summary',
  pipeline: 'summarization',
  dataset,
  // Power Hungry Processing used max_length=15, min_length=10; AI Energy Score 10 new tokens.
  // min_length: 0 overrides checkpoints whose generation_config asks for long summaries
  // (DistilBART-CNN: 56), which would otherwise pin every output at the maximum.
  callOptions: { max_new_tokens: 15, min_new_tokens: 10, min_length: 0, do_sample: false, num_beams: 1 },
  metrics: [
    { name: 'rouge1', label: 'ROUGE-1', higherIsBetter: true },
    { name: 'rouge2', label: 'ROUGE-2', higherIsBetter: true },
    { name: 'rougeL', label: 'ROUGE-L', higherIsBetter: true },
  ],
  primaryMetric: 'rougeL',
  generative: true,
  prepare(row, rowIndex, model, spec) {
    const document = field(row, spec, 'document', rowIndex, 'string');
    const summary = field(row, spec, 'summary', rowIndex, 'string');
    return { input: (model.inputPrefix ?? '') + document, reference: summary, row: rowIndex };
  },
  score(samples, outputs) {
    const summaries = outputs.map((out) => ((Array.isArray(out) ? out[0] : out) as SummaryOutput).summary_text);
    return { ...meanRouge(samples.map((s) => s.reference as string), summaries) };
  },
});

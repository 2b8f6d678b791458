// Abstractive summarization of BBC articles (XSum test), as in Power Hungry Processing.
// Output length is fixed to 10-15 new tokens, greedy, so models are compared on the same work.
import { meanRouge } from '../src/metrics/rouge.js';
import { defineTask, field, metric, topOutput } from '../src/task-api.js';

interface SummaryOutput {
  summary_text: string;
}

export default defineTask({
  name: 'summarization',
  version: 1,
  description: 'Summarization: ROUGE-1/2/L F-measure against the reference summary',
  pipeline: 'summarization',
  dataset: {
    id: 'EdinburghNLP/xsum',
    split: 'test',
    config: 'default',
    fields: { document: ['document'], summary: ['summary'] },
    description: 'XSum test (BBC articles with one-sentence reference summaries), first rows in Hub order',
  },
  // Power Hungry Processing used max_length=15, min_length=10; AI Energy Score 10 new tokens.
  // min_length: 0 overrides checkpoints whose generation_config asks for long summaries
  // (DistilBART-CNN: 56), which would otherwise pin every output at the maximum.
  callOptions: { max_new_tokens: 15, min_new_tokens: 10, min_length: 0, do_sample: false, num_beams: 1 },
  metrics: [metric('rouge1', 'ROUGE-1', true), metric('rouge2', 'ROUGE-2', true), metric('rougeL', 'ROUGE-L', true)],
  primaryMetric: 'rougeL',
  generative: true,
  prepare(row, rowIndex, spec) {
    const document = field(row, spec, 'document', rowIndex, 'string');
    const summary = field(row, spec, 'summary', rowIndex, 'string');
    return { input: document, reference: summary, row: rowIndex };
  },
  score(samples, outputs) {
    const summaries = outputs.map((out) => topOutput<SummaryOutput>(out).summary_text);
    return {
      ...meanRouge(
        samples.map((s) => s.reference as string),
        summaries,
      ),
    };
  },
});

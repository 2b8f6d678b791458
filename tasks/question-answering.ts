// Extractive question answering on SQuAD v1.1 validation, the first of Power Hungry Processing's
// three QA datasets (it also used SQuAD v2 and SciQ). Scored with the official v1.1 script's
// exact match and token F1, each the best over the question's gold answers.
import { recoverSpan } from '../src/metrics/answer-span.js';
import { squadScores } from '../src/metrics/squad.js';
import { defineTask, field, fieldValue, metric, rowError, topOutput } from '../src/task-api.js';

interface Question {
  question: string;
  context: string;
}

interface Answer {
  answer: string;
  score: number;
}

/** The gold answers of a row: SQuAD's {text: [...], answer_start: [...]}. */
function goldAnswers(answers: Record<string, unknown>): string[] | null {
  const text = answers.text;
  return Array.isArray(text) && text.every((t) => typeof t === 'string') ? text : null;
}

export default defineTask({
  name: 'question-answering',
  version: 1,
  description:
    'Extractive QA: exact match and token F1 (SQuAD v1.1 script) of the answer span, mapped back to the context',
  pipeline: 'question-answering',
  dataset: {
    id: 'rajpurkar/squad',
    split: 'validation',
    config: 'plain_text',
    fields: { question: ['question'], context: ['context'], answers: ['answers'] },
    description: 'SQuAD v1.1 validation (the official dev set), first rows in file order',
  },
  // The pipeline's best span (top_k 1). transformers.js has no max_answer_len, doc_stride or
  // impossible-answer handling: a context past the model's length is cut at its end, and the
  // span search over all token pairs (O(n²) in JavaScript) is part of every measured call.
  callOptions: { top_k: 1 },
  metrics: [metric('exactMatch', 'Exact match', true), metric('f1', 'Token F1', true)],
  primaryMetric: 'f1',
  generative: false,
  keep(row, spec) {
    // SQuAD v2's unanswerable questions have no gold text; the pipeline always returns a span.
    const answers = fieldValue(row, spec, 'answers') as { text?: unknown } | undefined;
    return !Array.isArray(answers?.text) || answers.text.length > 0; // malformed rows reach prepare(), which names them
  },
  prepare(row, rowIndex, spec) {
    const question = field(row, spec, 'question', rowIndex, 'string');
    const context = field(row, spec, 'context', rowIndex, 'string');
    const answers = goldAnswers(field(row, spec, 'answers', rowIndex, 'object'));
    if (!answers) throw rowError(spec, rowIndex, "field 'answers' should have a list of strings 'text'");
    const input: Question = { question, context };
    return { input, reference: answers, row: rowIndex };
  },
  call(pipe, input, options) {
    // The pipeline takes the question and the context as two positional arguments (or two lists).
    if (Array.isArray(input)) {
      const batch = input as readonly Question[];
      return pipe(
        batch.map((q) => q.question),
        batch.map((q) => q.context),
        options,
      );
    }
    const q = input as Question;
    return pipe(q.question, q.context, options);
  },
  score(samples, outputs) {
    // The pipeline re-decodes its answer from tokens (lower-cased, re-spaced): score the
    // context's own text for it, as the Python pipeline's character offsets would give.
    const predictions = outputs.map((out, i) => {
      const { answer } = topOutput<Answer>(out);
      return recoverSpan((samples[i]!.input as Question).context, answer) ?? answer;
    });
    return {
      ...squadScores(
        predictions,
        samples.map((s) => s.reference as string[]),
      ),
    };
  },
});

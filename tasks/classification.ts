// Binary sentiment classification on SST-2 validation (872 labelled sentences), the labelled
// split of the dataset Power Hungry Processing used (it streamed the unlabelled test split).
import { classificationScores } from '../src/metrics/classification.js';
import { defineTask, field } from '../src/task.js';
import { UserError } from '../src/errors.js';

const dataset = {
  id: 'stanfordnlp/sst2',
  split: 'validation',
  config: 'default',
  fields: { text: ['text', 'sentence'], label: ['label'] },
  labelNames: ['negative', 'positive'],
  description: 'SST-2 validation (GLUE dev set, 872 labelled movie-review sentences)',
};

interface TopLabel {
  label: string;
  score: number;
}

export default defineTask({
  name: 'classification',
  version: 1,
  description: 'Text classification: binary sentiment, accuracy and macro-F1 against gold labels',
  pipeline: 'text-classification',
  dataset,
  callOptions: {}, // top-1 label, the pipeline default
  metrics: [
    { name: 'accuracy', label: 'Accuracy', higherIsBetter: true },
    { name: 'macroF1', label: 'Macro-F1', higherIsBetter: true },
    { name: 'unmappedRate', label: 'Unmapped', higherIsBetter: false },
  ],
  primaryMetric: 'accuracy',
  generative: false,
  prepare(row, rowIndex, model, spec) {
    const input = (model.inputPrefix ?? '') + field(row, spec, 'text', rowIndex, 'string');
    if (spec.labelled === false) return { input, reference: null, row: rowIndex };
    const label = field(row, spec, 'label', rowIndex, 'number');
    const names = spec.labelNames ?? [];
    const reference = names[label];
    if (reference === undefined) {
      throw new UserError(
        `Dataset ${spec.id} (${spec.split}) row ${rowIndex}: label ${label} is not one of 0..${names.length - 1} (an unlabelled split needs "labelled": false)`,
      );
    }
    return { input, reference, row: rowIndex };
  },
  score(samples, outputs, { model, dataset: spec }) {
    if (spec.labelled === false) return {}; // no gold labels: energy only
    const labelMap = model.labels ?? {};
    let unmapped = 0;
    const predicted = outputs.map((out) => {
      const top = (Array.isArray(out) ? out[0] : out) as TopLabel;
      const mapped = labelMap[top.label];
      if (mapped === undefined) unmapped++;
      return mapped ?? null;
    });
    const scores = classificationScores(
      predicted,
      samples.map((s) => s.reference as string),
      spec.labelNames ?? [],
    );
    return { ...scores, unmappedRate: unmapped / samples.length };
  },
});

// Binary sentiment classification on SST-2 validation (872 labelled sentences), the labelled
// split of the dataset Power Hungry Processing used (it streamed the unlabelled test split).
import { classificationScores } from '../src/metrics/label-scores.js';
import { classLabel, defineTask, field, metric, modelLabelMap, topOutput } from '../src/task-api.js';

interface TopLabel {
  label: string;
  score: number;
}

export default defineTask({
  name: 'classification',
  version: 1,
  description: 'Text classification: binary sentiment, accuracy and macro-F1 against gold labels',
  pipeline: 'text-classification',
  dataset: {
    id: 'stanfordnlp/sst2',
    split: 'validation',
    config: 'default',
    fields: { text: ['sentence', 'text'], label: ['label'] }, // the Hub's column, then the mirror's
    labelNames: ['negative', 'positive'],
    description: 'SST-2 validation (GLUE dev set, 872 labelled movie-review sentences)',
  },
  callOptions: {}, // top-1 label, the pipeline default
  metrics: [
    metric('accuracy', 'Accuracy', true),
    metric('macroF1', 'Macro-F1', true),
    metric('unmappedRate', 'Unmapped', false),
  ],
  primaryMetric: 'accuracy',
  generative: false,
  labelMapping: true,
  prepare(row, rowIndex, spec) {
    const input = field(row, spec, 'text', rowIndex, 'string');
    return { input, reference: classLabel(row, spec, rowIndex), row: rowIndex };
  },
  forModel(samples, model) {
    // A label may stay unmapped ("3 stars") and count as wrong; one the model does not have is a typo.
    modelLabelMap(model, model.dataset.labelNames ?? [], false);
    return samples;
  },
  score(samples, outputs, { dataset: spec, labels }) {
    if (spec.labelled === false) return {}; // no gold labels: energy only
    let unmapped = 0;
    const predicted = outputs.map((out) => {
      const label = topOutput<TopLabel>(out).label;
      const mapped = labels && Object.hasOwn(labels, label) ? labels[label] : undefined;
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

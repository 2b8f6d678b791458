// Image classification on CIFAR-10 test, the first of Power Hungry Processing's three image
// datasets. Images are decoded once, before any model loads (decoding a PNG costs more than
// the smallest model's inference), and passed to the pipeline at their own size: its image
// processor resizes them inside each call, as a user's call would. (The paper's Table 2 figure
// comes from runs that first upscaled every image to 640×480.)
import { topKAccuracy } from '../src/metrics/top-k.js';
import { classLabel, defineTask, imageField, metric, modelLabelMap, topOutput } from '../src/task-api.js';

interface Scored {
  label: string;
  score: number;
}

const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const TOP_K = 5;

export default defineTask({
  name: 'image-classification',
  version: 1,
  description:
    "Image classification: top-1 and top-5 accuracy, the model's labels mapped to the dataset's (models.json labels)",
  pipeline: 'image-classification',
  dataset: {
    id: 'uoft-cs/cifar10',
    split: 'test',
    config: 'plain_text',
    // The Hub's parquet has the image as {bytes, path} in `img`; the mirror, a PNG path beside the file.
    fields: { image: ['img', 'image'], label: ['label'] },
    labelNames: CIFAR10,
    description: 'CIFAR-10 test (32×32 PNGs), first rows in Hub order',
  },
  callOptions: { top_k: TOP_K },
  metrics: [
    metric('accuracy', 'Top-1 accuracy', true),
    metric('top5Accuracy', 'Top-5 accuracy', true),
    metric('unmappedRate', 'Unmapped', false),
  ],
  primaryMetric: 'accuracy',
  generative: false,
  labelMapping: true,
  async prepare(row, rowIndex, spec, files) {
    const reference = classLabel(row, spec, rowIndex);
    return { input: await imageField(row, spec, 'image', rowIndex, files), reference, row: rowIndex };
  },
  forModel(samples, model) {
    // Models trained on other label sets (ImageNet's 1,000) map what they can; the rest count as wrong.
    modelLabelMap(model, model.dataset.labelNames ?? CIFAR10, false);
    return samples;
  },
  score(samples, outputs, { dataset: spec, labels }) {
    if (spec.labelled === false) return {}; // no gold labels: energy only
    const mapped = (label: string) => (labels && Object.hasOwn(labels, label) ? labels[label]! : null);
    const ranked = outputs.map((out) => (out as Scored[]).map((s) => mapped(s.label)));
    const gold = samples.map((s) => s.reference as string);
    const unmapped = outputs.filter((out) => mapped(topOutput<Scored>(out).label) === null).length;
    const scores: Record<string, number> = {
      accuracy: topKAccuracy(ranked, gold, 1),
      unmappedRate: unmapped / samples.length,
    };
    // Top-5 says something only where there are more than five classes to choose from.
    if ((spec.labelNames ?? CIFAR10).length > TOP_K) scores.top5Accuracy = topKAccuracy(ranked, gold, TOP_K);
    return scores;
  },
});

// A model's label mapping (models.json `labels`: model label -> dataset label), checked against
// the labels the loaded model really outputs and the dataset's label names, before any of its
// energy windows opens: a typo would otherwise score every prediction of that label as wrong.
import { UserError } from '../util/errors.js';

interface LabelMapCheck {
  /** Registry id, for the message. */
  model: string;
  /** The model's output labels (config.json id2label), when it has them. */
  modelLabels: readonly string[] | undefined;
  /** models.json `labels`. */
  map: Readonly<Record<string, string>> | undefined;
  /** What the mapping may map to: the dataset's label names. */
  datasetLabels: readonly string[];
  /** Every label the model outputs must be mapped (NER), or some may stay unmapped and count as wrong. */
  every: boolean;
}

function list(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** The mapping, checked; a UserError naming the model and the label that does not map. */
export function checkLabelMap(c: LabelMapCheck): Readonly<Record<string, string>> {
  const where = `Model ${c.model}: models.json "labels"`;
  if (c.map === undefined) throw new UserError(`${where} is missing (its labels must map to ${list(c.datasetLabels)})`);
  for (const [from, to] of Object.entries(c.map)) {
    if (!c.datasetLabels.includes(to)) {
      throw new UserError(
        `${where} maps '${from}' to '${to}', which is not a dataset label (${list(c.datasetLabels)})`,
      );
    }
    if (c.modelLabels && !c.modelLabels.includes(from)) {
      throw new UserError(
        `${where} names '${from}', which the model does not output (its labels: ${list(c.modelLabels)})`,
      );
    }
  }
  if (c.modelLabels) {
    const unmapped = c.modelLabels.filter((l) => !Object.hasOwn(c.map!, l));
    if (c.every && unmapped.length > 0) {
      throw new UserError(`${where} does not map the model's label '${unmapped[0]}' (every label must map here)`);
    }
    if (unmapped.length === c.modelLabels.length) throw new UserError(`${where} maps none of the model's labels`);
  }
  return c.map;
}

// A task's inputs on their way to a model, all outside every energy window: rows prepared once
// per target (images decoded there), fitted to each loaded model (its input prefix, its mask
// token, its labels), and the call the window makes (the task's own, or pipe(input, options)).
import type { SelectedRow } from '../datasets/selection.js';
import { outputLabels, taskTokenizer } from '../model/model-facts.js';
import type { LoadedPipeline, PipelineCall } from '../model/pipeline.js';
import type { ModelEntry } from '../schema/model-entry.js';
import {
  DataRowError,
  type DatasetFiles,
  type DatasetSpec,
  type PipelineFunction,
  type Sample,
  type TaskDef,
} from '../task-api.js';

/** Every selected row as the task prepares it, in order; the lowest failing row is the one reported. */
export async function prepareSamples(
  task: TaskDef,
  selected: readonly SelectedRow[],
  spec: DatasetSpec,
  files: DatasetFiles,
): Promise<Sample[]> {
  const settled = await Promise.allSettled(
    selected.map(async ({ row, index }) => task.prepare(row, index, spec, files)),
  );
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason instanceof DataRowError ? failed.reason.inFile(files.file) : failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<Sample>).value);
}

/** The samples as one loaded model takes them: the task's per-model step, then the model's input prefix on text. */
export async function samplesForModel(
  task: TaskDef,
  pipe: LoadedPipeline,
  entry: ModelEntry,
  spec: DatasetSpec,
  samples: readonly Sample[],
): Promise<readonly Sample[]> {
  const fitted = task.forModel
    ? await task.forModel(samples, {
        id: entry.id,
        labels: outputLabels(pipe),
        labelMap: entry.labels,
        tokenizer: taskTokenizer(pipe),
        dataset: spec,
      })
    : samples;
  const prefix = entry.inputPrefix ?? '';
  if (prefix === '') return fitted;
  return fitted.map((s) => (typeof s.input === 'string' ? { ...s, input: prefix + s.input } : s));
}

/** What the window calls per input or batch: the task's own call (QA's two arguments), else the pipeline. */
export function pipelineCaller(task: TaskDef, pipe: LoadedPipeline): PipelineCall {
  const call = task.call;
  if (!call) return pipe;
  return (input, options) => call(pipe as unknown as PipelineFunction, input, options);
}

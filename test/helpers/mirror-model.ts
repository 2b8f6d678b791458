// A registered model of the offline mirror, loaded as the runner loads it, and what a task's
// per-model step is told of it: for tests of tasks against real tokenizers and real outputs.
import { locateModel, resolveHubConfig } from '../../src/model/hub.js';
import { outputLabels, taskTokenizer } from '../../src/model/model-facts.js';
import { loadPipeline, type LoadedPipeline } from '../../src/model/pipeline.js';
import { openRegistry } from '../../src/run/benchmark.js';
import type { ModelFacts, TaskDef } from '../../src/task-api.js';
import { hubDir, tempDir } from './env.js';

export interface MirrorModel {
  pipe: LoadedPipeline;
  facts: ModelFacts;
}

export async function loadMirrorModel(task: TaskDef, id: string): Promise<MirrorModel> {
  const entry = (await openRegistry()).byId(id);
  if (!entry) throw new Error(`${id} is not registered`);
  const hub = { ...resolveHubConfig({ hub: hubDir, cache: tempDir() }, {}), offline: true };
  const location = await locateModel(entry, hub);
  if (location.where === 'unavailable') throw new Error(`${id}: ${location.message}`);
  const pipe = await loadPipeline(task.pipeline, entry, location, { threads: 1, device: 'cpu' });
  const facts: ModelFacts = {
    id,
    labels: outputLabels(pipe),
    labelMap: entry.labels,
    tokenizer: taskTokenizer(pipe),
    dataset: task.dataset,
  };
  return { pipe, facts };
}

// How the runner fits a target's samples to one loaded model and calls its pipeline: the task's
// per-model step sees the model's labels and mapping, the input prefix goes on text inputs
// only (after that step), and a task's own call replaces pipe(input, options).
import { describe, expect, it } from 'vitest';
import type { LoadedPipeline } from '../src/model/pipeline.js';
import { pipelineCaller, prepareSamples, samplesForModel } from '../src/run/inputs.js';
import type { ModelEntry } from '../src/schema/model-entry.js';
import { defineTask, rowError, type ModelFacts, type Sample, type TaskDef } from '../src/task-api.js';
import { loadTask } from '../tasks/index.js';

/** A pipeline whose model says it outputs these labels (as config.json id2label), answering with its arguments. */
function pipeWith(id2label: Record<string, string>): LoadedPipeline {
  const pipe = Object.assign(async (...args: unknown[]) => args, {
    dispose: async () => {},
    model: { config: { id2label } },
  });
  return pipe as unknown as LoadedPipeline;
}

const entry = (inputPrefix?: string): ModelEntry => ({
  id: 'org/model',
  task: 'summarization',
  hfId: 'org/model',
  revision: 'main',
  dtype: 'fp32',
  parameters: 1,
  licence: 'mit',
  kind: 'pretrained',
  note: 'x',
  labels: { A: 'positive' },
  ...(inputPrefix !== undefined ? { inputPrefix } : {}),
});

describe('samples for one model', () => {
  it('puts the prefix on text inputs only, after the per-model step, which sees the model', async () => {
    let seen: ModelFacts | undefined;
    const base = await loadTask('classification');
    const task: TaskDef = {
      ...base,
      forModel(samples, model) {
        seen = model;
        return samples.map((s) => (typeof s.input === 'string' ? { ...s, input: s.input.toUpperCase() } : s));
      },
    };
    const samples: Sample[] = [
      { input: 'a text', reference: null, row: 0 },
      { input: { question: 'q', context: 'c' }, reference: null, row: 1 },
    ];
    const out = await samplesForModel(task, pipeWith({ 0: 'A', 1: 'B' }), entry('summarize: '), base.dataset, samples);
    expect(out.map((s) => s.input)).toEqual(['summarize: A TEXT', { question: 'q', context: 'c' }]);
    expect(seen).toMatchObject({
      id: 'org/model',
      labels: ['A', 'B'],
      labelMap: { A: 'positive' },
      tokenizer: undefined,
    });
  });

  it("calls the task's own call when it has one, else the pipeline as is", async () => {
    const pipe = pipeWith({});
    const qa = await loadTask('question-answering');
    const input = { question: 'who?', context: 'bob.' };
    await expect(pipelineCaller(qa, pipe)(input, { top_k: 1 })).resolves.toEqual(['who?', 'bob.', { top_k: 1 }]);
    await expect(pipelineCaller(qa, pipe)([input, input], {})).resolves.toEqual([
      ['who?', 'who?'],
      ['bob.', 'bob.'],
      {},
    ]);
    expect(pipelineCaller(await loadTask('classification'), pipe)).toBe(pipe);
  });

  it('prepares rows in order and reports the lowest failing row, not the first to fail', async () => {
    const task = defineTask({
      ...(await loadTask('classification')),
      async prepare(row, rowIndex, spec) {
        await new Promise((resolve) => setTimeout(resolve, rowIndex === 2 ? 0 : 20)); // row 2 fails first
        if (row.bad) throw rowError(spec, rowIndex, 'bad');
        return { input: String(row.text), reference: null, row: rowIndex };
      },
    });
    const selected = [{ text: 'x' }, { bad: true }, { bad: true }].map((row, index) => ({ row, index }));
    const files = { dir: '/data', file: '/data/validation.jsonl' };
    await expect(prepareSamples(task, selected, task.dataset, files)).rejects.toThrow(
      'Dataset stanfordnlp/sst2 (validation) row 2: bad (in /data/validation.jsonl)',
    );
    const ok = await prepareSamples(task, selected.slice(0, 1), task.dataset, files);
    expect(ok).toEqual([{ input: 'x', reference: null, row: 0 }]);
  });
});

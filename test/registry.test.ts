import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTask, taskNames } from '../tasks/index.js';
import { openRegistry } from '../src/run/benchmark.js';
import { hubDir, tempDir } from './helpers/env.js';

/** The transformers.js pipeline a mirror model serves, from its config.json architecture (as the Hub infers it). */
function pipelineOf(id: string): string {
  const config = JSON.parse(readFileSync(join(hubDir, 'models', id, 'config.json'), 'utf8')) as {
    architectures?: string[];
  };
  const arch = config.architectures?.[0] ?? '';
  const byHead: [RegExp, string][] = [
    [/ForSequenceClassification$/, 'text-classification'],
    [/ForCausalLM$/, 'text-generation'],
    [/ForConditionalGeneration$/, 'summarization'],
    [/ForQuestionAnswering$/, 'question-answering'],
    [/ForMaskedLM$/, 'fill-mask'],
    [/ForTokenClassification$/, 'token-classification'],
    [/ForImageClassification$/, 'image-classification'],
  ];
  const found = byHead.find(([re]) => re.test(arch));
  if (!found) throw new Error(`${id}: no pipeline known for architecture '${arch}'`);
  return found[1];
}

function writeRegistry(models: unknown): string {
  const path = join(tempDir(), 'models.json');
  writeFileSync(path, JSON.stringify({ models }));
  return path;
}

const valid = {
  id: 'org/model',
  task: 'summarization',
  hfId: 'org/model',
  dtype: 'fp32',
  parameters: 10,
  licence: 'mit',
  kind: 'pretrained',
  note: 'x',
};

describe('task registry', () => {
  it('lists the seven tasks, each loadable with a dataset and scoring', async () => {
    expect([...taskNames].sort()).toEqual([
      'classification',
      'fill-mask',
      'generation',
      'image-classification',
      'question-answering',
      'summarization',
      'token-classification',
    ]);
    for (const name of taskNames) {
      const task = await loadTask(name);
      expect(task.name).toBe(name);
      expect(task.dataset.id).toMatch(/\//);
    }
  });

  it('rejects an unknown task with the valid names and a suggestion', async () => {
    await expect(loadTask('sumarization')).rejects.toThrow(
      /Unknown task 'sumarization'. Did you mean: summarization\?.*Valid tasks: classification, generation, summarization, question-answering/,
    );
  });
});

describe('models.json', () => {
  it('registers every model in the offline hub mirror whose task joulebench has', async () => {
    const registry = await openRegistry();
    const pipelines = new Set<string>(await Promise.all(taskNames.map(async (t) => (await loadTask(t)).pipeline)));
    const hubModels = readdirSync(join(hubDir, 'models'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((org) => readdirSync(join(hubDir, 'models', org.name)).map((name) => `${org.name}/${name}`));
    // A mirror model whose pipeline no task drives yet (a fixture for a task still to come) need not be registered.
    const wanted = hubModels.filter((id) => pipelines.has(pipelineOf(id)));
    expect(wanted.length).toBeGreaterThanOrEqual(3);
    for (const id of wanted) expect(registry.models.map((m) => m.hfId)).toContain(id);
  });

  it('marks random-weight fixtures as fixtures and real checkpoints as pretrained', async () => {
    const registry = await openRegistry();
    for (const m of registry.models) {
      if (m.hfId.startsWith('joulebench-fixtures/tiny-random')) expect(m.kind).toBe('fixture');
      if (m.hfId === 'karpathy/stories260K') expect(m.kind).toBe('pretrained');
    }
    for (const task of taskNames) {
      expect(
        registry
          .forTask(task)
          .filter(
            (m) => m.kind === 'pretrained' && !m.hfId.startsWith('joulebench') && m.hfId !== 'karpathy/stories260K',
          ).length,
      ).toBeGreaterThanOrEqual(2);
    }
  });

  it("maps every registered model's labels onto its task's dataset labels", async () => {
    const registry = await openRegistry();
    for (const name of taskNames) {
      const task = await loadTask(name);
      if (!task.labelMapping) continue;
      for (const m of registry.forTask(name)) {
        expect(m.labels, m.id).toBeDefined();
        for (const [from, to] of Object.entries(m.labels!))
          expect(task.dataset.labelNames, `${m.id}: ${from}`).toContain(to);
      }
    }
  });

  it('names the entry (counted from 1) and field of a schema error', async () => {
    const path = writeRegistry([valid, { ...valid, id: 'org/bad', dtype: 'fp64' }]);
    await expect(openRegistry(path)).rejects.toThrow(/entry 2 \(id 'org\/bad'\), field 'dtype': Invalid option/);
  });

  it('requires a label mapping for classification models', async () => {
    const path = writeRegistry([{ ...valid, task: 'classification' }]);
    await expect(openRegistry(path)).rejects.toThrow(
      /entry 1 \(id 'org\/model'\), field 'labels': classification models need/,
    );
  });

  it('rejects unknown fields, unknown tasks, duplicate ids and broken JSON', async () => {
    await expect(openRegistry(writeRegistry([{ ...valid, colour: 'red' }]))).rejects.toThrow(/entry 1 .*colour/);
    await expect(openRegistry(writeRegistry([{ ...valid, task: 'translation' }]))).rejects.toThrow(/field 'task'/);
    await expect(openRegistry(writeRegistry([valid, valid]))).rejects.toThrow(/'org\/model' appears twice/);
    const broken = join(tempDir(), 'models.json');
    writeFileSync(broken, '{"models": [');
    await expect(openRegistry(broken)).rejects.toThrow(/not valid JSON/);
  });

  it('selects models by id or Hub id and refuses unknown or other-task names', async () => {
    const registry = await openRegistry();
    expect(registry.select('generation', ['karpathy/stories260K:q8']).map((m) => m.dtype)).toEqual(['q8']);
    expect(() => registry.select('generation', ['Xenova/t5-small'])).toThrow(
      /registered for task 'summarization', not 'generation'/,
    );
    expect(() => registry.select('generation', ['karpathy/stories26K'])).toThrow(
      /Unknown model 'karpathy\/stories26K'. Did you mean: karpathy\/stories260K/,
    );
  });
});

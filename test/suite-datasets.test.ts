// Every dataset a suite or a task names is stated as the Hub serves it: its real config folder on
// refs/convert/parquet and its real column names, the Hub's column first in each field's
// candidates and the offline mirror's after it where the mirror differs. Each one resolves, and
// its rows turn into inputs, both from a stand-in Hub serving it under its real name and from
// the mirror.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/datasets/load.js';
import { resolveHubConfig, type HubConfig } from '../src/model/hub.js';
import { loadSuite } from '../src/run/suites.js';
import { overrideDataset, type DatasetSpec } from '../src/schema/dataset-spec.js';
import type { DecodedImage, SampleInput, TaskDef } from '../src/task-api.js';
import { loadAllTasks, loadTask } from '../tasks/index.js';
import { hubDir, repoRoot, tempDir } from './helpers/env.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { HUB_DATASETS, writeHubDatasets } from './helpers/hub-datasets.js';

interface Named {
  /** The file that names it. */
  where: string;
  task: TaskDef;
  spec: DatasetSpec;
}

/** Every task's default dataset, and every dataset a suite in benchmarks/ gives its entries. */
async function namedDatasets(): Promise<Named[]> {
  const named: Named[] = (await loadAllTasks()).map((task) => ({
    where: `tasks/${task.name}.ts`,
    task,
    spec: task.dataset,
  }));
  for (const file of readdirSync(join(repoRoot, 'benchmarks')).filter((f) => f.endsWith('.json'))) {
    for (const e of loadSuite(join(repoRoot, 'benchmarks', file)).entries) {
      const task = await loadTask(e.task);
      const spec = e.dataset ? overrideDataset(task.dataset, e.dataset) : task.dataset;
      named.push({ where: `benchmarks/${file}`, task, spec });
    }
  }
  return named;
}

const label = (n: Named) => `${n.where}: ${n.spec.id} ${n.spec.config}/${n.spec.split}`;

/** An input as comparable text: text trimmed, an image as its size and pixels' hash, anything else as JSON. */
function inputKey(input: SampleInput): string {
  if (typeof input === 'string') return input.trim();
  const image = input as Partial<DecodedImage>;
  if (image.data instanceof Uint8ClampedArray || image.data instanceof Uint8Array) {
    const pixels = createHash('sha256').update(image.data).digest('hex');
    return `image ${image.width}×${image.height}×${image.channels} ${pixels}`;
  }
  return JSON.stringify(input);
}

/** The first few usable rows of a loaded split, each turned into the task's input. */
async function prepareRows(n: Named, cfg: HubConfig): Promise<string[]> {
  const dataset = await loadDataset(n.spec, cfg);
  const rows = dataset.rows.filter((r) => n.task.keep?.(r, n.spec) ?? true).slice(0, 3);
  expect(rows.length, label(n)).toBeGreaterThan(0);
  const files = { dir: dataset.dir };
  return Promise.all(rows.map(async (row, i) => inputKey((await n.task.prepare(row, i, n.spec, files)).input)));
}

describe('datasets named by suites and tasks', () => {
  let named: Named[];
  let hub: FakeHub;
  beforeAll(async () => {
    named = await namedDatasets();
    const root = tempDir();
    writeHubDatasets(root);
    hub = await startFakeHub(root);
  });
  afterAll(() => hub.close());

  it("state the Hub's config and list the Hub's column first for every field", () => {
    expect(named.length).toBeGreaterThanOrEqual(10);
    for (const n of named) {
      const onHub = HUB_DATASETS.filter((d) => d.id === n.spec.id && d.split === n.spec.split);
      expect(onHub.length, `${label(n)} is not a dataset split the Hub serves`).toBeGreaterThan(0);
      expect(
        onHub.map((d) => d.config),
        label(n),
      ).toContain(n.spec.config);
      const real = onHub.find((d) => d.config === n.spec.config);
      for (const [field, candidates] of Object.entries(n.spec.fields)) {
        expect(Object.keys(real!.columns), `${label(n)}: field '${field}'`).toContain(candidates[0]);
      }
    }
  });

  it('resolve from a stand-in Hub serving each under its real name, config and columns', async () => {
    for (const n of named) {
      const cfg = { ...resolveHubConfig({ cache: tempDir() }, {}), remoteHost: hub.url };
      const inputs = await prepareRows(n, cfg);
      for (const input of inputs) expect(input, label(n)).not.toBe('');
    }
  });

  it('resolve from the offline mirror with the same specs', async () => {
    for (const n of named) {
      const cfg = { ...resolveHubConfig({ cache: tempDir(), hub: hubDir }, {}), offline: true };
      const fromMirror = await prepareRows(n, cfg);
      const fromHub = await prepareRows(n, { ...resolveHubConfig({ cache: tempDir() }, {}), remoteHost: hub.url });
      // The same rows in either layout (WikiText: the Hub's row carries the whitespace the mirror
      // stripped; CIFAR-10: the Hub embeds the PNG the mirror keeps beside its file).
      expect(fromMirror, label(n)).toEqual(fromHub);
    }
  });
});

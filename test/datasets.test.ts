import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTask } from '../tasks/index.js';
import { loadDataset } from '../src/datasets/load.js';
import { resolveHubConfig, type HubConfig } from '../src/model/hub.js';
import type { DatasetSpec } from '../src/task-api.js';
import { hubDir, tempDir, unreachableHub } from './helpers/env.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { writeParquet } from './helpers/parquet.js';

function config(over: Partial<HubConfig>): HubConfig {
  return { ...resolveHubConfig({ cache: tempDir() }, {}), ...over };
}

const spec: DatasetSpec = {
  id: 'org/reviews',
  split: 'test',
  config: 'default',
  fields: { text: ['text', 'sentence'], label: ['label'] },
  labelNames: ['negative', 'positive'],
  description: 'test',
};

describe('local mirror', () => {
  it('reads SST-2 validation with the sha256 the mirror documents and its label names', async () => {
    const task = await loadTask('classification');
    const ds = await loadDataset(task.dataset, config({ hubDir }));
    expect(ds.rows).toHaveLength(872);
    expect(ds.source).toBe('local-hub');
    expect(ds.sha256).toBe('811e2ce2d43e6f75d752ebe5000f4fbe4e38d3f4dbcccec45724126b9b9f4029');
    expect(ds.labelNames).toEqual(['negative', 'positive']);
  });

  it('reads the same rows from JSONL, CSV and parquet files', async () => {
    const rows = [
      { text: 'a fine film', label: 1 },
      { text: 'dull, "very" dull', label: 0 },
    ];
    const results = [];
    for (const ext of ['jsonl', 'csv', 'parquet']) {
      const root = tempDir();
      const path = join(root, 'datasets', spec.id, `test.${ext}`);
      mkdirSync(join(root, 'datasets', spec.id), { recursive: true });
      if (ext === 'jsonl') writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n'));
      if (ext === 'csv') writeFileSync(path, 'text,label\na fine film,1\n"dull, ""very"" dull",0\n');
      if (ext === 'parquet')
        writeParquet(path, { text: rows.map((r) => r.text), label: rows.map((r) => BigInt(r.label)) });
      results.push((await loadDataset(spec, config({ hubDir: root }))).rows);
    }
    for (const r of results) expect(r).toEqual(rows);
  });

  it('names the file and line of a broken JSONL row', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'datasets', spec.id), { recursive: true });
    writeFileSync(join(root, 'datasets', spec.id, 'test.jsonl'), '{"text":"ok","label":1}\n{"text": broken\n');
    await expect(loadDataset(spec, config({ hubDir: root, offline: true }))).rejects.toThrow(
      /test\.jsonl line 2 is not valid JSON/,
    );
  });
});

describe('task input preparation', () => {
  it('names the missing field and the row', async () => {
    const task = await loadTask('summarization');
    expect(() => task.prepare({ document: 'x', id: '1' }, 7, task.dataset)).toThrow(
      "Dataset EdinburghNLP/xsum (test) row 7 has no field 'summary'; its fields are: document, id",
    );
    const cls = await loadTask('classification');
    expect(() => cls.prepare({ sentence: 'x', label: 'good' }, 3, cls.dataset)).toThrow(
      /row 3: field 'label' should be a number/,
    );
    expect(() => cls.prepare({ sentence: 'x', label: -1 }, 4, cls.dataset)).toThrow(
      /row 4: label -1 is not one of 0..1 \(an unlabelled split needs "labelled": false\)/,
    );
    expect(cls.prepare({ sentence: 'x', label: -1 }, 4, { ...cls.dataset, labelled: false }).reference).toBeNull();
  });

  it('builds generation prompts from the first 20 words and skips headings on Hub rows', async () => {
    const task = await loadTask('generation');
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    expect(task.prepare({ text: ` ${words} ` }, 0, task.dataset).input.split(' ')).toHaveLength(20);
    expect(task.keep?.({ text: ' = = Gameplay = = ' })).toBe(false);
    expect(task.keep?.({ text: '' })).toBe(false);
    expect(task.keep?.({ text: 'Robert Boulter is an English actor .' })).toBe(true);
  });
});

describe('Hugging Face Hub download', () => {
  let hub: FakeHub;
  const root = tempDir();
  beforeAll(async () => {
    writeParquet(join(root, 'datasets', spec.id, 'refs/convert/parquet/default/test/0000.parquet'), {
      sentence: ['great', 'awful'],
      label: [1n, 0n],
    });
    hub = await startFakeHub(root);
  });
  afterAll(() => hub.close());

  it('downloads the parquet export once, then reads it from the cache', async () => {
    const cfg = config({ remoteHost: hub.url });
    const first = await loadDataset(spec, cfg);
    expect(first.source).toBe('hf-hub');
    expect(first.rows).toEqual([
      { sentence: 'great', label: 1 },
      { sentence: 'awful', label: 0 },
    ]);
    expect(
      hub.requests.some((r) => r.startsWith('/api/datasets/org/reviews/tree/refs/convert/parquet/default/test')),
    ).toBe(true);
    const seen = hub.requests.length;
    expect(await loadDataset(spec, cfg)).toBe(first); // within one run, read once
    const second = await loadDataset(spec, { ...cfg }); // the next run: from the cache
    expect(second.source).toBe('cache');
    expect(second.sha256).toBe(first.sha256);
    expect(hub.requests.length).toBe(seen);
  });

  it('reports a split the Hub does not have', async () => {
    await expect(loadDataset({ ...spec, split: 'train' }, config({ remoteHost: hub.url }))).rejects.toThrow(/HTTP 404/);
  });
});

describe('dataset not available', () => {
  it('says where it looked and how to provide it, offline and with the Hub unreachable', async () => {
    const empty = tempDir();
    await expect(loadDataset(spec, config({ hubDir: empty, offline: true }))).rejects.toThrow(
      new RegExp(
        `Dataset org/reviews \\(test\\) is not available offline \\(looked in ${empty}/datasets/org/reviews/test.jsonl, .*test.csv, .*test.parquet, .*; offline mode\\). Provide it with --hub DIR`,
      ),
    );
    await expect(loadDataset(spec, config({ hubDir: empty, remoteHost: unreachableHub }))).rejects.toThrow(
      /127.0.0.1:39871 unreachable: ECONNREFUSED/,
    );
  });
});

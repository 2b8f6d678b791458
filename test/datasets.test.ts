import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTask } from '../tasks/index.js';
import { loadDataset } from '../src/datasets/load.js';
import { resolveHubConfig, type HubConfig } from '../src/model/hub.js';
import type { DatasetSpec } from '../src/task-api.js';
import { UserError } from '../src/util/errors.js';
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

  it("hashes a split's images (its folder of files beside it) with its rows: a changed image is a changed dataset", async () => {
    const mirror = () => {
      const root = tempDir();
      const dir = join(root, 'datasets', spec.id);
      mkdirSync(join(dir, 'test'), { recursive: true });
      writeFileSync(join(dir, 'test.jsonl'), '{"image":"test/0.png","label":1}\n');
      return { root, dir };
    };
    const hashOf = async (root: string) => (await loadDataset(spec, config({ hubDir: root }))).sha256;
    const a = mirror();
    const textOnly = await hashOf(a.root);
    writeFileSync(join(a.dir, 'test', '0.png'), 'first image bytes');
    const first = await hashOf(a.root);
    expect(await hashOf(a.root)).toBe(first); // the same bytes, the same hash
    writeFileSync(join(a.dir, 'test', '.DS_Store'), 'not the data');
    expect(await hashOf(a.root)).toBe(first); // hidden files are not the data
    writeFileSync(join(a.dir, 'test', '0.png'), 'other image bytes');
    const changed = await hashOf(a.root);
    renameSync(join(a.dir, 'test', '0.png'), join(a.dir, 'test', '1.png'));
    const renamed = await hashOf(a.root);
    expect(new Set([textOnly, first, changed, renamed]).size).toBe(4);
    // A linked image counts by what it links to.
    const linked = (target: string) => {
      const m = mirror();
      writeFileSync(join(m.root, 'target.png'), target);
      symlinkSync(join(m.root, 'target.png'), join(m.dir, 'test', '0.png'));
      return m.root;
    };
    expect(await hashOf(linked('first image bytes'))).toBe(first);
    expect(await hashOf(linked('another image'))).not.toBe(first);
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
      "Dataset EdinburghNLP/xsum (test) row 8 has no field 'summary'; its fields are: document, id",
    );
    const cls = await loadTask('classification');
    expect(() => cls.prepare({ sentence: 'x', label: 'good' }, 3, cls.dataset)).toThrow(
      /row 4: field 'label' should be a number/,
    );
    expect(() => cls.prepare({ sentence: 'x', label: -1 }, 4, cls.dataset)).toThrow(
      /row 5: label -1 is not one of 0..1 \(an unlabelled split needs "labelled": false\)/,
    );
    expect(
      (await cls.prepare({ sentence: 'x', label: -1 }, 4, { ...cls.dataset, labelled: false })).reference,
    ).toBeNull();
  });

  it('builds generation prompts from the first 20 words and skips headings on Hub rows', async () => {
    const task = await loadTask('generation');
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    expect(((await task.prepare({ text: ` ${words} ` }, 0, task.dataset)).input as string).split(' ')).toHaveLength(20);
    expect(task.keep?.({ text: ' = = Gameplay = = ' }, task.dataset)).toBe(false);
    expect(task.keep?.({ text: '' }, task.dataset)).toBe(false);
    expect(task.keep?.({ text: 'Robert Boulter is an English actor .' }, task.dataset)).toBe(true);
    // A suite's own column names reach the filter too: a heading in 'body' is still a heading.
    const suiteSpec = { ...task.dataset, fields: { text: ['body'] } };
    expect(task.keep?.({ body: ' = = Gameplay = = ', text: 'Robert Boulter is an English actor .' }, suiteSpec)).toBe(
      false,
    );
  });
});

describe('Hugging Face Hub download', () => {
  const token = 'hf_joulebenchTestToken';
  const root = tempDir();
  const hubs: Record<'xet' | 'lfs', FakeHub> = {} as Record<'xet' | 'lfs', FakeHub>;
  beforeAll(async () => {
    const columns = { sentence: ['great', 'awful'], label: [1n, 0n] };
    writeParquet(join(root, 'datasets', spec.id, 'refs/convert/parquet/default/test/0000.parquet'), columns);
    writeParquet(join(root, 'datasets', spec.id, 'refs/convert/parquet/default/train/0000.parquet'), columns);
    writeParquet(join(root, 'datasets', spec.id, 'refs/convert/parquet/extra/validation/0000.parquet'), columns);
    writeParquet(
      join(root, 'datasets', 'org/private-reviews', 'refs/convert/parquet/default/test/0000.parquet'),
      columns,
    );
    const gated = ['datasets/org/private-reviews'];
    hubs.xet = await startFakeHub(root, { token, gated, storage: 'xet' });
    hubs.lfs = await startFakeHub(root, { token, gated, storage: 'lfs' });
  });
  afterAll(() => Promise.all(Object.values(hubs).map((h) => h.close())));

  it.each(['xet', 'lfs'] as const)(
    'downloads the parquet export once (%s storage, bytes from the CDN), then reads it from the cache',
    async (storage) => {
      const hub = hubs[storage];
      const cfg = config({ remoteHost: hub.url });
      const first = await loadDataset(spec, cfg);
      expect(first.source).toBe('hf-hub');
      expect(first.config).toBe('default');
      expect(first.rows).toEqual([
        { sentence: 'great', label: 1 },
        { sentence: 'awful', label: 0 },
      ]);
      // The revision is encoded exactly once, in the listing and in the resolve URL alike.
      expect(hub.paths()).toContain('/api/datasets/org/reviews/tree/refs%2Fconvert%2Fparquet/default/test');
      expect(hub.paths()).toContain('/datasets/org/reviews/resolve/refs%2Fconvert%2Fparquet/default/test/0000.parquet');
      expect(hub.requests.some((r) => r.server === 'cdn' && r.method === 'GET')).toBe(true);
      const seen = hub.requests.length;
      expect(await loadDataset(spec, cfg)).toBe(first); // within one run, read once
      const second = await loadDataset(spec, { ...cfg }); // the next run: from the cache
      expect(second.source).toBe('cache');
      expect(second.sha256).toBe(first.sha256);
      expect(hub.requests.length).toBe(seen);
    },
  );

  it('sends HF_TOKEN with every dataset request, so a gated dataset downloads', async () => {
    const hub = hubs.xet;
    const before = hub.requests.length;
    const cfg = { ...resolveHubConfig({ cache: tempDir() }, { HF_TOKEN: token }), remoteHost: hub.url };
    const ds = await loadDataset({ ...spec, id: 'org/private-reviews' }, cfg);
    expect(ds.rows).toHaveLength(2);
    const sent = hub.requests.slice(before).filter((r) => r.server === 'hub');
    expect(sent.length).toBeGreaterThanOrEqual(2); // the listing and the resolve probe, at least
    for (const r of sent) expect(r.authorization).toBe(`Bearer ${token}`);
  });

  it('refuses an HF_TOKEN that is not a Hugging Face token in one line', async () => {
    const cfg = config({ remoteHost: hubs.xet.url, token: 'not-a-token' });
    await expect(loadDataset(spec, cfg)).rejects.toThrow(
      new UserError("HF_TOKEN is not a Hugging Face access token (those start with 'hf_')"),
    );
  });

  it('says a gated or unknown dataset needs HF_TOKEN when the Hub answers 401', async () => {
    const cfg = config({ remoteHost: hubs.xet.url });
    for (const id of ['org/private-reviews', 'Samsung/samsum']) {
      await expect(loadDataset({ ...spec, id }, cfg)).rejects.toThrow(
        new RegExp(`^Dataset ${id} \\(test\\): the Hub answered HTTP 401 .*HF_TOKEN`),
      );
    }
  });

  it("lists the export's configs and splits when the config or split asked for is not there", async () => {
    const cfg = config({ remoteHost: hubs.xet.url });
    const available = 'it has: default (test, train); extra (validation)';
    await expect(loadDataset({ ...spec, split: 'validation' }, cfg)).rejects.toThrow(
      "Dataset org/reviews (validation): the Hub's parquet export has no config 'default' with split " +
        `'validation'; ${available}`,
    );
    await expect(loadDataset({ ...spec, config: 'plain_text' }, cfg)).rejects.toThrow(
      `Dataset org/reviews (test): the Hub's parquet export has no config 'plain_text' with split 'test'; ${available}`,
    );
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

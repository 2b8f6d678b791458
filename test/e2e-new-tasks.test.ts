// The four tasks end to end through the CLI on the offline mirror's random-weight fixtures:
// `bench --task <t>` records, then the leaderboard (Markdown, CSV, JSON, site) and `compare`
// over them; and bad input stopped with one line before any window opens.
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunRecordSchema, type OkRecord, type RunRecord } from '../src/schema/result-record.js';
import { loadTask } from '../tasks/index.js';
import { cli, hubDir, repoRoot, tempDir, type CliResult } from './helpers/env.js';

const fixtures = {
  'question-answering': 'joulebench-fixtures/tiny-random-bert-qa',
  'fill-mask': 'joulebench-fixtures/tiny-random-bert-fill-mask',
  'token-classification': 'joulebench-fixtures/tiny-random-bert-ner',
  'image-classification': 'joulebench-fixtures/tiny-random-vit',
} as const;
const tasks = Object.keys(fixtures) as (keyof typeof fixtures)[];

function readRun(out: string): RunRecord[] {
  const files = readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  return readFileSync(join(out, 'runs', files[0]!), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => RunRecordSchema.parse(JSON.parse(l)));
}

const quick = ['--samples', '3', '--repetitions', '1', '--warmup', '0', '--min-window-seconds', '0'];
const out = tempDir('joulebench-e2e-tasks-');

describe.each(tasks)('bench --task %s on the offline mirror', (task) => {
  let r: CliResult;
  let records: RunRecord[];
  beforeAll(async () => {
    r = await cli(['bench', '--task', task, ...quick, '--out', join(out, task)]);
    records = readRun(join(out, task));
  });

  it('measures the fixture and scores its predictions with every metric of the task', async () => {
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(0);
    const [record] = records.filter((x): x is OkRecord => x.status === 'ok');
    expect(record).toMatchObject({
      task,
      model: fixtures[task],
      inferences: 3,
      modelInfo: { kind: 'fixture' },
      modelSource: { where: 'local-hub' },
      dataset: { source: 'local-hub' },
    });
    expect(record!.energy.joules).toBeGreaterThan(0);
    const metrics = (await loadTask(task)).metrics.map((m) => m.name);
    expect(Object.keys(record!.quality).sort()).toEqual([...metrics].sort());
    for (const v of Object.values(record!.quality)) expect(v).toBeGreaterThanOrEqual(0);
    // The registered Hub models are listed as skipped, not silently dropped.
    expect(records.filter((x) => x.status === 'skipped').length).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toContain(`## ${task}`);
    expect(r.stdout).toContain(`${fixtures[task]} **(fixture: not citable)**`);
  });

  it('scores a batched run as the one-by-one run (each batch output split back per sample)', async () => {
    const batched = tempDir();
    const b = await cli([
      'bench',
      '--task',
      task,
      '--model',
      fixtures[task],
      ...quick,
      '--batch-size',
      '2',
      '--out',
      batched,
    ]);
    expect(b.status).toBe(0);
    const [one] = records.filter((x): x is OkRecord => x.status === 'ok');
    const [two] = readRun(batched).filter((x): x is OkRecord => x.status === 'ok');
    expect(two!.settings.batchSize).toBe(2);
    for (const [metric, value] of Object.entries(one!.quality)) expect(two!.quality[metric]).toBeCloseTo(value, 9);
  });
});

describe('leaderboard and compare over the four runs', () => {
  let board: string;
  beforeAll(async () => {
    board = tempDir();
    const r = await cli(['leaderboard', '--in', out, '--out', board]);
    expect(r.status).toBe(0);
  });

  it('shows every new task in Markdown, CSV, JSON and the site', () => {
    const md = readFileSync(join(board, 'leaderboard.md'), 'utf8');
    const csv = readFileSync(join(board, 'leaderboard.csv'), 'utf8');
    const json = JSON.parse(readFileSync(join(board, 'leaderboard.json'), 'utf8')) as {
      tasks: Record<string, unknown>;
    };
    const html = readFileSync(join(board, 'site', 'index.html'), 'utf8');
    for (const task of tasks) {
      expect(md).toMatch(new RegExp(`^## ${task}$`, 'm'));
      expect(csv).toContain(`${task},`);
      expect(Object.keys(json.tasks)).toContain(task);
      expect(html).toContain(`<section class="task" id="task-${task}"`);
    }
    expect(md).toContain('| Top-1 accuracy ↑ |'); // image-classification's quality column
    expect(md).toContain('| Entity F1 ↑ |');
    expect(readdirSync(join(board, 'site', 'figures'))).toContain('energy-by-task.svg');
  });

  it("compare lists the paper's figure for each, with no citable measurement here", async () => {
    const r = await cli(['compare', '--paper', 'power-hungry-processing', '--in', out, '--out', tempDir()]);
    expect(r.status).toBe(0);
    for (const [task, paperTask] of [
      ['question-answering', 'extractive_qa'],
      ['fill-mask', 'masked_language_modeling'],
      ['token-classification', 'token_classification'],
      ['image-classification', 'image_classification'],
    ])
      expect(r.stdout).toMatch(
        new RegExp(`^\\| ${task} ↔ ${paperTask} \\| no citable measurement here \\(fixtures only\\) \\|`, 'm'),
      );
  });
});

describe('bad input: one line naming the file and row, or the model, before any window opens', () => {
  /** A mirror with the real models and one dataset replaced. */
  function mirrorWith(dataset: string, split: string, rows: string, extra?: (dir: string) => void): string {
    const root = tempDir();
    symlinkSync(join(hubDir, 'models'), join(root, 'models'));
    const dir = join(root, 'datasets', dataset);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${split}.jsonl`), rows);
    extra?.(dir);
    return root;
  }

  function expectOneLine(r: CliResult, pattern: RegExp): void {
    expect(r.status).not.toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('joulebench: '));
    expect(lines).toEqual([expect.stringMatching(pattern)]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain('loading model');
  }

  it.each([
    [
      'question-answering',
      'rajpurkar/squad',
      'validation',
      '{"question":"q?","context":"c","answers":{"text":["c"]}}\n{"question":"q?","context":"c"}\n',
      /^joulebench: Dataset rajpurkar\/squad \(validation\) row 2 has no field 'answers'; its fields are: question, context \(in \/.*\/datasets\/rajpurkar\/squad\/validation\.jsonl\)$/,
    ],
    [
      'token-classification',
      'eriktks/conll2003',
      'validation',
      '{"tokens":["a","b"],"ner_tags":[0]}\n',
      /^joulebench: Dataset eriktks\/conll2003 \(validation\) row 1: has 2 tokens but 1 tags \(in \/.*\/validation\.jsonl\)$/,
    ],
    [
      'fill-mask',
      'Salesforce/wikitext',
      'test',
      '{"prompt":"some words here to mask"}\n{"text":42}\n',
      /^joulebench: Dataset Salesforce\/wikitext \(test\) row 2: field 'text' should be a string, got 42 \(in \/.*\/test\.jsonl\)$/,
    ],
  ])("%s: a row without the task's fields", async (task, dataset, split, rows, pattern) => {
    const runs = tempDir();
    const r = await cli(['bench', '--task', task, ...quick, '--hub', mirrorWith(dataset, split, rows), '--out', runs]);
    expectOneLine(r, pattern);
    expect(readdirSync(runs)).toEqual([]); // nothing written, not even the plan or its runs/ folder
  });

  it('image-classification: an image that cannot be decoded', async () => {
    const rows = '{"image":"test/00000.png","label":3}\n{"image":"test/broken.png","label":8}\n';
    const root = mirrorWith('uoft-cs/cifar10', 'test', rows, (dir) => {
      cpSync(join(hubDir, 'datasets/uoft-cs/cifar10/test/00000.png'), join(dir, 'test', '00000.png'), {
        recursive: true,
      });
      writeFileSync(join(dir, 'test', 'broken.png'), 'not a png');
    });
    const runs = tempDir();
    const r = await cli(['bench', '--task', 'image-classification', ...quick, '--hub', root, '--out', runs]);
    expectOneLine(
      r,
      new RegExp(
        '^joulebench: Dataset uoft-cs/cifar10 \\(test\\) row 2: image .*/test/broken\\.png cannot be decoded ' +
          '\\(Input buffer contains unsupported image format\\) \\(in /.*/test\\.jsonl\\)$',
      ),
    );
    expect(readdirSync(runs)).toEqual([]);
  });

  it('a model whose labels do not map: one line naming it, and none of its windows opens', async () => {
    const registry = JSON.parse(readFileSync(join(repoRoot, 'models.json'), 'utf8')) as {
      models: { id: string; labels?: Record<string, string> }[];
    };
    const ner = registry.models.find((m) => m.id === fixtures['token-classification'])!;
    const { 'B-MISC': _, ...labels } = ner.labels!;
    const modelsFile = join(tempDir(), 'models.json');
    writeFileSync(modelsFile, JSON.stringify({ models: [{ ...ner, labels }] }));
    const runs = tempDir();
    const r = await cli([
      'bench',
      '--task',
      'token-classification',
      ...quick,
      '--models-file',
      modelsFile,
      '--out',
      runs,
    ]);
    expect(r.status).toBe(1);
    const message = `Model ${ner.id}: models.json "labels" does not map the model's label 'B-MISC' (every label must map here)`;
    const said = r.stderr.split('\n').filter((l) => l.includes('B-MISC'));
    expect(said).toEqual([`  ✗ ${ner.id}: prepare failed: ${message}`]);
    expect(r.stderr).not.toMatch(/warm-up|repetition 1\/1/);
    expect(readRun(runs)).toEqual([
      expect.objectContaining({ status: 'error', stage: 'prepare', model: ner.id, message }),
    ]);
  });
});

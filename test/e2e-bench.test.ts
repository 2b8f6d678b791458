// End to end through the CLI, on the real small models of the offline mirror: one bench run per
// task, then the leaderboard over all of them; and the online path against a local stand-in Hub.
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../src/run/benchmark.js';
import { RunRecordSchema, type OkRecord, type RunRecord } from '../src/schema/result-record.js';
import { cli, hubDir, tempDir } from './helpers/env.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { writeParquet } from './helpers/parquet.js';

function readRun(out: string): RunRecord[] {
  const files = readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  return readFileSync(join(out, 'runs', files[0]!), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => RunRecordSchema.parse(JSON.parse(l)));
}

const out = tempDir('joulebench-e2e-');

describe.each(['classification', 'generation', 'summarization'])('bench --task %s on the offline mirror', (task) => {
  let records: RunRecord[];
  let stdout: string;
  let stderr: string;
  let status: number | null;
  beforeAll(async () => {
    const taskOut = join(out, task);
    ({ stdout, stderr, status } = await cli([
      'bench',
      '--task',
      task,
      '--samples',
      '4',
      '--repetitions',
      '2',
      '--warmup',
      '1',
      '--min-window-seconds',
      '0',
      '--out',
      taskOut,
    ]));
    records = readRun(taskOut);
  });

  it('exits 0 and measures every mirror model of the task, each repetition in its own record', async () => {
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(status).toBe(0);
    const registry = await openRegistry();
    const local = registry.forTask(task).filter((m) => existsSync(join(hubDir, 'models', m.hfId, 'config.json')));
    expect(local.length).toBeGreaterThan(0);
    for (const m of local) {
      const ok = records.filter((r): r is OkRecord => r.status === 'ok' && r.model === m.id);
      expect(ok.map((r) => r.settings.repetition)).toEqual([1, 2]);
      for (const r of ok) {
        expect(r.inferences).toBe(4);
        expect(r.energy).toMatchObject({ meter: 'estimate', kind: 'estimated' });
        expect(r.energy.joules).toBeGreaterThan(0);
        expect(r.joulesPer1kInferences).toBeCloseTo((r.energy.joules / 4) * 1000, 9);
        expect(r.throughput).toBeCloseTo(4 / r.durationS, 6);
        expect(r.latencyMs.p50).toBeGreaterThan(0);
        expect(r.modelSource.where).toBe('local-hub');
        expect(Object.keys(r.modelSource.files).some((f) => f.startsWith('onnx/'))).toBe(true);
        expect(r.dataset.source).toBe('local-hub');
        expect(r.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(r.hardware.cpu.logicalCores).toBeGreaterThan(0);
        expect(r.software.onnxruntimeNode).toMatch(/^\d+\.\d+/);
      }
    }
  });

  it('lists each model that is not in the mirror once as skipped, and says so in the summary', () => {
    const skipped = records.filter((r) => r.status === 'skipped');
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    for (const r of skipped) {
      expect(stderr.split(`${r.model}: skipped — not available offline (looked in`).length - 1).toBe(1);
    }
    expect(stderr).toMatch(new RegExp(`${skipped.length} skipped \\(not available offline\\)`));
  });

  it('prints the result table with the estimate label', () => {
    expect(stdout).toContain(`## ${task}`);
    expect(stdout).toContain('ESTIMATED, not measured');
  });

  it('computes the task quality from real predictions', () => {
    const ok = records.filter((r): r is OkRecord => r.status === 'ok');
    if (task === 'classification') {
      const bow = ok.find((r) => r.model === 'joulebench-fixtures/sentiment-bow-en')!;
      // The fixture classifier's predictions are deterministic: 3 of the first 4 SST-2 rows.
      expect(bow.quality).toMatchObject({ accuracy: 0.75, unmappedRate: 0 });
    }
    if (task === 'generation') {
      for (const r of ok) {
        expect(r.outputTokens).toBe(4 * 10); // exactly 10 new tokens per prompt
        expect(r.joulesPerOutputToken).toBeCloseTo(r.energy.joules / 40, 12);
        expect(Number.isFinite(r.quality.wordPerplexity)).toBe(true);
        expect(r.quality.wordPerplexity).toBeGreaterThan(1);
      }
    }
    if (task === 'summarization') {
      for (const r of ok) {
        expect(r.outputTokens).toBeGreaterThanOrEqual(4 * 10);
        expect(r.outputTokens).toBeLessThanOrEqual(4 * 15);
        expect(r.quality).toHaveProperty('rougeL');
      }
    }
  });
});

describe('leaderboard over the three runs', () => {
  it('shows all three tasks in Markdown and CSV, fixtures marked, estimates labelled', async () => {
    const board = tempDir();
    const r = await cli(['leaderboard', '--in', out, '--out', board]);
    expect(r.status).toBe(0);
    const md = readFileSync(join(board, 'leaderboard.md'), 'utf8');
    expect(r.stdout).toBe(md);
    for (const task of ['classification', 'generation', 'summarization'])
      expect(md).toMatch(new RegExp(`^## ${task}$`, 'm'));
    expect(md).toContain('ESTIMATED, not measured');
    expect(md).toContain('joulebench-fixtures/tiny-random-bart **(fixture: not citable)**');
    expect(md).toMatch(/\| 1 \| joulebench-fixtures\/sentiment-bow-en \|/);
    const csv = readFileSync(join(board, 'leaderboard.csv'), 'utf8');
    expect(csv.split('\n')[0]).toContain('joules_per_1k_inferences');
    expect(csv).toContain('karpathy/stories260K');
  });
});

describe('online path against a stand-in Hub', () => {
  let hub: FakeHub;
  beforeAll(async () => {
    const root = tempDir();
    cpSync(
      join(hubDir, 'models', 'joulebench-fixtures', 'sentiment-bow-en'),
      join(root, 'models', 'joulebench-fixtures', 'sentiment-bow-en'),
      { recursive: true },
    );
    const rows = readFileSync(join(hubDir, 'datasets', 'stanfordnlp', 'sst2', 'validation.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(0, 10)
      .map((l) => JSON.parse(l) as { text: string; label: number; idx: number });
    // The Hub's parquet export names the column "sentence", as the real SST-2 does.
    writeParquet(
      join(root, 'datasets', 'stanfordnlp', 'sst2', 'refs/convert/parquet/default/validation/0000.parquet'),
      {
        idx: rows.map((r) => BigInt(r.idx)),
        sentence: rows.map((r) => r.text),
        label: rows.map((r) => BigInt(r.label)),
      },
    );
    hub = await startFakeHub(root);
  });
  afterAll(() => hub.close());

  it('downloads the dataset and the model into the cache and measures it', async () => {
    const cache = tempDir('joulebench-cache-');
    const runOut = tempDir();
    const r = await cli(
      [
        'bench',
        '--task',
        'classification',
        '--model',
        'joulebench-fixtures/sentiment-bow-en',
        '--samples',
        '5',
        '--repetitions',
        '1',
        '--warmup',
        '0',
        '--min-window-seconds',
        '0',
        '--out',
        runOut,
      ],
      { JOULEBENCH_HUB: '', HF_ENDPOINT: hub.url, JOULEBENCH_CACHE: cache },
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(0);
    const [record] = readRun(runOut) as OkRecord[];
    expect(record!.status).toBe('ok');
    expect(record!.dataset.source).toBe('hf-hub');
    expect(record!.modelSource.where).toBe('hf-hub');
    expect(record!.modelSource.files['onnx/model.onnx']).toBe(
      'c0455a4ac2dd32b42c7e69cd31097a862ae0d8822a533e858a4dd694ae17198e',
    );
    expect(existsSync(join(cache, 'models', 'joulebench-fixtures', 'sentiment-bow-en', 'onnx', 'model.onnx'))).toBe(
      true,
    );
    expect(hub.requests).toContain('/joulebench-fixtures/sentiment-bow-en/resolve/main/onnx/model.onnx');
  });
});

// End to end through the CLI, on the real small models of the offline mirror: one bench run per
// task, then the leaderboard over all of them; and the online path against a local stand-in Hub.
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../src/run/benchmark.js';
import { loadSuite } from '../src/run/suites.js';
import { RunRecordSchema, type OkRecord, type RunRecord } from '../src/schema/result-record.js';
import { cli, hubDir, repoRoot, tempDir } from './helpers/env.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { writeHubDatasets } from './helpers/hub-datasets.js';

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

  it('generative tasks: times every request (TTFT, TPOT) and measures a prefill window of the same inputs', () => {
    const ok = records.filter((x): x is OkRecord => x.status === 'ok');
    if (task === 'classification') {
      for (const r of ok)
        expect([r.generation, r.prefill, r.energy.prefillJoules]).toEqual([undefined, undefined, undefined]);
      return;
    }
    for (const r of ok) {
      const g = r.generation!;
      expect(g).toMatchObject({ requests: 4, per: 'request' });
      expect(g.ttftMs.p50).toBeGreaterThan(0);
      expect(g.ttftMs.p50).toBeLessThanOrEqual(g.ttftMs.p99);
      expect(g.tpotMs!.p95).toBeGreaterThan(0);
      // The first token and every later one fit in the call: TTFT + 9 × TPOT (median) stays under its latency.
      expect(g.ttftMs.p50 + 9 * g.tpotMs!.p50).toBeLessThan(r.latencyMs.max);
      expect(r.prefill).toMatchObject({ inferences: 4, passes: 1, outputTokens: 4 });
      expect(r.prefill!.callOptions).toMatchObject({ max_new_tokens: 1 });
      expect(r.energy.split?.kind).toBe('derived');
      expect(r.energy.prefillJoules).toBeCloseTo(r.prefill!.joules, 12); // same inferences: unscaled
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
  /** The mirror's models the stand-in serves; every other registered model is unknown to it. */
  const served = [
    'joulebench-fixtures/sentiment-bow-en',
    'joulebench-fixtures/tiny-random-bart',
    'karpathy/stories260K',
    'joulebench-fixtures/tiny-random-bert-qa',
    'joulebench-fixtures/tiny-random-bert-fill-mask',
    'joulebench-fixtures/tiny-random-bert-ner',
    'joulebench-fixtures/tiny-random-vit',
  ];
  const bow = 'joulebench-fixtures/sentiment-bow-en';
  let hub: FakeHub;
  beforeAll(async () => {
    const root = tempDir();
    for (const id of served) cpSync(join(hubDir, 'models', id), join(root, 'models', id), { recursive: true });
    writeHubDatasets(root); // every suite and task dataset, under its real name, config and columns
    hub = await startFakeHub(root);
  });
  afterAll(() => hub.close());

  /** `bench` with no mirror, the stand-in as the Hub, and `cache` as the download cache. */
  const bench = (args: string[], cache: string, out: string, env: Record<string, string> = {}) =>
    cli(['bench', ...args, '--repetitions', '1', '--warmup', '0', '--min-window-seconds', '0', '--out', out], {
      JOULEBENCH_HUB: '',
      HF_ENDPOINT: hub.url,
      JOULEBENCH_CACHE: cache,
      ...env,
    });

  it('downloads the dataset and the model into the cache and measures it', async () => {
    const cache = tempDir('joulebench-cache-');
    const runOut = tempDir();
    const r = await bench(['--task', 'classification', '--model', bow, '--samples', '5'], cache, runOut);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(0);
    const [record] = readRun(runOut) as OkRecord[];
    expect(record!.status).toBe('ok');
    expect(record!.dataset.source).toBe('hf-hub');
    expect(record!.modelSource.where).toBe('hf-hub');
    expect(record!.modelSource.files['onnx/model.onnx']).toBe(
      'c0455a4ac2dd32b42c7e69cd31097a862ae0d8822a533e858a4dd694ae17198e',
    );
    expect(existsSync(join(cache, 'models', bow, 'onnx', 'model.onnx'))).toBe(true);
    expect(hub.paths()).toContain(`/${bow}/resolve/main/onnx/model.onnx`);
    // The weights came from the CDN the Hub redirected to, not from the Hub itself.
    expect(hub.requests.some((q) => q.server === 'cdn')).toBe(true);
  });

  it('completes a cached model whose weights download failed, asking the Hub again on the next run', async () => {
    const cache = tempDir('joulebench-cache-');
    const dir = join(cache, 'models', bow);
    hub.failing = new RegExp(`^${bow}/onnx/`); // the CDN fails the weights, as a dropped download would
    const firstOut = tempDir();
    try {
      await bench(['--task', 'classification', '--model', bow, '--samples', '2'], cache, firstOut);
    } finally {
      hub.failing = undefined;
    }
    expect(readRun(firstOut)).toEqual([expect.objectContaining({ status: 'error', stage: 'load' })]);
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
    expect(existsSync(join(dir, 'onnx', 'model.onnx'))).toBe(false);
    const secondOut = tempDir();
    const r = await bench(['--task', 'classification', '--model', bow, '--samples', '2'], cache, secondOut);
    expect(r.stderr).not.toMatch(/incomplete/);
    expect(r.status).toBe(0);
    const [record] = readRun(secondOut) as OkRecord[];
    expect(record).toMatchObject({ status: 'ok', modelSource: { where: 'hf-hub', dir } });
    expect(existsSync(join(dir, 'onnx', 'model.onnx'))).toBe(true);
  });

  it('downloads a pinned revision, then finds it in the cache when offline', async () => {
    const revision = '36999667f88e939431e2b12cbe3262a5bad2d40f'; // any commit: the stand-in serves each alike
    const registry = JSON.parse(readFileSync(join(repoRoot, 'models.json'), 'utf8')) as { models: { id: string }[] };
    const modelsFile = join(tempDir(), 'models.json');
    const entry = { ...registry.models.find((m) => m.id === bow)!, revision };
    writeFileSync(modelsFile, JSON.stringify({ models: [entry] }));
    const cache = tempDir('joulebench-cache-');
    const args = ['--task', 'classification', '--models-file', modelsFile, '--samples', '2'];
    const onlineOut = tempDir();
    const seen = hub.paths().length;
    expect((await bench(args, cache, onlineOut)).status).toBe(0);
    // Every file of the model comes from the pinned revision.
    const fetched = hub
      .paths()
      .slice(seen)
      .filter((p) => p.startsWith(`/${bow}/resolve/`));
    expect(fetched).toContain(`/${bow}/resolve/${revision}/onnx/model.onnx`);
    expect(fetched).toContain(`/${bow}/resolve/${revision}/config.json`);
    expect(fetched.filter((p) => !p.startsWith(`/${bow}/resolve/${revision}/`))).toEqual([]);
    const [online] = readRun(onlineOut) as OkRecord[];
    expect(online).toMatchObject({ status: 'ok', modelInfo: { revision }, modelSource: { where: 'hf-hub' } });
    expect(online!.modelSource.dir).toBe(join(cache, 'revisions', revision, bow));
    const offlineOut = tempDir();
    const r = await bench(args, cache, offlineOut, { HF_HUB_OFFLINE: '1' });
    expect(r.status).toBe(0);
    const [offline] = readRun(offlineOut) as OkRecord[];
    expect(offline).toMatchObject({ status: 'ok', modelSource: { where: 'cache', files: online!.modelSource.files } });
  });

  it('runs every unit of the power-hungry-processing suite on the Hub-named datasets', async () => {
    const runOut = tempDir();
    const r = await bench(
      ['--suite', 'power-hungry-processing', '--samples', '2'],
      tempDir('joulebench-cache-'),
      runOut,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const suite = loadSuite('power-hungry-processing');
    const records = readRun(runOut);
    for (const e of suite.entries) {
      for (const model of e.models!) {
        const mine = records.filter((x) => x.model === model && x.dataset.id === e.dataset!.id);
        expect(mine, `${model} on ${e.dataset!.id}`).toHaveLength(1);
        const [record] = mine;
        if (served.includes(model)) {
          // Served: measured on the Hub's rows of the dataset's real config.
          expect(record).toMatchObject({ status: 'ok', inferences: 2, dataset: { source: 'hf-hub' } });
          expect((record as OkRecord).dataset.config).toBe(e.dataset!.config);
        } else {
          // Not served: one line saying the Hub does not have it, and the run goes on.
          expect(record).toMatchObject({ status: 'error', stage: 'load' });
          expect((record as { message: string }).message).toMatch(/^not found on the Hub \(HTTP 401 for /);
        }
      }
    }
    expect(records.filter((x) => x.status === 'ok')).toHaveLength(11); // 7 + the four new tasks' fixtures
    expect(r.status).toBe(1); // some registered models failed: the stand-in has only the mirror's
  });
});

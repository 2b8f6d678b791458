// A sweep is one normal run: its plan's units are the models times the cross product of the
// axes, what cannot run is skipped with the reason, and an interrupted sweep resumes only its
// missing cells. The leaderboard keeps each configuration in its own group, threads named.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDevice } from '../src/model/device.js';
import { resolveHubConfig } from '../src/model/hub.js';
import { openRegistry } from '../src/run/benchmark.js';
import { configurations, selectDtypes, usableDevices } from '../src/run/sweep-plan.js';
import { RunRecordSchema, type OkRecord } from '../src/schema/result-record.js';
import { DEFAULT_RUN_OPTIONS } from '../src/schema/run-options.js';
import { PlanSchema } from '../src/schema/run-plan.js';
import { UserError } from '../src/util/errors.js';
import { cli, hubDir, quickRun, tempDir } from './helpers/env.js';

describe('the cross product', () => {
  it('is batch size × threads × device, an axis not given taking the run setting', () => {
    const configs = configurations({ batchSize: [1, 4], threads: [1, 2] }, DEFAULT_RUN_OPTIONS);
    expect(configs).toEqual([
      { batchSize: 1, threads: 1, device: 'cpu' },
      { batchSize: 1, threads: 2, device: 'cpu' },
      { batchSize: 4, threads: 1, device: 'cpu' },
      { batchSize: 4, threads: 2, device: 'cpu' },
    ]);
    expect(configurations({ device: ['cpu', 'webgpu'] }, { ...DEFAULT_RUN_OPTIONS, batchSize: 8 })).toEqual([
      { batchSize: 8, threads: null, device: 'cpu' },
      { batchSize: 8, threads: null, device: 'webgpu' },
    ]);
  });

  it('skips a device that cannot run, with what bench would have said', async () => {
    const check = async (d: string) => {
      if (d === 'webgpu') throw new UserError('--device webgpu: the Vulkan loader (libvulkan.so.1) is not installed');
    };
    expect(await usableDevices(['cpu', 'webgpu'], check)).toEqual({
      devices: ['cpu'],
      skipped: [
        {
          model: '*',
          config: { device: 'webgpu' },
          reason: '--device webgpu: the Vulkan loader (libvulkan.so.1) is not installed',
        },
      ],
    });
  });

  it("takes a dtype as the model's registered variant, and skips a dtype it has none of", async () => {
    const registry = await openRegistry();
    const hub = resolveHubConfig({ hub: hubDir, offline: true });
    const stories = registry.select('generation', ['karpathy/stories260K:q8']); // a variant names its model too
    const { entries, skipped } = await selectDtypes(stories, ['fp32', 'q8', 'fp16'], registry, hub);
    expect(entries.map((e) => e.id)).toEqual(['karpathy/stories260K', 'karpathy/stories260K:q8']);
    expect(skipped).toEqual([
      {
        model: 'karpathy/stories260K',
        config: { dtype: 'fp16' },
        reason: expect.stringMatching(
          /^no registered variant of karpathy\/stories260K has dtype fp16 .*nor is there a onnx\/model_fp16\.onnx in /,
        ),
      },
    ]);
  });
});

describe('sweep on the offline mirror', () => {
  const out = tempDir('joulebench-sweep-');
  const runs = join(out, 'runs');
  const model = ['--task', 'classification', '--model', 'joulebench-fixtures/sentiment-bow-en'];
  const axes = ['--batch-size', '1,2,8', '--threads', '1,2', '--dtype', 'fp32,q8', '--device', 'cpu,cuda'];
  let cudaRuns = false;
  let first: Awaited<ReturnType<typeof cli>>;
  const records = (id: string) =>
    readFileSync(join(runs, `${id}.jsonl`), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => RunRecordSchema.parse(JSON.parse(l)))
      .filter((r): r is OkRecord => r.status === 'ok');

  beforeAll(async () => {
    cudaRuns = await checkDevice('cuda').then(
      () => true,
      () => false,
    );
    first = await cli(['sweep', ...model, ...axes, ...quickRun, '--run-id', 'sw', '--out', out]);
  }, 120_000);

  it('plans the cross product, skipping the dtype, device and batch size that cannot run, with the reasons', () => {
    expect(first.status, first.stderr).toBe(0);
    const plan = PlanSchema.parse(JSON.parse(readFileSync(join(runs, 'sw.plan.json'), 'utf8')));
    const devices = cudaRuns ? ['cpu', 'cuda'] : ['cpu'];
    const configs = plan.units.map((u) => [u.model, u.config?.batchSize, u.config?.threads, u.config?.device]);
    expect(configs).toEqual(
      [1, 2].flatMap((b) =>
        [1, 2].flatMap((t) => devices.map((d) => ['joulebench-fixtures/sentiment-bow-en', b, t, d])),
      ),
    );
    const reasons = plan.sweep!.skipped.map((s) => `${JSON.stringify(s.config)} ${s.reason}`);
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /^\{"dtype":"q8"\} no registered variant of joulebench-fixtures\/sentiment-bow-en has dtype q8/,
      ),
    );
    expect(reasons).toContainEqual('{"batchSize":8} batch size 8 is more than the 4 samples of a repetition');
    if (!cudaRuns) expect(reasons).toContainEqual(expect.stringMatching(/^\{"device":"cuda"\} --device cuda: /));
    expect(plan.sweep).toMatchObject({
      id: 'sw',
      axes: { batchSize: [1, 2, 8], threads: [1, 2] },
      latencyBudgetMs: null,
    });
  });

  it('records each configuration in its settings, and writes the sweep report', () => {
    const rs = records('sw').filter((r) => r.settings.device === 'cpu');
    expect(rs).toHaveLength(4 * 2);
    for (const r of rs) expect(r.sweep?.id).toBe('sw');
    const seen = rs.map((r) => `${r.settings.batchSize}/${r.settings.threads}/${r.settings.repetition}`).sort();
    expect(seen).toEqual(['1/1/1', '1/1/2', '1/2/1', '1/2/2', '2/1/1', '2/1/2', '2/2/1', '2/2/2']);
    const md = readFileSync(join(out, 'sweeps', 'sw.md'), 'utf8');
    expect(first.stdout).toContain(md.trimEnd());
    expect(md).toMatch(/^Energy-optimal: fp32 · batch \d · threads \d · cpu \(/m);
    expect(md).toMatch(/^- joulebench-fixtures\/sentiment-bow-en, dtype q8: no registered variant/m);
    expect(md).toMatch(
      /^- joulebench-fixtures\/sentiment-bow-en, batch size 8: batch size 8 is more than the 4 samples/m,
    );
    const csv = readFileSync(join(out, 'sweeps', 'sw.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(csv).toHaveLength(1 + 4 * (cudaRuns ? 2 : 1));
    expect(JSON.parse(readFileSync(join(out, 'sweeps', 'sw.json'), 'utf8'))[0].models[0].energyOptimal).toMatch(
      /^fp32 · /,
    );
  });

  it('keeps every configuration in its own leaderboard group, and names its threads', async () => {
    const lb = await cli(['leaderboard', '--in', out, '--out', join(out, 'board'), '--format', 'md,json']);
    expect(lb.status, lb.stderr).toBe(0);
    const board = JSON.parse(readFileSync(join(out, 'board', 'leaderboard.json'), 'utf8'));
    const groups = board.tasks.classification.groups.filter((g: { device: string }) => g.device === 'cpu');
    expect(groups).toHaveLength(4);
    for (const g of groups) expect(g.rows).toHaveLength(1);
    expect(
      groups.map((g: { setup: string }) => g.setup.match(/batch size \d, onnxruntime threads \d/)?.[0]).sort(),
    ).toEqual([
      'batch size 1, onnxruntime threads 1',
      'batch size 1, onnxruntime threads 2',
      'batch size 2, onnxruntime threads 1',
      'batch size 2, onnxruntime threads 2',
    ]);
    expect(groups.map((g: { rows: { threads: number }[] }) => g.rows[0]!.threads).sort()).toEqual([1, 1, 2, 2]);
  });

  it('resumes an interrupted sweep: only its missing cells run, and the report covers them all', async () => {
    const id = 'sw-resume';
    const a = await cli([
      'sweep',
      ...model,
      '--batch-size',
      '1,2',
      '--threads',
      '1,2',
      ...quickRun,
      '--run-id',
      id,
      '--out',
      out,
    ]);
    expect(a.status, a.stderr).toBe(0);
    // As if killed after its third record.
    const file = join(runs, `${id}.jsonl`);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`);
    const before = records(id).map((r) => r.startedAt);
    const b = await cli(['sweep', '--resume', id, '--out', out]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/5 repetition\(s\) left; 3 already recorded/);
    const after = records(id);
    expect(after.slice(0, 3).map((r) => r.startedAt)).toEqual(before);
    const cells = after.map((r) => `${r.settings.batchSize}/${r.settings.threads}/${r.settings.repetition}`);
    expect(new Set(cells).size).toBe(8);
    const report = JSON.parse(readFileSync(join(out, 'sweeps', `${id}.json`), 'utf8'));
    expect(report[0].models[0].points.map((p: { repetitions: number }) => p.repetitions)).toEqual([2, 2, 2, 2]);
  });

  it('splits across shards, and the leaderboard merges their records into one sweep', async () => {
    const flags = [
      'sweep',
      ...model,
      '--batch-size',
      '1,2',
      '--threads',
      '1,2',
      ...quickRun,
      '--run-id',
      'sh',
      '--out',
    ];
    for (const shard of ['1/2', '2/2']) {
      const r = await cli([...flags, join(out, `shard${shard[0]}`), '--shard', shard]);
      expect(r.status, r.stderr).toBe(0);
    }
    const plans = ['1', '2'].map((i) =>
      PlanSchema.parse(JSON.parse(readFileSync(join(out, `shard${i}`, 'runs', `sh-shard${i}of2.plan.json`), 'utf8'))),
    );
    expect(plans.map((p) => p.sweep!.id)).toEqual(['sh', 'sh']);
    const board = join(out, 'merged');
    const lb = await cli(['leaderboard', '--in', join(out, 'shard1'), '--in', join(out, 'shard2'), '--out', board]);
    expect(lb.status, lb.stderr).toBe(0);
    const page = readFileSync(join(board, 'site', 'sweeps.html'), 'utf8');
    expect(page.match(/<section class="sweep" /g)).toHaveLength(1);
    expect(page.match(/<tr data-config=/g)).toHaveLength(4); // two configurations from each shard
    expect(page).toContain('Records: sh-shard1of2, sh-shard2of2.');
  });

  it("skips a registered variant whose dtype's weights are missing", async () => {
    // A mirror with stories260K's fp32 weights only (the rest linked from the shared mirror).
    const hub = tempDir('joulebench-sweep-hub-');
    const from = join(hubDir, 'models', 'karpathy', 'stories260K');
    const to = join(hub, 'models', 'karpathy', 'stories260K');
    mkdirSync(join(to, 'onnx'), { recursive: true });
    for (const f of readdirSync(from).filter((f) => f !== 'onnx')) symlinkSync(join(from, f), join(to, f));
    symlinkSync(join(from, 'onnx', 'model.onnx'), join(to, 'onnx', 'model.onnx'));
    symlinkSync(join(hubDir, 'datasets'), join(hub, 'datasets'));
    const stories = ['--task', 'generation', '--model', 'karpathy/stories260K', '--dtype', 'fp32,q8'];
    const r = await cli(['sweep', ...stories, ...quickRun, '--samples', '2', '--run-id', 'gaps', '--out', out], {
      JOULEBENCH_HUB: hub,
    });
    expect(r.status, r.stderr).toBe(0);
    const plan = PlanSchema.parse(JSON.parse(readFileSync(join(runs, 'gaps.plan.json'), 'utf8')));
    expect(plan.units.map((u) => u.model)).toEqual(['karpathy/stories260K']);
    expect(plan.sweep!.skipped).toEqual([
      {
        model: 'karpathy/stories260K:q8',
        config: { dtype: 'q8' },
        reason: expect.stringMatching(
          /^model files incomplete in .*: no onnx\/\*_quantized\.onnx weights for dtype q8/,
        ),
      },
    ]);
  });

  it('refuses axes on a resume, resuming a run that is no sweep, and a sweep without axes: one line', async () => {
    const again = await cli(['sweep', '--resume', 'sw', '--threads', '1', '--out', out]);
    expect(again.status).toBe(2);
    expect(again.stderr.trim()).toMatch(/^joulebench: --resume sw runs the plan as it was made; drop the sweep axes$/);
    const plain = await cli(['bench', ...model, ...quickRun, '--run-id', 'plain', '--out', out]);
    expect(plain.status).toBe(0);
    const notSweep = await cli(['sweep', '--resume', 'plain', '--out', out]);
    expect(notSweep.stderr.trim()).toBe(
      'joulebench: Run plain is not a sweep: resume it with npm run bench -- --resume plain',
    );
    const none = await cli(['sweep', ...model, ...quickRun, '--out', out]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^joulebench: sweep: give at least one axis/);
    const bad = await cli(['sweep', ...model, '--batch-size', '1,,4', '--out', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/expected a comma list like 1,4,16, got '1,,4'/);
    const dtype = await cli(['sweep', ...model, '--dtype', 'fp33', '--out', out]);
    expect(dtype.stderr).toMatch(/expected one of fp32, fp16, q8/);
    for (const r of [again, notSweep, none, bad, dtype]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('leaves no sweep page behind when the records it is built from have no sweep', async () => {
    const board = join(out, 'site-then-none');
    const swept = await cli(['leaderboard', '--in', join(runs, 'sw.jsonl'), '--out', board, '--format', 'html']);
    expect(swept.status, swept.stderr).toBe(0);
    expect(readFileSync(join(board, 'site', 'sweeps.html'), 'utf8')).toMatch(/<section class="sweep" /);
    const lb = await cli(['leaderboard', '--in', join(runs, 'plain.jsonl'), '--out', board, '--format', 'html']);
    expect(lb.status, lb.stderr).toBe(0);
    expect(readFileSync(join(board, 'site', 'sweeps.html'), 'utf8')).not.toMatch(/<section class="sweep" /);
    expect(readFileSync(join(board, 'site', 'index.html'), 'utf8')).not.toContain('href="sweeps.html"');
  });
});

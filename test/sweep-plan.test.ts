// A sweep is one normal run: its plan's units are the models times the whole cross product of
// the axes, what cannot run here is a skipped record with the reason (so shards on machines that
// can run different configurations split the same units), and an interrupted sweep resumes only
// its missing cells. The leaderboard keeps each configuration in its own group, threads named.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDevice } from '../src/model/device.js';
import { resolveHubConfig } from '../src/model/hub.js';
import { openRegistry } from '../src/run/benchmark.js';
import { configurations, selectDtypes, unrunnable, unusableDevices } from '../src/run/sweep-plan.js';
import { RunRecordSchema, type OkRecord } from '../src/schema/result-record.js';
import { DEFAULT_RUN_OPTIONS } from '../src/schema/run-options.js';
import { PlanSchema } from '../src/schema/run-plan.js';
import { UserError } from '../src/util/errors.js';
import { cli, hubDir, quickRun, resumePrefix, tempDir } from './helpers/env.js';

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

  it('finds the devices that cannot run here, with what bench would have said', async () => {
    const check = async (d: string) => {
      if (d === 'webgpu') throw new UserError('--device webgpu: the Vulkan loader (libvulkan.so.1) is not installed');
    };
    expect(await unusableDevices(['cpu', 'webgpu'], check)).toEqual(
      new Map([['webgpu', '--device webgpu: the Vulkan loader (libvulkan.so.1) is not installed']]),
    );
  });

  it("says why a sweep's unit cannot run here: its device, its variant's weights, its batch size", () => {
    const unit = (batchSize: number, device = 'cpu') => ({
      task: 'classification',
      dataset: { id: 'org/data', split: 'test', config: 'default', sha256: 'x' },
      model: 'org/m',
      modelFiles: null,
      config: { batchSize, threads: 1, device },
    });
    const found = { where: 'local-hub', root: '/hub', dir: '/hub/org/m' } as const;
    const incomplete = { where: 'unavailable', reason: 'incomplete', message: 'model files incomplete' } as const;
    const offline = { where: 'unavailable', reason: 'offline', message: 'not available offline' } as const;
    const unusableDevices = new Map([['webgpu', '--device webgpu: no Vulkan']]);
    const here = { location: found, samples: 4, unusableDevices };
    expect(unrunnable(unit(4), here)).toBeUndefined();
    expect(unrunnable(unit(4, 'webgpu'), here)).toBe('--device webgpu: no Vulkan');
    expect(unrunnable(unit(4), { ...here, location: incomplete })).toBe('model files incomplete');
    expect(unrunnable(unit(8), here)).toBe('batch size 8 is more than the 4 samples of a repetition');
    expect(unrunnable(unit(4), { ...here, location: offline })).toBeUndefined(); // skipped as bench skips it
    // Not available offline says more than a device this machine lacks: the offline skip wins.
    expect(unrunnable(unit(4, 'webgpu'), { ...here, location: offline })).toBeUndefined();
    expect(unrunnable(unit(8), { ...here, location: offline })).toBeUndefined();
    const { config: _, ...benchUnit } = unit(8, 'webgpu');
    expect(unrunnable(benchUnit, { ...here, location: incomplete })).toBeUndefined(); // no sweep's: bench decides
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

  it('plans the whole cross product; the configurations that cannot run here are skipped records, with the reasons', () => {
    expect(first.status, first.stderr).toBe(0);
    const plan = PlanSchema.parse(JSON.parse(readFileSync(join(runs, 'sw.plan.json'), 'utf8')));
    const configs = plan.units.map((u) => [u.model, u.config?.batchSize, u.config?.threads, u.config?.device]);
    expect(configs).toEqual(
      [1, 2, 8].flatMap((b) =>
        [1, 2].flatMap((t) => ['cpu', 'cuda'].map((d) => ['joulebench-fixtures/sentiment-bow-en', b, t, d])),
      ),
    );
    expect(plan.sweep!.skipped.map((s) => `${JSON.stringify(s.config)} ${s.reason}`)).toEqual([
      expect.stringMatching(
        /^\{"dtype":"q8"\} no registered variant of joulebench-fixtures\/sentiment-bow-en has dtype q8/,
      ),
    ]);
    const skipped = readFileSync(join(runs, 'sw.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => RunRecordSchema.parse(JSON.parse(l)))
      .filter((r) => r.status === 'skipped')
      .map((r) => `${r.settings.batchSize}/${r.settings.threads}/${r.settings.device} ${r.reason}: ${r.message}`);
    const batch8 = (t: number, d: string) =>
      `8/${t}/${d} unrunnable: batch size 8 is more than the 4 samples of a repetition`;
    const cuda = (b: number, t: number) =>
      expect.stringMatching(new RegExp(`^${b}/${t}/cuda unrunnable: --device cuda: `));
    expect(skipped).toEqual(
      cudaRuns
        ? [batch8(1, 'cpu'), batch8(1, 'cuda'), batch8(2, 'cpu'), batch8(2, 'cuda')]
        : [cuda(1, 1), cuda(1, 2), cuda(2, 1), cuda(2, 2), batch8(1, 'cpu'), cuda(8, 1), batch8(2, 'cpu'), cuda(8, 2)],
    );
    expect(first.stderr).toMatch(
      /\d+ model\(s\) ran, 0 skipped \(not available offline\), \d+ configuration\(s\) skipped \(cannot run here\), 0 failed/,
    );
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
      /^- joulebench-fixtures\/sentiment-bow-en, batch size 8, threads 1, device cpu; batch size 8, threads 2, device cpu: batch size 8 is more than the 4 samples/m,
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

  /** A mirror with stories260K's fp32 weights only (the rest linked from the shared mirror). */
  function mirrorWithoutQ8(): string {
    const hub = tempDir('joulebench-sweep-hub-');
    const from = join(hubDir, 'models', 'karpathy', 'stories260K');
    const to = join(hub, 'models', 'karpathy', 'stories260K');
    mkdirSync(join(to, 'onnx'), { recursive: true });
    for (const f of readdirSync(from).filter((f) => f !== 'onnx')) symlinkSync(join(from, f), join(to, f));
    symlinkSync(join(from, 'onnx', 'model.onnx'), join(to, 'onnx', 'model.onnx'));
    symlinkSync(join(hubDir, 'datasets'), join(hub, 'datasets'));
    return hub;
  }

  it('covers every configuration exactly once over shards on machines that can run different ones', async () => {
    // Shard 1's machine lacks stories260K's q8 weights, shard 2's has them: both slice the same units.
    const flags = ['sweep', '--task', 'generation', '--model', 'karpathy/stories260K', '--dtype', 'fp32,q8'];
    const rest = ['--batch-size', '1,2', ...quickRun, '--samples', '2', '--run-id', 'avail'];
    const dirs = [join(out, 'avail1'), join(out, 'avail2')];
    const one = await cli([...flags, ...rest, '--shard', '1/2', '--out', dirs[0]!], {
      JOULEBENCH_HUB: mirrorWithoutQ8(),
    });
    const two = await cli([...flags, ...rest, '--shard', '2/2', '--out', dirs[1]!]);
    for (const r of [one, two]) expect(r.status, r.stderr).toBe(0);
    const plans = dirs.map((d, i) =>
      PlanSchema.parse(JSON.parse(readFileSync(join(d, 'runs', `avail-shard${i + 1}of2.plan.json`), 'utf8'))),
    );
    const units = plans.map((p) => p.units.map(({ modelFiles: _, ...u }) => u)); // hashes only where on disk
    expect(units[0]).toEqual(units[1]);
    expect(units[0]).toHaveLength(4);
    const unitsRecorded = dirs.map((d, i) => {
      const lines = readFileSync(join(d, 'runs', `avail-shard${i + 1}of2.jsonl`), 'utf8')
        .trimEnd()
        .split('\n');
      const rs = lines.map((l) => RunRecordSchema.parse(JSON.parse(l)));
      return [...new Set(rs.map((r) => `${r.model} batch ${r.settings.batchSize} ${r.status}`))];
    });
    expect(unitsRecorded.flat().sort()).toEqual([
      'karpathy/stories260K batch 1 ok',
      'karpathy/stories260K batch 2 ok',
      'karpathy/stories260K:q8 batch 1 skipped', // shard 1: no q8 weights there
      'karpathy/stories260K:q8 batch 2 ok',
    ]);
    const board = join(out, 'avail-board');
    const lb = await cli(['leaderboard', ...dirs.flatMap((d) => ['--in', d]), '--out', board, '--format', 'html']);
    expect(lb.status, lb.stderr).toBe(0);
    const page = readFileSync(join(board, 'site', 'sweeps.html'), 'utf8');
    expect(page.match(/<tr data-config=/g)).toHaveLength(3);
    expect(page).toMatch(
      /<li>karpathy\/stories260K:q8, batch size 1, threads default, device cpu: model files incomplete in /,
    );
  });

  it("skips a registered variant whose dtype's weights are missing, where it runs", async () => {
    const hub = mirrorWithoutQ8();
    const stories = ['--task', 'generation', '--model', 'karpathy/stories260K', '--dtype', 'fp32,q8'];
    const r = await cli(['sweep', ...stories, ...quickRun, '--samples', '2', '--run-id', 'gaps', '--out', out], {
      JOULEBENCH_HUB: hub,
    });
    expect(r.status, r.stderr).toBe(0);
    const plan = PlanSchema.parse(JSON.parse(readFileSync(join(runs, 'gaps.plan.json'), 'utf8')));
    expect(plan.units.map((u) => u.model)).toEqual(['karpathy/stories260K', 'karpathy/stories260K:q8']);
    expect(plan.sweep!.skipped).toEqual([]);
    const rs = readFileSync(join(runs, 'gaps.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => RunRecordSchema.parse(JSON.parse(l)));
    expect(rs.filter((r) => r.status !== 'ok')).toEqual([
      expect.objectContaining({
        model: 'karpathy/stories260K:q8',
        status: 'skipped',
        reason: 'unrunnable',
        message: expect.stringMatching(
          /^model files incomplete in .*: no onnx\/\*_quantized\.onnx weights for dtype q8/,
        ),
      }),
    ]);
    const md = readFileSync(join(out, 'sweeps', 'gaps.md'), 'utf8');
    expect(md).toMatch(
      /^- karpathy\/stories260K:q8, batch size 1, threads default, device cpu: model files incomplete/m,
    );
  });

  it('refuses axes on a resume, resuming a run that is no sweep, and a sweep without axes: one line', async () => {
    const again = await cli(['sweep', '--resume', 'sw', '--threads', '1', '--out', out]);
    expect(again.status).toBe(2);
    expect(again.stderr.trim()).toMatch(/^joulebench: --resume sw runs the plan as it was made; drop the sweep axes$/);
    const plain = await cli(['bench', ...model, ...quickRun, '--run-id', 'plain', '--out', out]);
    expect(plain.status).toBe(0);
    const cache = tempDir();
    const notSweep = await cli(['sweep', '--resume', 'plain', '--out', out], { JOULEBENCH_CACHE: cache });
    expect(notSweep.stderr.trim()).toBe(
      `joulebench: Run plain is not a sweep: resume it with ${resumePrefix} plain --out ${out} --hub ${hubDir} --cache ${cache}`,
    );
    const none = await cli(['sweep', ...model, ...quickRun, '--out', out]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^joulebench: sweep: give at least one axis/);
    const bad = await cli(['sweep', ...model, '--batch-size', '1,,4', '--out', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/expected a comma list like 1,4,16, got '1,,4'/);
    const dtype = await cli(['sweep', ...model, '--dtype', 'fp33', '--out', out]);
    expect(dtype.stderr).toMatch(/expected one of fp32, fp16, q8/);
    const nothing = await cli(['sweep', ...model, '--batch-size', '8,16', ...quickRun, '--out', out]);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr.trim().split('\n').at(-1)).toBe(
      'joulebench: sweep: every configuration is skipped: joulebench-fixtures/sentiment-bow-en: batch size 8 is more ' +
        'than the 4 samples of a repetition; joulebench-fixtures/sentiment-bow-en: batch size 16 is more than the 4 ' +
        'samples of a repetition',
    );
    for (const r of [again, notSweep, none, bad, dtype, nothing]) expect(r.stderr).not.toMatch(/^\s+at /m);
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

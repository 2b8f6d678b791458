import { describe, expect, it } from 'vitest';
import { buildBoard, JOULES_PER_KWH } from '../src/report/board.js';
import { renderCsv } from '../src/report/render/csv.js';
import { renderMarkdown } from '../src/report/render/markdown.js';
import { okRecord, skippedRecord } from './helpers/records.js';
import { parse } from 'csv-parse/sync';

describe('leaderboard aggregation', () => {
  const records = [
    okRecord({
      model: 'big',
      joulesPer1k: 300,
      repetition: 1,
      quality: { accuracy: 0.9, macroF1: 0.9, unmappedRate: 0 },
    }),
    okRecord({
      model: 'big',
      joulesPer1k: 500,
      repetition: 2,
      quality: { accuracy: 0.9, macroF1: 0.9, unmappedRate: 0 },
    }),
    okRecord({
      model: 'small',
      joulesPer1k: 100,
      repetition: 1,
      quality: { accuracy: 0.7, macroF1: 0.6, unmappedRate: 0 },
    }),
    okRecord({ model: 'random', kind: 'fixture', joulesPer1k: 1 }),
    okRecord({ model: 'small', joulesPer1k: 999, cpuModel: 'Other CPU' }),
    skippedRecord({ model: 'offline-model' }),
    okRecord({
      task: 'summarization',
      model: 's',
      joulesPer1k: 50,
      quality: { rouge1: 0.3, rouge2: 0.1, rougeL: 0.2 },
    }),
  ];

  it('averages repetitions (mean ± sample sd) and ranks by J/1k within one hardware group', async () => {
    const board = await buildBoard(records);
    expect(board.tasks.map((t) => t.task)).toEqual(['classification', 'summarization']);
    const cls = board.tasks[0]!;
    expect(cls.groups).toHaveLength(2); // Test CPU 9000 and Other CPU are never ranked together
    const main = cls.groups.find((g) => g.hardware.startsWith('Test CPU'))!;
    expect(main.rows.map((r) => [r.rank, r.model])).toEqual([
      [1, 'small'],
      [2, 'big'],
      [null, 'random'],
    ]);
    const big = main.rows[1]!;
    expect(big.repetitions).toBe(2);
    expect(big.joulesPer1k.mean).toBe(400);
    expect(big.joulesPer1k.sd).toBeCloseTo(Math.SQRT2 * 100);
    expect(big.kWhPer1k).toBeCloseTo(400 / JOULES_PER_KWH);
  });

  it('keeps fixtures out of the ranking and lists skipped models', async () => {
    const cls = (await buildBoard(records)).tasks[0]!;
    const main = cls.groups.find((g) => g.hardware.startsWith('Test CPU'))!;
    expect(main.rows.filter((r) => r.kind === 'fixture').map((r) => [r.rank, r.model])).toEqual([[null, 'random']]);
    expect(cls.notMeasured.map((m) => m.model)).toEqual(['offline-model']);
  });

  it('renders Markdown with one section per task, the estimate label and the fixture mark', async () => {
    const md = renderMarkdown(await buildBoard(records));
    expect(md).toMatch(/^## classification$/m);
    expect(md).toMatch(/^## summarization$/m);
    expect(md).toContain('ESTIMATED, not measured');
    expect(md).toContain('| 1 | small | 1K | 100 | 2.78e-5 | 0.700 |');
    expect(md).toContain('| 2 | big | 1K | 400 ± 140 |');
    expect(md).toContain('random **(fixture: not citable)**');
    expect(md).toContain('- offline-model: skipped (not available offline)');
    expect(md).toContain('ROUGE-L ↑');
  });

  it('renders CSV with every metric and the meter kind', async () => {
    const rows = parse(renderCsv(await buildBoard(records)), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    const small = rows.find((r) => r.model === 'small' && (r.hardware ?? '').startsWith('Test CPU'))!;
    expect(small).toMatchObject({
      task: 'classification',
      rank: '1',
      energy_kind: 'estimated',
      meter: 'estimate',
      accuracy: '0.7',
      quality_metric: 'accuracy',
      joules_per_1k_inferences: '100',
    });
    expect(rows.find((r) => r.model === 's')!.rougeL).toBe('0.2');
  });
});

describe('energy basis and datasets', () => {
  it('ranks by net energy when every run has an idle baseline, by gross otherwise, and says which', async () => {
    const withIdle = (model: string, joulesPer1k: number, idleJ: number) => {
      const r = okRecord({ model, joulesPer1k });
      return {
        ...r,
        energy: { ...r.energy, idleWatts: idleJ / r.durationS, idleSeconds: 10, netJoules: r.energy.joules - idleJ },
      };
    };
    // a: 100 J/1k gross, 10 records' idle share 0.8 J -> net 20 J/1k; b: 60 gross, 0.1 idle -> net 50.
    const records = [withIdle('a', 100, 0.8), withIdle('b', 60, 0.1)];
    const net = (await buildBoard(records)).tasks[0]!.groups[0]!;
    expect(net.basis).toBe('net');
    expect(net.rows.map((r) => [r.model, r.joulesPer1k.mean])).toEqual([
      ['a', expect.closeTo(20, 9)],
      ['b', expect.closeTo(50, 9)],
    ]);
    const gross = (await buildBoard(records, { rankBy: 'gross' })).tasks[0]!.groups[0]!;
    expect(gross.basis).toBe('gross');
    expect(gross.rows.map((r) => r.model)).toEqual(['b', 'a']);
    expect(renderMarkdown(await buildBoard(records))).toContain('estimate, estimated (cpu, net)');
    const mixed = await buildBoard([records[0]!, okRecord({ model: 'c', joulesPer1k: 70 })], { rankBy: 'net' });
    expect(mixed.tasks[0]!.groups[0]!.basis).toBe('gross');
    expect(mixed.tasks[0]!.groups[0]!.rows[0]!.warnings[0]).toMatch(/no idle baseline/);
  });

  it('keeps runs on different datasets of one task in separate groups', async () => {
    const board = await buildBoard([
      okRecord({ model: 'm', datasetId: 'org/one' }),
      okRecord({ model: 'm', datasetId: 'org/two' }),
    ]);
    expect(board.tasks[0]!.groups.map((g) => g.dataset)).toEqual(['org/one (test)', 'org/two (test)']);
    expect(renderMarkdown(board)).toMatch(
      /^### Test CPU 9000 \(8 threads\), 32 GB RAM · device cpu · org\/one \(test\)$/m,
    );
  });

  it('never ranks one model at two batch sizes against itself', async () => {
    const b16 = okRecord({ model: 'm', joulesPer1k: 10 });
    const board = await buildBoard([
      okRecord({ model: 'm', joulesPer1k: 50 }),
      { ...b16, settings: { ...b16.settings, batchSize: 16 } },
    ]);
    const groups = board.tasks[0]!.groups;
    expect(groups).toHaveLength(2);
    expect(groups.map((g) => g.rows.map((r) => [r.rank, r.batchSize]))).toEqual([[[1, 1]], [[1, 16]]]);
  });

  it('lists a model that failed, with the stage and the reason', async () => {
    const skipped = skippedRecord({ model: 'broken' });
    const failed = {
      ...skipped,
      status: 'error' as const,
      stage: 'load' as const,
      message: 'model files incomplete in /hub/x',
    };
    const { reason: _reason, ...error } = failed;
    const board = await buildBoard([okRecord({ model: 'fine' }), error]);
    expect(board.tasks[0]!.notMeasured).toEqual([
      { model: 'broken', status: 'failed', reason: 'load: model files incomplete in /hub/x' },
    ]);
    expect(renderMarkdown(board)).toContain('- broken: failed (load: model files incomplete in /hub/x)');
  });

  it('calls a figure with an estimated part "partly estimated", never fully measured or fully estimated', async () => {
    // As the composite meter writes it: the parts and their kinds in details.parts.
    const r = okRecord({ model: 'g', meter: 'estimate+nvml', components: 'gpu' });
    r.energy.details = { parts: { estimate: { kind: 'estimated' }, nvml: { kind: 'measured' } } };
    const md = renderMarkdown(await buildBoard([r]));
    expect(md).toContain(
      'Meter: **estimate+nvml — PARTLY ESTIMATED** (partly estimated: CPU and DRAM from process CPU time × TDP per thread',
    );
    expect(md).toContain('nvml measured');
  });
});

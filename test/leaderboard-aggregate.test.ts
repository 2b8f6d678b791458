import { describe, expect, it } from 'vitest';
import { buildBoard, JOULES_PER_KWH, rowLabel } from '../src/report/board.js';
import type { OkRecord } from '../src/schema/result-record.js';
import { renderCsv } from '../src/report/render/csv.js';
import { renderJson } from '../src/report/render/json.js';
import { renderMarkdown } from '../src/report/render/markdown.js';
import { okRecord, repetitions, skippedRecord } from './helpers/records.js';
import { parse } from 'csv-parse/sync';

describe('leaderboard aggregation', () => {
  const records = [
    ...repetitions({ model: 'big', quality: { accuracy: 0.9, macroF1: 0.9, unmappedRate: 0 } }, [300, 500, 400]),
    ...repetitions({ model: 'small', quality: { accuracy: 0.7, macroF1: 0.6, unmappedRate: 0 } }, [100, 101, 99]),
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

  it('averages repetitions (mean, sample sd, 95% CI) and ranks by J/1k within one hardware group', async () => {
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
    expect(big.repetitions).toBe(3);
    expect(big.joulesPer1k.mean).toBe(400);
    expect(big.joulesPer1k.sd).toBeCloseTo(100);
    // Student t, 2 degrees of freedom: 400 ± 4.303 × 100 / √3
    expect(big.joulesPer1k.ci95!.low).toBeCloseTo(400 - (4.30265273 * 100) / Math.sqrt(3), 5);
    expect(big.joulesPer1k.cv).toBeCloseTo(0.25);
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
    expect(md).toContain('| 1 | small | 1K | 100 [97.5, 102] | 2.78e-5 | 0.700 |');
    expect(md).toContain('| 2 | big | 1K | 400 [152, 648] |');
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
      quality_metric: 'accuracy',
      joules_per_1k_inferences: '100',
      n: '3',
      tied: 'no',
    });
    expect(Number(small.accuracy)).toBeCloseTo(0.7, 12);
    expect(Number(small.ci95_low)).toBeCloseTo(100 - (4.30265273 * 1) / Math.sqrt(3), 5);
    expect(rows.find((r) => r.model === 's')!.rougeL).toBe('0.2');
  });

  it("gives the quality metric's 95% CI over repetitions and its n in the CSV, as in the JSON", async () => {
    const accuracies = [0.6, 0.7, 0.8];
    const varied = accuracies.map((accuracy, i) =>
      okRecord({ model: 'v', repetition: i + 1, quality: { accuracy, macroF1: 0.5, unmappedRate: 0 } }),
    );
    const board = await buildBoard([...varied, okRecord({ model: 'once', cpuModel: 'Other CPU' })]);
    const rows = parse(renderCsv(board), { columns: true }) as Record<string, string>[];
    const v = rows.find((r) => r.model === 'v')!;
    const half = (4.30265273 * 0.1) / Math.sqrt(3);
    expect(Number(v.quality)).toBeCloseTo(0.7, 12);
    expect(Number(v.quality_ci95_low)).toBeCloseTo(0.7 - half, 6);
    expect(Number(v.quality_ci95_high)).toBeCloseTo(0.7 + half, 6);
    expect(v.quality_n).toBe('3');
    const json = JSON.parse(renderJson(board)).tasks.classification.groups[0].rows[0].quality;
    expect([json.ci95Low, json.ci95High, json.n]).toEqual([
      Number(v.quality_ci95_low),
      Number(v.quality_ci95_high),
      Number(v.quality_n),
    ]);
    expect(rows.find((r) => r.model === 'once')).toMatchObject({
      quality_ci95_low: '',
      quality_ci95_high: '',
      quality_n: '1',
    });
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

  it('says why a skipped model was not measured: offline, or a configuration that cannot run here', async () => {
    const unrunnable = {
      ...skippedRecord({ model: 'gpu-only' }),
      reason: 'unrunnable' as const,
      message: 'device webgpu: no GPU',
    };
    const board = await buildBoard([okRecord({ model: 'fine' }), skippedRecord({ model: 'far' }), unrunnable]);
    expect(board.tasks[0]!.notMeasured).toEqual([
      { model: 'far', status: 'skipped', reason: 'not available offline' },
      { model: 'gpu-only', status: 'skipped', reason: 'cannot run here: device webgpu: no GPU' },
    ]);
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

describe('groups never pool unlike runs', () => {
  const estimate = (model: string, wattsPerThread: number, source: string, repetition: number) => {
    const r = okRecord({ model, joulesPer1k: wattsPerThread * 100, repetition, runId: `run-${wattsPerThread}` });
    r.energy.details = { wattsPerThread, wattsPerThreadSource: source, dramWattsPerGB: 0.375, cpuSeconds: 1 };
    return r;
  };

  it('keeps runs made with different --cpu-watts apart (never one row of 1e6 and 2 W/thread)', async () => {
    const board = await buildBoard([
      estimate('m', 1e6, '--cpu-watts', 1),
      estimate('m', 3.45, "CPU 'x' not in the TDP table: median", 1),
      estimate('m', 2, '--cpu-watts', 1),
    ]);
    const groups = board.tasks[0]!.groups;
    expect(groups).toHaveLength(3);
    expect(groups.map((g) => g.rows.map((r) => r.joulesPer1k.mean))).toEqual([[1e8], [345], [200]]);
    expect(groups.map((g) => g.setup)).toEqual([
      expect.stringMatching(/estimate at 1000000\.00 W\/thread \(--cpu-watts\), /),
      expect.stringMatching(/estimate at 3\.45 W\/thread \(the TDP table's median\), /),
      expect.stringMatching(/estimate at 2\.00 W\/thread \(--cpu-watts\), /),
    ]);
  });

  it("heads groups that share hardware, device and dataset with what tells them apart (a sweep's batch sizes)", async () => {
    const at = (batchSize: number, threads: number | null) => {
      const r = okRecord({ model: 'm', runId: `b${batchSize}-t${threads}` });
      r.settings = { ...r.settings, batchSize, threads };
      return r;
    };
    const board = await buildBoard([
      at(1, null),
      at(4, null),
      at(4, 2),
      okRecord({ model: 'x', datasetId: 'org/other' }),
    ]);
    const md = renderMarkdown(board);
    const headings = md.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toHaveLength(4);
    expect(new Set(headings).size).toBe(4);
    expect(headings).toContainEqual(expect.stringMatching(/ · batch size 1, onnxruntime threads default$/));
    expect(headings).toContainEqual(expect.stringMatching(/ · batch size 4, onnxruntime threads 2$/));
    expect(headings).toContainEqual(expect.stringMatching(/org\/other \(test\)$/)); // alone under its heading: nothing added
    // Whatever else splits groups names them apart too: the generation settings, the window rule.
    const generating = (maxNewTokens: number, minWindowSeconds: number | null) => {
      const r = okRecord({ model: 'g', task: 'generation', runId: `t${maxNewTokens}-${minWindowSeconds}` });
      r.settings = { ...r.settings, callOptions: { max_new_tokens: maxNewTokens }, minWindowSeconds };
      return r;
    };
    const other = renderMarkdown(await buildBoard([generating(10, null), generating(20, null), generating(10, 5)]));
    expect(other.split('\n').filter((l) => l.startsWith('### '))).toEqual([
      expect.stringMatching(/ · call options \{"max_new_tokens":10\}, min window default$/),
      expect.stringMatching(/ · call options \{"max_new_tokens":20\}, min window default$/),
      expect.stringMatching(/ · call options \{"max_new_tokens":10\}, min window 5$/),
    ]);
  });

  it('says where W/thread came from, so a --cpu-watts 3.45 group never reads as the median one', async () => {
    const board = await buildBoard([
      estimate('m', 3.45, '--cpu-watts', 1),
      estimate('m', 3.45, "CPU 'x' not in the TDP table: median", 1),
      estimate('m', 4, 'Intel Xeon Gold 6130: TDP 125 W / 32 threads', 1),
    ]);
    const setups = board.tasks[0]!.groups.map((g) => g.setup);
    expect(setups).toHaveLength(3);
    expect(new Set(setups).size).toBe(3);
    expect(setups[2]).toMatch(/estimate at 4\.00 W\/thread \(Intel Xeon Gold 6130 TDP\), /);
  });

  it('keeps runs with a different DRAM rate apart, and GiB-based records apart from GB-based ones', async () => {
    const dram = (details: Record<string, unknown>, runId: string) => {
      const r = okRecord({ model: 'm', joulesPer1k: 10, runId });
      r.energy.details = { wattsPerThread: 2, wattsPerThreadSource: '--cpu-watts', cpuSeconds: 1, ...details };
      return r;
    };
    const board = await buildBoard([
      dram({ dramWattsPerGiB: 0.375 }, 'gib-a'),
      dram({ dramWattsPerGiB: 0.5 }, 'gib-b'),
      dram({ dramWattsPerGB: 0.375 }, 'gb'), // before 0.375 W per GiB: per 10^9 bytes, another figure
    ]);
    expect(board.tasks[0]!.groups.map((g) => g.rows.flatMap((r) => r.provenance))).toEqual([
      ['gib-a'],
      ['gib-b'],
      ['gb'],
    ]);
  });

  it('keeps a --sample-seed run apart from a first-n run of the same model', async () => {
    const first = okRecord({ model: 'm', joulesPer1k: 10 });
    const drawn = okRecord({ model: 'm', joulesPer1k: 20, runId: 'run-2' });
    drawn.dataset = { ...drawn.dataset, selection: { method: 'random', n: 10, seed: 42 } };
    const groups = (await buildBoard([first, drawn])).tasks[0]!.groups;
    expect(groups.map((g) => [g.setup.split(', ')[3], g.rows[0]!.joulesPer1k.mean])).toEqual([
      ['the first 10 usable rows (data sha256 cd)', 10],
      ['10 rows drawn with seed 42 (data sha256 cd)', 20],
    ]);
  });

  it.each([
    [
      'dataset config',
      (r: OkRecord) => {
        r.dataset.config = 'other';
      },
    ],
    [
      'dataset content',
      (r: OkRecord) => {
        r.dataset.sha256 = 'ef';
      },
    ],
    [
      'rows selected',
      (r: OkRecord) => {
        r.dataset.selection = { method: 'first', n: 5 };
      },
    ],
    [
      'warm-up',
      (r: OkRecord) => {
        r.settings.warmup = 50;
      },
    ],
    [
      'onnxruntime-node',
      (r: OkRecord) => {
        r.software.onnxruntimeNode = '1.22.0';
      },
    ],
    [
      'transformers.js',
      (r: OkRecord) => {
        r.software.transformers = '3.7.0';
      },
    ],
  ])('keeps runs with a different %s in another group', async (_what, change) => {
    const other = okRecord({ model: 'm', joulesPer1k: 20, runId: 'run-2' });
    change(other);
    const groups = (await buildBoard([okRecord({ model: 'm', joulesPer1k: 10 }), other])).tasks[0]!.groups;
    expect(groups.map((g) => g.rows.map((r) => r.joulesPer1k.mean))).toEqual([[10], [20]]);
    expect(new Set(groups.map((g) => `${g.dataset} ${g.setup}`)).size).toBe(2); // the headings say what differs
  });

  it('never pools one model id run with different weights; the rows are named apart', async () => {
    const rev = (revision: string, joulesPer1k: number, repetition: number) => {
      const r = okRecord({ model: 'm', joulesPer1k, repetition, runId: revision });
      r.modelInfo.revision = revision;
      return r;
    };
    const files = okRecord({ model: 'm', joulesPer1k: 30, runId: 'other-files' });
    files.modelSource.files = { 'onnx/model.onnx': 'ff' };
    const byRevision = (await buildBoard([rev('aaaa1111', 10, 1), rev('bbbb2222', 20, 1), rev('aaaa1111', 12, 2)]))
      .tasks[0]!.groups[0]!;
    expect(byRevision.rows.map((r) => [rowLabel(r), r.repetitions])).toEqual([
      ['m@aaaa1111', 2],
      ['m@bbbb2222', 1],
    ]);
    expect(byRevision.notes.join(' ')).toMatch(/m: measured with different weights/);
    const byFiles = (await buildBoard([okRecord({ model: 'm', joulesPer1k: 10 }), files])).tasks[0]!.groups[0]!;
    expect(byFiles.rows.map(rowLabel)).toEqual([
      expect.stringMatching(/^m@files:[0-9a-f]{8}$/),
      expect.stringMatching(/^m@files:/),
    ]);
    expect(renderMarkdown(await buildBoard([rev('aaaa1111', 10, 1), rev('bbbb2222', 20, 1)]))).toContain(
      '| m@bbbb2222 |',
    );
    const csv = parse(renderCsv(await buildBoard([rev('aaaa1111', 10, 1), rev('bbbb2222', 20, 1)])), {
      columns: true,
    }) as Record<string, string>[];
    expect(csv.map((r) => [r.model, r.variant])).toEqual([
      ['m', '@aaaa1111'],
      ['m', '@bbbb2222'],
    ]);
  });

  it('shows samples per pass in "Samples × reps", not inferences (steady windows run several passes)', async () => {
    const r = okRecord({ model: 'm', inferences: 30 });
    r.passes = 3;
    const board = await buildBoard([r]);
    expect(board.tasks[0]!.groups[0]!.rows[0]!.samples).toBe(10);
    expect(renderMarkdown(board)).toMatch(/\| 10 × 1 \|/);
  });

  it('pools repetitions of one configuration from several runs, and lists the runs', async () => {
    const a = okRecord({ model: 'm', joulesPer1k: 10, runId: 'r1' });
    const b = okRecord({ model: 'm', joulesPer1k: 12, runId: 'r2', repetition: 2 });
    const rows = (await buildBoard([a, b])).tasks[0]!.groups.flatMap((g) => g.rows);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.provenance).toEqual(['r1', 'r2']);
  });
});

describe('marks on figures a window could not resolve', () => {
  it('marks a window shorter than 200 x its resolution (†) and a flagged cross-check (‡), with the legend', async () => {
    const short = okRecord({ model: 'short', joulesPer1k: 10, meter: 'rapl', energyKind: 'measured' });
    short.energy.resolutionS = 0.1; // 100 ms counter, 1 s window: 10 updates, not 200
    const steady = okRecord({
      model: 'steady',
      joulesPer1k: 20,
      meter: 'rapl',
      energyKind: 'measured',
      runId: 'run-2',
    });
    steady.energy.resolutionS = 0.001;
    steady.energy.crossChecks = [
      {
        components: ['cpu', 'dram'],
        what: 'RAPL package + DRAM vs psys',
        primary: { source: 'package+dram', joules: 1 },
        secondary: { source: 'psys', joules: 1.2 },
        difference: 0.2,
        flagged: true,
      },
    ];
    const board = await buildBoard([short, steady]);
    const rows = board.tasks[0]!.groups[0]!.rows;
    expect(rows.map((r) => [r.model, r.shortWindow, r.crossCheckFlagged])).toEqual([
      ['short', true, false],
      ['steady', false, true],
    ]);
    const md = renderMarkdown(board);
    expect(md).toMatch(/\| short \| 1K \| 10 \(n=1, no CI\)† \|/);
    expect(md).toMatch(/\| steady \| 1K \| 20 \(n=1, no CI\)‡ \|/);
    expect(md).toContain("† a window lasted less than 200 × its meter's resolution");
    expect(md).toContain('‡ two sources for the same energy');
    const unmarked = renderMarkdown(await buildBoard([okRecord({ model: 'plain' })]));
    expect(unmarked).not.toMatch(/[†‡]/);
  });
});

describe('contention', () => {
  it("flags a window in which other processes took more than 10% of the machine's CPU time", async () => {
    const shared = okRecord({ model: 'shared', joulesPer1k: 10 });
    shared.cpuShare = { own: 0.45, others: 0.48 }; // a second run on the other half of the machine
    const alone = okRecord({ model: 'alone', joulesPer1k: 12, runId: 'run-2' });
    alone.cpuShare = { own: 0.5, others: 0.03 };
    alone.loadAverage = { open: 9, close: 9 }; // a stale load average: the measured share decides
    const group = (await buildBoard([shared, alone])).tasks[0]!.groups[0]!;
    expect(group.rows.map((r) => [r.model, r.contention])).toEqual([
      ['shared', true],
      ['alone', false],
    ]);
    expect(group.notes.join(' ')).toMatch(
      /shared: other processes took up to 48% of the machine's CPU time during a window \(this run 45%\)/,
    );
  });

  it("quotes each row's own windows: two dtypes of one model keep their own contention figures", async () => {
    const fp32 = okRecord({ model: 'm', dtype: 'fp32', runId: 'a' });
    fp32.cpuShare = { own: 0.1, others: 0.9 };
    const q8 = okRecord({ model: 'm', dtype: 'q8', runId: 'b' });
    q8.cpuShare = { own: 0.3, others: 0.2 };
    const notes = (await buildBoard([fp32, q8])).tasks[0]!.groups[0]!.notes.filter((n) =>
      n.includes('other processes'),
    );
    expect(notes).toHaveLength(2);
    expect(notes).toContainEqual(expect.stringMatching(/up to 90% .*\(this run 10%\)/));
    expect(notes).toContainEqual(expect.stringMatching(/up to 20% .*\(this run 30%\)/));
  });

  it('flags a window that ran while the load average was above the machine threads', async () => {
    const busy = okRecord({ model: 'busy', joulesPer1k: 10 });
    busy.loadAverage = { open: 3.2, close: 9.5 }; // the helpers' machine has 8 threads
    const calm = okRecord({ model: 'calm', joulesPer1k: 12, runId: 'run-2' });
    calm.loadAverage = { open: 0.4, close: 1.1 };
    const group = (await buildBoard([busy, calm])).tasks[0]!.groups[0]!;
    expect(group.rows.map((r) => [r.model, r.contention])).toEqual([
      ['busy', true],
      ['calm', false],
    ]);
    expect(group.notes.join(' ')).toMatch(
      /busy: a window ran while the machine's load average was above its 8 hardware threads/,
    );
    const csv = parse(renderCsv(await buildBoard([busy, calm])), { columns: true }) as Record<string, string>[];
    expect(csv.map((r) => [r.model, r.contention, r.ci_target_missed])).toEqual([
      ['busy', 'yes', 'no'],
      ['calm', 'no', 'no'],
    ]);
    expect(csv[0]!.warnings).toMatch(/busy: a window ran while/);
    expect(csv[1]!.warnings).toBe('');
  });
});

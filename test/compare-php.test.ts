// `compare --paper power-hungry-processing` on hand-built records: per-task figures next to the
// paper's Table 2 (units converted explicitly), the ratio, the task order (Spearman), the
// models in both, estimates labelled, fixtures left out; and the reference data itself.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCompare } from '../src/report/papers/report.js';
import { UserError } from '../src/util/errors.js';
import type { RunRecord } from '../src/schema/result-record.js';
import { buildBoard } from '../src/report/board.js';
import { compare, renderComparison } from '../src/report/papers/comparison.js';
import { PAPERS } from '../src/report/papers/papers.js';
import { ranks, spearman } from '../src/report/papers/spearman.js';
import { readReferences } from '../src/report/papers/references.js';
import { repoRoot, tempDir } from './helpers/env.js';
import { jsonl, okRecord } from './helpers/records.js';

const paper = PAPERS['power-hungry-processing']!;
const referencesPath = join(repoRoot, paper.referencesFile);
const rouge = { rouge1: 0.3, rouge2: 0.1, rougeL: 0.2 };

function records(o: { generation?: number; energyKind?: 'measured' | 'estimated' } = {}): RunRecord[] {
  const k = {
    energyKind: o.energyKind ?? 'estimated',
    meter: o.energyKind === 'measured' ? 'rapl' : 'estimate',
  } as const;
  return [
    okRecord({ ...k, model: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english', joulesPer1k: 100 }),
    okRecord({ ...k, model: 'org/other', joulesPer1k: 300 }),
    okRecord({
      ...k,
      task: 'generation',
      model: 'Xenova/distilgpt2',
      joulesPer1k: o.generation ?? 2000,
      quality: {},
      callOptions: { max_new_tokens: 10 },
    }),
    okRecord({ ...k, task: 'summarization', model: 'org/summ-a', joulesPer1k: 5000, quality: rouge }),
    okRecord({ ...k, task: 'summarization', model: 'org/summ-b', joulesPer1k: 7000, quality: rouge }),
    okRecord({
      ...k,
      task: 'summarization',
      model: 'fixtures/random-bart',
      kind: 'fixture',
      joulesPer1k: 1,
      quality: rouge,
    }),
  ];
}

async function report(rs: RunRecord[]): Promise<string> {
  const references = await readReferences(referencesPath);
  return renderComparison({
    records: rs,
    board: await buildBoard(rs),
    references,
    referencesPath: paper.referencesFile,
    paper,
    generatedAt: new Date('2026-11-26'),
  });
}

describe('rank statistics', () => {
  it('gives tied values their mean rank', () => {
    expect(ranks([0.003, 0.002, 0.003, 0.047])).toEqual([2.5, 1, 2.5, 4]);
  });

  it('computes Spearman rho', () => {
    expect(spearman([1, 2, 3], [10, 20, 30])).toBe(1);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBe(-1);
    expect(spearman([1, 3, 2], [1, 2, 3])).toBeCloseTo(0.5, 12);
    expect(spearman([1], [2])).toBeNaN();
  });
});

describe('comparison with Power Hungry Processing', () => {
  it('puts our per-task mean/min/max next to Table 2, converted from kWh to J', async () => {
    const rs = records();
    const c = compare(await buildBoard(rs), await readReferences(referencesPath), paper);
    expect(c.tasks.map((t) => [t.task, t.paperTask, t.models, t.ours, t.paper.meanKWh, t.paper.stdKWh])).toEqual([
      ['classification', 'text_classification', 2, { mean: 200, min: 100, max: 300 }, 0.002, 0.001],
      ['generation', 'text_generation', 1, { mean: 2000, min: 2000, max: 2000 }, 0.047, 0.03],
      ['summarization', 'summarization', 2, { mean: 6000, min: 5000, max: 7000 }, 0.049, 0.01],
    ]);
    expect(c.tasks[0]!.ratio).toBeCloseTo(200 / (0.002 * 3.6e6), 12);
    const md = await report(rs);
    expect(md).toContain(
      '1 kWh = 3,600,000 J, so paper J/1k = paper kWh/1k × 3,600,000 (e.g. 0.002 kWh/1k = 7,200 J/1k)',
    );
    expect(md).toContain(
      '| classification ↔ text_classification | Test CPU 9000 (8 threads), 32 GB RAM · estimate, estimated (cpu) | 2 | 200 (est.) | 100 (est.) | 300 (est.) | 0.002 ± 0.001 | 7,200 | 4,590–17,000 | 0.0278 (paper 36× ours) |',
    );
    expect(md).toContain('| summarization ↔ summarization |');
  });

  it('pools a task over its datasets, as the paper does, into one row per machine and meter', async () => {
    const rs = [
      okRecord({
        model: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
        joulesPer1k: 100,
        datasetId: 'stanfordnlp/sst2',
      }),
      okRecord({
        model: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
        joulesPer1k: 300,
        datasetId: 'stanfordnlp/imdb',
      }),
      okRecord({ model: 'org/other', joulesPer1k: 500, datasetId: 'stanfordnlp/imdb' }),
    ];
    const c = compare(await buildBoard(rs), await readReferences(referencesPath), paper);
    expect(c.tasks.map((t) => [t.task, t.models, t.ours])).toEqual([
      ['classification', 2, { mean: 300, min: 100, max: 500 }],
    ]);
    expect(c.models.map((m) => [m.model, m.ours])).toEqual([
      ['Xenova/distilbert-base-uncased-finetuned-sst-2-english', 200],
    ]);
  });

  it('labels our estimated figures as estimated, and measured ones not', async () => {
    const estimated = await report(records());
    expect(estimated).toContain('**Our figures marked (est.) are ESTIMATED, not measured**');
    const measured = await report(records({ energyKind: 'measured' }));
    expect(measured).not.toContain('(est.)');
    expect(measured).toContain('rapl meter, measured (cpu)');
  });

  it('checks the order of tasks by energy with Spearman rho', async () => {
    const agree = await report(records());
    expect(agree).toContain(
      '- Ours: classification (200 J (est.)) < generation (2,000 J (est.)) < summarization (6,000 J (est.))',
    );
    expect(agree).toContain(
      '- Paper (Table 2): text_classification (0.002 kWh) < text_generation (0.047 kWh) < summarization (0.049 kWh)',
    );
    expect(agree).toContain('Spearman rank correlation over the 3 shared tasks: ρ = 1.00; the order agrees.');
    const differ = await report(records({ generation: 9000 }));
    expect(differ).toContain('ρ = 0.50; the order differs.');
  });

  it('reports no rho over fewer than 3 tasks', async () => {
    const md = await report(records().filter((r) => r.task !== 'summarization'));
    expect(md).toContain(
      'Only 2 shared task(s): a rank correlation over fewer than 3 tasks says nothing, so none is reported; the order agrees.',
    );
    expect(md).not.toContain('ρ =');
  });

  it("compares the models both have, from the authors' logs", async () => {
    const md = await report(records());
    // distilbert-sst2: 0.0016525 kWh = 5,949 J (CPU+GPU+RAM), 0.0008795 kWh = 3,166 J GPU part.
    expect(md).toContain(
      '| classification | Xenova/distilbert-base-uncased-finetuned-sst-2-english | distilbert-base-uncased-finetuned-sst-2-english | 100 (est.) | 5,950 | 3,170 | 0.0168 (paper 59.5× ours) |',
    );
    expect(md).toContain('| generation | Xenova/distilgpt2 | distilgpt2 | 2,000 (est.) | 52,800 | 27,700 |');
  });

  it('says what differs and leaves fixtures out', async () => {
    const md = await report(records());
    expect(md).toMatch(
      /\| Energy boundary \| CodeCarbon machine mode, CPU \+ GPU \+ RAM.*≈430 W.* \| estimate meter, ESTIMATED, not measured \(cpu\)/,
    );
    expect(md).toMatch(
      /\| Generation settings \| text generation: max_new_tokens=10.*\| .*generation: \{"max_new_tokens":10\}/,
    );
    expect(md).toContain('| Precision | FP32 (Transformers pipeline default, no torch_dtype) | fp32 |');
    expect(md).toContain('- Fixture rows (not citable, never compared): fixtures/random-bart (summarization).');
    expect(md).not.toMatch(/\| fixtures\/random-bart/);
  });

  it('gives our samples per pass and the repetitions the rows pooled, not inferences and the plan', async () => {
    // Steady windows: 3 passes over 10 samples; 2 repetitions made of the 3 planned (settings.repetitions).
    const steady = [1, 2].map((repetition) => Object.assign(okRecord({ inferences: 30, repetition }), { passes: 3 }));
    const rs = [...steady, okRecord({ task: 'summarization', model: 'org/summ', quality: rouge })];
    expect(await report(rs)).toMatch(
      /\| Samples \| 1,000 examples per dataset.* \| classification: 10 samples per pass × 2 repetitions of org\/data \(test\) · summarization: 10 samples per pass × 1 repetition of org\/data \(test\) \|$/m,
    );
  });
});

describe('the tasks beyond the first three', () => {
  const seven = (fillMaskKind: 'pretrained' | 'fixture') => [
    ...records(),
    okRecord({ task: 'question-answering', model: 'org/qa', joulesPer1k: 400, quality: { exactMatch: 0.7, f1: 0.8 } }),
    okRecord({
      task: 'token-classification',
      model: 'org/ner',
      joulesPer1k: 600,
      quality: { f1: 0.9, precision: 0.9, recall: 0.9, unalignedRate: 0 },
    }),
    okRecord({ task: 'image-classification', model: 'org/vit', joulesPer1k: 900, quality: { accuracy: 0.5 } }),
    okRecord({
      task: 'fill-mask',
      model: 'org/bert',
      kind: fillMaskKind,
      joulesPer1k: 300,
      quality: { top1Accuracy: 0.4, top5Accuracy: 0.6, splitRate: 0 },
    }),
  ];

  it("maps them to the paper's tasks and orders all seven with Spearman's rho", async () => {
    const c = compare(await buildBoard(seven('pretrained')), await readReferences(referencesPath), paper);
    expect(c.tasks.map((t) => [t.task, t.paperTask, t.paper.meanKWh])).toEqual([
      ['classification', 'text_classification', 0.002],
      ['fill-mask', 'masked_language_modeling', 0.003],
      ['generation', 'text_generation', 0.047],
      ['image-classification', 'image_classification', 0.007],
      ['question-answering', 'extractive_qa', 0.003],
      ['summarization', 'summarization', 0.049],
      ['token-classification', 'token_classification', 0.004],
    ]);
    expect(c.unmatchedTasks).toEqual([]);
    const md = await report(seven('pretrained'));
    expect(md).toContain(
      '- Ours: classification (200 J (est.)) < fill-mask (300 J (est.)) < question-answering (400 J (est.)) < ' +
        'token-classification (600 J (est.)) < image-classification (900 J (est.)) < generation (2,000 J (est.)) < ' +
        'summarization (6,000 J (est.))',
    );
    // The paper ties extractive QA and MLM (0.003 kWh each): mean ranks, as Spearman takes ties.
    expect(md).toContain('Spearman rank correlation over the 7 shared tasks: ρ = 0.99;');
  });

  it('keeps a task measured only by fixtures: the paper\'s figure, "no citable measurement here"', async () => {
    const rs = seven('fixture');
    const c = compare(await buildBoard(rs), await readReferences(referencesPath), paper);
    expect(c.tasks.map((t) => t.task)).not.toContain('fill-mask');
    expect(c.fixtureOnlyTasks).toEqual(['fill-mask']);
    const md = await report(rs);
    expect(md).toContain(
      '| fill-mask ↔ masked_language_modeling | no citable measurement here (fixtures only) | 0 | — | — | — | 0.003 ± 0.001 | 10,800 | — | — |',
    );
    expect(md).toContain('Spearman rank correlation over the 6 shared tasks');
    expect(md).not.toMatch(/\| org\/bert/);
  });
});

describe('runCompare', () => {
  it('writes results/compare-<paper>.md from the records under --in', async () => {
    const dir = tempDir('joulebench-compare-');
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'r.jsonl'), jsonl(records()));
    const { path, markdown } = await runCompare(
      { paper: 'power-hungry-processing', in: [dir], out: dir, generatedAt: new Date('2026-11-26') },
      () => {},
      () => {},
    );
    expect(path).toBe(join(dir, 'compare-power-hungry-processing.md'));
    expect(readFileSync(path, 'utf8')).toBe(markdown);
    expect(markdown).toContain("The paper's figures are read from `benchmarks/references/power-hungry-processing.csv`");
  });

  it('rejects an unknown paper with the known ones', async () => {
    const err = await runCompare(
      { paper: 'php', in: [], out: tempDir() },
      () => {},
      () => {},
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe("Unknown paper 'php'. Valid papers: power-hungry-processing");
  });
});

describe('the reference data in the project', () => {
  it('holds Table 2 (mean and std) for every task of the paper, in kWh per 1,000 inferences', async () => {
    const refs = await readReferences(referencesPath);
    const table2 = refs.filter((r) => r.tableOrFile === 'Table 2');
    expect(table2).toHaveLength(20);
    expect(new Set(table2.map((r) => r.unit))).toEqual(new Set(['kWh per 1000 inferences']));
    expect(table2.find((r) => r.task === 'image_generation' && r.metric === 'mean_energy')!.value).toBe(2.907);
  });

  it.skipIf(!existsSync(join(repoRoot, '../shared/references/power-hungry-processing.csv')))(
    'copies its rows unchanged from ../shared/references/power-hungry-processing.csv',
    () => {
      const source = new Set(
        readFileSync(join(repoRoot, '../shared/references/power-hungry-processing.csv'), 'utf8').split('\n'),
      );
      const ours = readFileSync(referencesPath, 'utf8').trimEnd().split('\n');
      for (const line of ours) expect(source.has(line), line.slice(0, 120)).toBe(true);
    },
  );
});

// `leaderboard` over records from several machines: one board grouped by hardware, corrupt
// lines skipped with a warning, every format written, estimates and fixtures marked, figures
// rendered as SVG with one mark per model.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/util/errors.js';
import { runLeaderboard, type LeaderboardResult } from '../src/report/run-leaderboard.js';
import { parseFormats } from '../src/report/write.js';
import { JOULES_PER_KWH } from '../src/report/board.js';
import { paretoFrontier } from '../src/report/render/charts.js';
import { tempDir } from './helpers/env.js';
import { jsonl, okRecord, repetitions, skippedRecord } from './helpers/records.js';

const accuracy = (a: number) => ({ accuracy: a, macroF1: a, unmappedRate: 0 });

/** Machine A: estimated (CPU-time model); machine B: measured (RAPL), in another results folder. */
function writeMachines(root: string) {
  const a = join(root, 'machine-a', 'runs');
  const b = join(root, 'machine-b', 'runs');
  mkdirSync(a, { recursive: true });
  mkdirSync(b, { recursive: true });
  writeFileSync(
    join(a, 'run-1.jsonl'),
    `${jsonl([
      ...repetitions({ model: 'org/small', quality: accuracy(0.7), parameters: 5e6, runId: 'a1' }, [10, 14, 12]),
      ...repetitions({ model: 'org/big', quality: accuracy(0.9), parameters: 5e8, runId: 'a1' }, [90, 91, 89]),
      ...repetitions({ model: 'org/mid', quality: accuracy(0.6), parameters: 5e7, runId: 'a1' }, [50, 51, 49]),
      okRecord({
        model: 'fixtures/toy',
        kind: 'fixture',
        joulesPer1k: 1,
        quality: accuracy(0.5),
        parameters: 1e5,
        runId: 'a1',
      }),
      skippedRecord({ model: 'org/offline', runId: 'a1' }),
      okRecord({
        task: 'summarization',
        model: 'org/summ',
        joulesPer1k: 400,
        quality: { rouge1: 0.3, rouge2: 0.1, rougeL: 0.25 },
        parameters: 6e7,
        runId: 'a1',
      }),
    ])}{"status":"ok","schemaVersion":1,"runId":"a1","task":"classi`, // truncated last line: an interrupted run
  );
  writeFileSync(
    join(b, 'run-2.jsonl'),
    jsonl([
      ...repetitions(
        {
          model: 'org/small',
          quality: accuracy(0.7),
          parameters: 5e6,
          cpuModel: 'Other CPU 1',
          energyKind: 'measured',
          meter: 'rapl',
          components: 'cpu+dram',
          runId: 'b1',
        },
        [7, 7.2, 6.8],
      ),
      ...repetitions(
        {
          model: 'org/big',
          quality: accuracy(0.9),
          parameters: 5e8,
          cpuModel: 'Other CPU 1',
          energyKind: 'measured',
          meter: 'rapl',
          components: 'cpu+dram',
          runId: 'b1',
        },
        [70, 71, 69],
      ),
    ]),
  );
  return [join(root, 'machine-a'), join(root, 'machine-b')];
}

describe('leaderboard over two machines, every format', () => {
  const root = tempDir('joulebench-publish-');
  const out = join(root, 'out');
  const logs: string[] = [];
  let result: LeaderboardResult;
  let html: string;
  let json: {
    tasks: Record<
      string,
      {
        groups: {
          hardware: string;
          source: string;
          energyKind: string;
          starsRule: string;
          rows: Record<string, unknown>[];
        }[];
      }
    >;
    carbonIntensity: { gCO2ePerKWh: number; source: string };
  };

  beforeAll(async () => {
    const inputs = writeMachines(root);
    result = await runLeaderboard(
      { in: inputs, out, generatedAt: new Date('2026-11-26T12:00:00Z') },
      (l) => logs.push(l),
      () => {},
    );
    html = readFileSync(join(out, 'site', 'index.html'), 'utf8');
    json = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8'));
  });

  it('writes every format by default', () => {
    expect(Object.keys(result.paths).sort()).toEqual(['csv', 'html', 'json', 'md']);
    for (const f of [
      'leaderboard.md',
      'leaderboard.csv',
      'leaderboard.json',
      'site/index.html',
      'site/leaderboard.json',
      'site/leaderboard.csv',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
  });

  it('skips the truncated line with a warning naming file and line', () => {
    expect(logs.filter((l) => l.startsWith('warning:'))).toEqual([
      `warning: ${join(root, 'machine-a', 'runs', 'run-1.jsonl')}:13: not valid JSON (truncated or corrupt line), skipped`,
    ]);
  });

  it('merges both machines into one task, one group per hardware', () => {
    const groups = json.tasks.classification!.groups;
    expect(groups.map((g) => [g.hardware, g.energyKind])).toEqual([
      ['Test CPU 9000 (8 threads), 32 GB RAM', 'estimated'],
      ['Other CPU 1 (8 threads), 32 GB RAM', 'measured'],
    ]);
    expect(groups[0]!.rows.map((r) => [r.model, r.stars, r.kind])).toEqual([
      ['org/small', 5, 'pretrained'],
      ['org/mid', 3, 'pretrained'],
      ['org/big', 1, 'pretrained'],
      ['fixtures/toy', null, 'fixture'],
    ]);
    expect(groups[1]!.rows.map((r) => [r.model, r.stars])).toEqual([
      ['org/small', 5],
      ['org/big', 1],
    ]);
    for (const g of groups) expect(g.starsRule).toMatch(/^Stars: quintiles of J\/1k/);
  });

  it('gives each JSON row its figures, provenance and carbon at the documented default', () => {
    const small = json.tasks.classification!.groups[0]!.rows[0]!;
    expect(small).toMatchObject({
      model: 'org/small',
      joulesPer1kInferences: 12,
      energyKind: 'estimated',
      meter: 'estimate',
      citable: true,
      parameters: 5e6,
      quality: { metric: 'accuracy', mean: 0.7 },
      provenance: ['a1'],
    });
    expect(small.kWhPer1kInferences).toBeCloseTo(12 / JOULES_PER_KWH, 15);
    expect(small.gCO2ePer1kInferences).toBeCloseTo((12 / JOULES_PER_KWH) * 480, 12);
    expect(json.carbonIntensity.gCO2ePerKWh).toBe(480);
    expect(json.carbonIntensity.source).toMatch(/Ember "Global Electricity Review 2024"/);
  });

  it('shows the hardware of every group on the page', () => {
    expect(html).toContain('<h3>Test CPU 9000 (8 threads), 32 GB RAM · device cpu · org/data (test) · joulebench</h3>');
    expect(html).toContain('<h3>Other CPU 1 (8 threads), 32 GB RAM · device cpu · org/data (test) · joulebench</h3>');
  });

  it('marks every estimated energy figure, and no measured one', () => {
    const rows = [
      ...html.matchAll(/<tr class="[^"]*" data-model="([^"]+)" data-energy-kind="(\w+)"[^>]*>(.*?)<\/tr>/g),
    ];
    expect(rows).toHaveLength(7);
    for (const [, model, kind, cells] of rows) {
      const energyCells = [...cells!.matchAll(/<td class="num col-energy"[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!);
      expect(energyCells, model).toHaveLength(3);
      for (const cell of energyCells)
        expect(cell.includes('est.'), `${model} ${kind}: ${cell}`).toBe(kind === 'estimated');
    }
  });

  it('marks fixtures "not citable", never rates them, and prints the rule under every table', () => {
    expect(html).toMatch(
      /data-model="fixtures\/toy"[^>]*><td class="num col-rank">—<\/td><td class="num col-stars"><span class="not-rated">not rated<\/span><\/td><td class="text col-model"[^>]*>fixtures\/toy <span class="muted">fp32<\/span><span class="badge fixture">fixture · not citable<\/span>/,
    );
    const tables = html.match(/<table /g)!.length;
    expect(html.match(/<p class="stars-rule">/g)).toHaveLength(tables);
  });

  it('is self-contained: no external scripts, styles or images', () => {
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+stylesheet/);
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//);
  });

  it('writes each figure as SVG and inlines the same SVG in the page', () => {
    const files = readdirSync(join(out, 'site', 'figures')).sort();
    expect(files).toEqual([
      'energy-by-task.svg',
      'energy-vs-parameters.svg',
      'energy-vs-quality-classification.svg',
      'energy-vs-quality-summarization.svg',
    ]);
    for (const f of files) {
      const svg = readFileSync(join(out, 'site', 'figures', f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(html).toContain(svg);
    }
  });

  it('plots one mark per model and source, estimated ones hollow and labelled', () => {
    const svg = readFileSync(join(out, 'site', 'figures', 'energy-by-task.svg'), 'utf8');
    const points = [
      ...svg.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g),
    ].map((m) => m[1]!);
    expect(points).toHaveLength(7); // classification: 3 + fixture on A, 2 on B; summarization: 1
    const estimated = points.filter((p) => p.includes('energy figure: estimated (not measured)'));
    const fixtures = points.filter((p) => p.includes('energy figure: fixture, estimated (not citable)'));
    const measured = points.filter((p) => p.includes('energy figure: measured'));
    expect([estimated.length, fixtures.length, measured.length]).toEqual([4, 1, 2]);
    expect(svg).toContain('>estimated (not measured)</text>');
    expect(svg).toContain('>fixture, estimated (not citable)</text>');
  });

  it('leaves fixtures out of the quality figure and draws the Pareto frontier', () => {
    const svg = readFileSync(join(out, 'site', 'figures', 'energy-vs-quality-classification.svg'), 'utf8');
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(5);
    expect(svg).not.toContain('fixtures/toy');
    expect(svg).toMatch(/class="mark-line role-mark/);
  });

  it('adds stars to the Markdown tables', () => {
    const md = readFileSync(join(out, 'leaderboard.md'), 'utf8');
    expect(md).toMatch(/\| 1 \| org\/small \|.*\| ★★★★★ \(estimated\) \|$/m);
    expect(md).toMatch(/\| — \| fixtures\/toy \*\*\(fixture: not citable\)\*\* \|.*\| not rated \|$/m);
    expect(md).toMatch(/\| 1 \| org\/small \|.* rapl, measured .*\| ★★★★★ \|$/m);
  });
});

describe('leaderboard options', () => {
  it('writes only the asked formats', async () => {
    const root = tempDir('joulebench-formats-');
    const out = join(root, 'out');
    const { paths } = await runLeaderboard(
      { in: writeMachines(root), out, formats: parseFormats('json,csv') },
      () => {},
      () => {},
    );
    expect(Object.keys(paths).sort()).toEqual(['csv', 'json']);
    expect(existsSync(join(out, 'site'))).toBe(false);
    expect(existsSync(join(out, 'leaderboard.md'))).toBe(false);
  });

  it('uses the given carbon intensity', async () => {
    const root = tempDir('joulebench-carbon-');
    const { board } = await runLeaderboard(
      { in: writeMachines(root), out: join(root, 'out'), formats: ['json'], carbonIntensity: 100 },
      () => {},
      () => {},
    );
    const row = board.tasks[0]!.groups[0]!.rows[0]!;
    expect(row.gCO2ePer1k).toBeCloseTo(row.kWhPer1k * 100, 15);
    expect(board.carbon.source).toBe('given with --carbon-intensity');
  });

  it('rejects unknown formats with one line', () => {
    expect(() => parseFormats('html,pdf')).toThrow(UserError);
    expect(() => parseFormats('html,pdf')).toThrow(
      "Unknown --format 'pdf'. Valid formats: html, md, csv, json (comma-separated)",
    );
    expect(parseFormats('HTML, md,md')).toEqual(['html', 'md']);
  });
});

describe('Pareto frontier', () => {
  const rows = [
    { id: 'cheap-bad', joules: 1, quality: 0.5 },
    { id: 'mid-good', joules: 5, quality: 0.8 },
    { id: 'mid-worse', joules: 6, quality: 0.7 },
    { id: 'dear-best', joules: 50, quality: 0.9 },
    { id: 'dear-same', joules: 60, quality: 0.9 },
  ];

  it('keeps the rows no cheaper row matches in quality', () => {
    expect(paretoFrontier(rows, true).map((r) => r.id)).toEqual(['cheap-bad', 'mid-good', 'dear-best']);
  });

  it('follows the metric direction', () => {
    expect(paretoFrontier(rows, false).map((r) => r.id)).toEqual(['cheap-bad']);
  });
});

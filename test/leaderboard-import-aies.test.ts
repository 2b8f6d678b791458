// Importing a published AI Energy Score leaderboard: its figures kept as published, its own
// hardware group, classes rated apart, and joulebench's stars reproducing their rule.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/util/errors.js';
import { runLeaderboard } from '../src/report/run-leaderboard.js';
import { buildBoard, JOULES_PER_KWH } from '../src/report/board.js';
import { DEFAULT_CARBON_INTENSITY } from '../src/report/carbon.js';
import { importTask, readAiEnergyScoreCsv } from '../src/report/imports/aies.js';
import type { BoardGroup } from '../src/report/board.js';
import type { StarRule } from '../src/report/stars.js';
import { cli, repoRoot, tempDir } from './helpers/env.js';
import { okRecord } from './helpers/records.js';

const feb2025 = join(repoRoot, 'test/fixtures/ai-energy-score/feb-2025/text_generation.csv');

async function importedGroup(file: string, rule: StarRule): Promise<BoardGroup> {
  const table = await readAiEnergyScoreCsv(file);
  const board = await buildBoard([], { starRule: rule, carbon: DEFAULT_CARBON_INTENSITY, imports: [table] });
  return board.tasks[0]!.groups[0]!;
}

function writeCsv(name: string, text: string): string {
  const dir = tempDir('joulebench-import-');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('AI Energy Score Feb-2025 class-A text generation, --stars aies', () => {
  it('reads the 24 rows as generation, class A, in their own hardware group, values unchanged', async () => {
    const table = await readAiEnergyScoreCsv(feb2025);
    expect(table.task).toBe('generation');
    expect(table.rows).toHaveLength(24);
    const group = await importedGroup(feb2025, 'aies');
    expect(group).toMatchObject({
      origin: 'import',
      source: 'AI Energy Score (NVIDIA H100, GPU only)',
      class: 'A',
      energyKind: 'measured',
      components: 'gpu',
    });
    const phi4 = group.rows.find((r) => r.model === 'microsoft/phi-4')!;
    expect(phi4.published!.kWhPer1k).toBe(0.028741174659586477);
    expect(phi4.kWhPer1k).toBe(0.028741174659586477);
    expect(phi4.joulesPer1k.mean).toBe(0.028741174659586477 * JOULES_PER_KWH);
  });

  it('reproduces the documented boundary cases of their rule', async () => {
    const group = await importedGroup(feb2025, 'aies');
    const stars = Object.fromEntries(group.rows.map((r) => [r.model, r.stars]));
    // Emin = distilgpt2 0.001313333, Emax = phi-4 0.028741 kWh; 2/3 boundary at 0.017770 kWh.
    expect(stars['distilbert/distilgpt2']).toBe(5);
    expect(stars['microsoft/phi-4']).toBe(1);
    expect(stars['CohereForAI/aya-23-8B']).toBe(2); // 0.017817 kWh
    expect(stars['meta-llama/Meta-Llama-3.1-8B']).toBe(3); // 0.017376 kWh
    expect(group.starsRule).toContain('Emin 4,728, Emax 103,500 J/1k');
  });

  it('gives what the formula gives across all 24 models (not "one model per star")', async () => {
    const group = await importedGroup(feb2025, 'aies');
    const count = (n: number) => group.rows.filter((r) => r.stars === n).length;
    // Equal-width bins on a skewed energy range: many small models share the top bin.
    expect([5, 4, 3, 2, 1].map(count)).toEqual([9, 3, 5, 5, 2]);
    const w = (0.028741174659586477 - 0.001313333) / 5;
    for (const r of group.rows) {
      const e = r.published!.kWhPer1k;
      const expected = e === 0.028741174659586477 ? 1 : 5 - Math.floor((e - 0.001313333) / w);
      expect(r.stars, r.model).toBe(expected);
    }
  });

  it('never copies energy_score: our stars come from the rule in force', async () => {
    const path = writeCsv(
      'text_classification.csv',
      'model,total_gpu_energy,energy_score,class\nsmall,0.001,1,\nmid,0.002,1,\nbig,0.003,5,\n',
    );
    const group = await importedGroup(path, 'quintile');
    expect(group.rows.map((r) => [r.model, r.stars, r.published!.energyScore])).toEqual([
      ['small', 5, '1'],
      ['mid', 3, '1'],
      ['big', 1, '5'],
    ]);
    expect(group.class).toBeNull();
  });

  it('rates text-generation classes separately', async () => {
    const path = writeCsv(
      'text_generation.csv',
      'model,total_gpu_energy,energy_score,class\na1,0.001,,A\na2,0.002,,A\nb1,0.5,,B\nb2,1.0,,B\nc1,3,,C\n',
    );
    const table = await readAiEnergyScoreCsv(path);
    const board = await buildBoard([], { starRule: 'aies', carbon: DEFAULT_CARBON_INTENSITY, imports: [table] });
    const groups = board.tasks[0]!.groups;
    expect(groups.map((g) => [g.class, g.rows.map((r) => r.stars)])).toEqual([
      ['A', [5, 1]],
      ['B', [5, 1]],
      ['C', [null]],
    ]);
  });
});

describe('import task and bad files', () => {
  it('takes the task from their file names, or from --import-task', () => {
    expect(importTask('/x/text_classification.csv')).toBe('classification');
    expect(importTask('/x/summarization.csv')).toBe('summarization');
    expect(importTask('/x/scores.csv', 'text_generation')).toBe('generation');
    expect(importTask('/x/scores.csv', 'summarization')).toBe('summarization');
  });

  const cases: [string, string, string, RegExp][] = [
    [
      'unknown task name',
      'leaderboard.csv',
      'model,total_gpu_energy,energy_score,class\na,0.1,,\n',
      /cannot tell its task from the file name 'leaderboard\.csv'/,
    ],
    [
      'missing columns',
      'summarization.csv',
      'model,energy\na,0.1\n',
      /missing column\(s\) total_gpu_energy, energy_score, class/,
    ],
    [
      'a value that is not a number',
      'summarization.csv',
      'model,total_gpu_energy,energy_score,class\na,lots,,\n',
      /line 2: total_gpu_energy 'lots' is not a positive number/,
    ],
    ['no data rows', 'summarization.csv', 'model,total_gpu_energy,energy_score,class\n', /no data rows/],
  ];
  it.each(cases)('%s → one-line UserError naming the file', async (_what, name, text, message) => {
    const path = writeCsv(name, text);
    const err = await readAiEnergyScoreCsv(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).not.toContain('\n');
  });

  it('rejects an unknown --import-task', async () => {
    const err = await readAiEnergyScoreCsv(feb2025, 'image_generation').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/unknown --import-task 'image_generation'/);
  });

  it('a missing file is a UserError too', async () => {
    await expect(readAiEnergyScoreCsv('/nonexistent/summarization.csv')).rejects.toThrow(
      /Cannot import \/nonexistent\/summarization\.csv: no such file$/,
    );
  });

  it('a missing file is said to be missing, whatever its name (not that its task cannot be told)', async () => {
    const r = await cli(['leaderboard', '--import', '/nonexistent.csv', '--out', tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('joulebench: Cannot import /nonexistent.csv: no such file\n');
  });
});

describe('leaderboard with imports', () => {
  it('places imported rows beside ours, in their own group, in every format', async () => {
    const dir = tempDir('joulebench-lb-import-');
    mkdirSync(join(dir, 'runs'));
    writeFileSync(
      join(dir, 'runs', 'a.jsonl'),
      `${JSON.stringify(okRecord({ task: 'generation', model: 'ours', joulesPer1k: 40, quality: {} }))}\n`,
    );
    const logs: string[] = [];
    const { board, paths } = await runLeaderboard(
      {
        in: [dir],
        out: dir,
        formats: ['json', 'md', 'csv'],
        imports: [feb2025],
        stars: 'aies',
        generatedAt: new Date('2026-01-01'),
      },
      (l) => logs.push(l),
      () => {},
    );
    const generation = board.tasks.find((t) => t.task === 'generation')!;
    expect(generation.groups.map((g) => g.source)).toEqual(['joulebench', 'AI Energy Score (NVIDIA H100, GPU only)']);
    const json = JSON.parse(readFileSync(paths.json!, 'utf8'));
    const imported = json.tasks.generation.groups[1];
    expect(imported).toMatchObject({
      hardware: 'NVIDIA H100 80GB',
      source: 'AI Energy Score (NVIDIA H100, GPU only)',
      class: 'A',
      energyKind: 'measured',
    });
    expect(imported.starsRule).toMatch(/^Stars: AI Energy Score rule/);
    expect(imported.rows.find((r: { model: string }) => r.model === 'CohereForAI/aya-23-8B')).toMatchObject({
      stars: 2,
      kind: 'pretrained',
      quality: null,
    });
    const md = readFileSync(paths.md!, 'utf8');
    expect(md).toContain('### AI Energy Score (NVIDIA H100, GPU only) · class A (published, imported)');
    expect(md).toContain('| 17 | meta-llama/Meta-Llama-3.1-8B | 0.017376263067664155 | 62,600 | ★★★☆☆ |');
    const csv = readFileSync(paths.csv!, 'utf8');
    expect(csv).toContain('"AI Energy Score (NVIDIA H100, GPU only)",A,NVIDIA H100 80GB');
    expect(logs.at(-1)).toContain('24 published row(s) from');
  });
});

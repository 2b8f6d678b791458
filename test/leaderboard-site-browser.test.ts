// The generated site in a real browser (Debian's Chromium via playwright-core): made from a
// real bench run of the three tasks on the offline mirror, and a real sweep of stories260K over
// dtype × batch size × threads, opened via file://.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, hasChromium, noChromiumMessage } from './helpers/browser.js';
import { cli, tempDir } from './helpers/env.js';

interface JsonRow {
  model: string;
  kind: string;
  energyKind: string;
  parameters: number | null;
  quality: unknown;
}
interface JsonBoard {
  tasks: Record<string, { groups: { hardware: string; rows: JsonRow[] }[] }>;
}
interface JsonSweep {
  id: string;
  models: { model: string; energyOptimal: string; optimalWithinBudget: string | null; points: { label: string }[] }[];
}

const tasks = ['classification', 'generation', 'summarization'];
if (!hasChromium) console.warn(`Skipping the browser test: ${noChromiumMessage}`);

describe.skipIf(!hasChromium)(
  `leaderboard site in Chromium${hasChromium ? '' : ` — SKIPPED: ${noChromiumMessage}`}`,
  () => {
    const out = tempDir('joulebench-site-');
    let browser: Browser | undefined;
    let page: Page;
    let board: JsonBoard;
    let sweep: JsonSweep;
    let sweepPage: Page;
    const requests: string[] = [];

    beforeAll(async () => {
      for (const task of tasks) {
        const run = await cli([
          'bench',
          '--task',
          task,
          '--samples',
          '5',
          '--repetitions',
          '2',
          '--warmup',
          '1',
          '--min-window-seconds',
          '0',
          '--out',
          join(out, task),
        ]);
        expect(run.status, run.stderr).toBe(0);
      }
      const swept = await cli([
        'sweep',
        '--task',
        'generation',
        '--model',
        'karpathy/stories260K',
        '--dtype',
        'fp32,q8',
        '--batch-size',
        '1,4',
        '--threads',
        '1,2',
        '--latency-budget-ms',
        '15',
        '--samples',
        '4',
        '--repetitions',
        '2',
        '--warmup',
        '1',
        '--min-window-seconds',
        '0',
        '--run-id',
        'stories-sweep',
        '--out',
        join(out, 'sweep'),
      ]);
      expect(swept.status, swept.stderr).toBe(0);
      sweep = (JSON.parse(readFileSync(join(out, 'sweep', 'sweeps', 'stories-sweep.json'), 'utf8')) as JsonSweep[])[0]!;
      const lb = await cli(['leaderboard', '--in', out, '--out', join(out, 'board'), '--format', 'html,json']);
      expect(lb.status, lb.stderr).toBe(0);
      board = JSON.parse(readFileSync(join(out, 'board', 'leaderboard.json'), 'utf8')) as JsonBoard;
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(join(out, 'board', 'site', 'index.html')).href);
      sweepPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      sweepPage.on('request', (r) => requests.push(r.url()));
      await sweepPage.goto(pathToFileURL(join(out, 'board', 'site', 'sweeps.html')).href);
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
    });

    const rowsOf = (task: string) => board.tasks[task]!.groups.flatMap((g) => g.rows);

    it('has a section per task and a table row per leaderboard row', async () => {
      expect(Object.keys(board.tasks).sort()).toEqual(tasks);
      for (const task of tasks) {
        const section = page.locator(`section#task-${task}`);
        await expect(section.count()).resolves.toBe(1);
        const models = await section
          .locator('tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
        expect(models.sort()).toEqual(
          rowsOf(task)
            .map((r) => r.model)
            .sort(),
        );
        expect(models.length).toBeGreaterThan(0);
      }
    });

    it('shows the hardware of every group', async () => {
      for (const task of tasks) {
        for (const g of board.tasks[task]!.groups) {
          await expect(
            page.locator(`section#task-${task} h3`, { hasText: g.hardware }).count(),
          ).resolves.toBeGreaterThan(0);
        }
      }
    });

    it('re-orders rows when a column header is clicked', async () => {
      const tables = page.locator('table.sortable');
      let table = tables.first();
      for (let i = 0; i < (await tables.count()); i++) {
        if ((await tables.nth(i).locator('tbody tr').count()) >= 2) table = tables.nth(i);
      }
      const order = () =>
        table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
      const joules = () =>
        table
          .locator('tbody td.col-energy:nth-child(4)')
          .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-sort'))));
      expect(
        await table.locator('tbody tr').count(),
        'a table with two or more rows (generation has two mirror models)',
      ).toBeGreaterThanOrEqual(2);
      const header = table.locator('thead th', { hasText: 'J / 1k inferences' });
      await header.locator('button').click();
      await expect(header.getAttribute('aria-sort')).resolves.toBe('ascending');
      const ascending = await order();
      const up = await joules();
      expect(up).toEqual([...up].sort((a, b) => a - b));
      await header.locator('button').click();
      await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
      expect(await order()).toEqual([...ascending].reverse());
      const down = await joules();
      expect(down).toEqual([...down].sort((a, b) => b - a));
    });

    it('renders the charts as SVG with one mark per model', async () => {
      const all = tasks.flatMap(rowsOf);
      const points = (figure: string) => page.locator(`figure#fig-${figure} svg path[aria-roledescription="point"]`);
      await expect(page.locator('figure svg').count()).resolves.toBeGreaterThanOrEqual(3);
      await expect(points('energy-by-task').count()).resolves.toBe(all.length);
      await expect(points('energy-vs-parameters').count()).resolves.toBe(
        all.filter((r) => r.parameters !== null).length,
      );
      for (const task of tasks) {
        const rated = rowsOf(task).filter((r) => r.kind !== 'fixture' && r.quality !== null);
        const figure = page.locator(`figure#fig-energy-vs-quality-${task}`);
        if (rated.length === 0) await expect(figure.count()).resolves.toBe(0);
        else await expect(points(`energy-vs-quality-${task}`).count()).resolves.toBe(rated.length);
      }
      const box = await page.locator('figure#fig-energy-by-task svg').boundingBox();
      expect(box!.width).toBeGreaterThan(100);
    });

    it('marks estimated figures in the tables and in the charts', async () => {
      const estimatedRows = page.locator('tr[data-energy-kind="estimated"]');
      const n = await estimatedRows.count();
      expect(n).toBe(tasks.flatMap(rowsOf).filter((r) => r.energyKind === 'estimated').length);
      expect(n).toBeGreaterThan(0); // this machine has no power sensor: the estimate meter ran
      for (let i = 0; i < n; i++) {
        const cells = estimatedRows.nth(i).locator('td.col-energy');
        const count = await cells.count();
        expect(count).toBe(3);
        for (let c = 0; c < count; c++) await expect(cells.nth(c).locator('.est').isVisible()).resolves.toBe(true);
      }
      await expect(page.locator('.flag-est').first().isVisible()).resolves.toBe(true);
      const labels = await page
        .locator('figure#fig-energy-by-task svg path[aria-roledescription="point"]')
        .evaluateAll((ps) => ps.map((p) => p.getAttribute('aria-label') ?? ''));
      for (const label of labels)
        expect(label).toMatch(/energy figure: (estimated \(not measured\)|fixture, estimated \(not citable\))/);
      await expect(
        page.locator('figure#fig-energy-by-task svg text', { hasText: 'estimated (not measured)' }).count(),
      ).resolves.toBeGreaterThan(0);
    });

    it('keeps fixtures visibly "not citable" and unrated', async () => {
      const fixtures = page.locator('tr[data-kind="fixture"]');
      const n = await fixtures.count();
      expect(n).toBe(tasks.flatMap(rowsOf).filter((r) => r.kind === 'fixture').length);
      for (let i = 0; i < n; i++) {
        // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText() (the rendered text), not the DOM property
        await expect(fixtures.nth(i).locator('.badge.fixture').innerText()).resolves.toBe('fixture · not citable');
        // biome-ignore lint/performance/useDomNodeTextContent: as above
        await expect(fixtures.nth(i).locator('td.col-stars').innerText()).resolves.toBe('not rated');
      }
    });

    it('links the sweep page, with one frontier chart per model and a point per configuration', async () => {
      await expect(page.locator('nav a[href="sweeps.html"]').count()).resolves.toBe(1);
      const section = sweepPage.locator('section[data-sweep="stories-sweep"]');
      await expect(section.count()).resolves.toBe(1);
      expect(sweep.models.map((m) => m.model)).toEqual(['karpathy/stories260K']); // fp32 and q8: one model
      for (const m of sweep.models) {
        expect(m.points).toHaveLength(8); // 2 dtypes × 2 batch sizes × 2 threads
        const block = section.locator(`div.sweep-model[data-model="${m.model}"]`);
        await expect(block.locator('figure svg').count()).resolves.toBe(1);
        const points = block.locator('figure svg path[aria-roledescription="point"]');
        await expect(points.count()).resolves.toBe(8);
        await expect(block.locator('figure svg [aria-roledescription="line mark"]').count()).resolves.toBe(1);
        const rows = await block
          .locator('tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-config')));
        expect(rows.sort()).toEqual(m.points.map((p) => p.label).sort());
        const box = await block.locator('figure svg').boundingBox();
        expect(box!.width).toBeGreaterThan(200);
      }
    });

    it('highlights the chosen configurations in the chart and the table', async () => {
      for (const m of sweep.models) {
        const block = sweepPage.locator(`div.sweep-model[data-model="${m.model}"]`);
        const chosen = await block
          .locator('tbody tr[data-chosen]')
          .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-config'), tr.getAttribute('data-chosen')]));
        const expected = [...new Set([m.energyOptimal, m.optimalWithinBudget].filter((c): c is string => c !== null))];
        expect(chosen.map(([config]) => config).sort()).toEqual(expected.sort());
        expect(chosen.find(([config]) => config === m.energyOptimal)![1]).toMatch(/^energy-optimal/);
        const labels = await block
          .locator('figure svg path[aria-roledescription="point"]')
          .evaluateAll((ps) => ps.map((p) => p.getAttribute('aria-label') ?? ''));
        const optimal = labels.filter((l) => l.includes(`configuration: ${m.energyOptimal};`));
        expect(optimal).toHaveLength(1);
        expect(optimal[0]).toMatch(/status: energy-optimal/);
        expect(labels.filter((l) => /status: energy-optimal/.test(l))).toHaveLength(expected.length);
      }
      await expect(sweepPage.locator('.flag-est').first().isVisible()).resolves.toBe(true);
      await expect(sweepPage.locator('td.col-energy .est').first().isVisible()).resolves.toBe(true);
    });

    it('loads nothing but the file itself', () => {
      expect(requests.length).toBeGreaterThan(0);
      for (const url of requests) expect(url.startsWith('file://')).toBe(true);
    });
  },
);

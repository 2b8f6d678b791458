// A sweep's table of configurations is one list of columns: the Markdown report and the site's
// page show the same headers and the same figures, in the same order.
import { describe, expect, it } from 'vitest';
import { analyseModel, type SweepPoint, type SweepReport } from '../src/report/sweep/sweep-report.js';
import { renderSweepSite } from '../src/report/sweep/sweep-page.js';
import { sweepMarkdown } from '../src/report/sweep/sweep-tables.js';
import { spread } from '../src/util/student-t.js';

const metric = { name: 'wordPerplexity', label: 'word perplexity', higherIsBetter: false };

function point(batchSize: number, figures: number[], latencyP95Ms: number, joulesPerToken: number | null): SweepPoint {
  return {
    model: 'org/gen',
    kind: 'pretrained',
    dtype: 'fp32',
    batchSize,
    threads: 1,
    device: 'cpu',
    label: `fp32 · batch ${batchSize} · threads 1 · cpu`,
    joulesPer1k: spread(figures),
    figures,
    joulesPerToken,
    latencyP95Ms,
    quality: batchSize === 4 ? null : 12.5,
    repetitions: figures.length,
    frontier: { latency: false, tokenLatency: false, quality: false },
  };
}

function report(): SweepReport {
  const points = [point(1, [30, 31, 29], 2, 0.003), point(4, [20, 21, 19], 5, 0.002), point(8, [40, 41, 39], 9, null)];
  return {
    id: 'cols',
    task: 'generation',
    dataset: 'org/data (test)',
    hardware: 'Test CPU',
    meter: 'rapl',
    energyKind: 'measured',
    basis: 'gross',
    quality: metric,
    sweep: { id: 'cols', axes: { batchSize: [1, 4, 8] }, latencyBudgetMs: 3, skipped: [] },
    skipped: [],
    runs: ['cols'],
    models: [analyseModel('org/gen', points, 3, metric)],
  };
}

const unescapeHtml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e as 'amp']!);

describe('the table of configurations', () => {
  it('has the same columns and cells in the Markdown report and on the site page', async () => {
    const r = report();
    const md = sweepMarkdown(r)
      .split('\n')
      .filter((l) => l.startsWith('| '))
      .map((l) => l.slice(2, -2).split(' | '));
    const html = (await renderSweepSite([r]))['site/sweeps.html']!;
    const cells = (row: string, tag: string) =>
      [...row.matchAll(new RegExp(`<${tag}[^>]*>(.*?)</${tag}>`, 'g'))].map((m) => unescapeHtml(m[1]!));
    const header = cells(html.match(/<thead>(.*?)<\/thead>/s)![1]!, 'th');
    const rows = [...html.matchAll(/<tr data-config=[^>]*>(.*?)<\/tr>/g)].map((m) => cells(m[1]!, 'td'));
    expect(header).toEqual(md[0]);
    expect(header).toEqual([
      'configuration',
      'model id',
      'J / 1k [95% CI]',
      'J / response',
      'J / token',
      'p95 latency per call (ms)',
      'word perplexity ↓',
      'frontier: J/1k vs latency',
      'frontier: J/token vs latency',
      'frontier: J/1k vs quality',
      'chosen',
    ]);
    expect(rows).toEqual(md.slice(1));
    expect(rows.map((row) => row.at(-1))).toEqual(['optimal within budget', 'energy-optimal', '']);
  });
});

// The frontier and the chosen configurations of a sweep, on constructed points: dominated points
// are excluded, ties kept; the energy-optimal configuration, the ones it cannot be told from, and
// the cheapest within a latency budget.
import { describe, expect, it } from 'vitest';
import { paretoFront } from '../src/report/sweep/frontier.js';
import { analyseModel, type SweepPoint } from '../src/report/sweep/sweep-report.js';
import { spread } from '../src/util/student-t.js';

describe('paretoFront', () => {
  const points = [
    { name: 'a', j: 10, ms: 5 },
    { name: 'b', j: 8, ms: 7 },
    { name: 'c', j: 12, ms: 6 }, // dominated by a (cheaper and faster)
    { name: 'd', j: 8, ms: 7 }, // ties with b on both: both stay
    { name: 'e', j: 8, ms: 9 }, // dominated by b (as cheap, slower)
    { name: 'f', j: 3, ms: 20 },
    { name: 'g', j: Number.NaN, ms: 1 }, // no figure: neither on the frontier nor dominating
  ];
  const front = (xs: typeof points) => [...paretoFront(xs, [(p) => p.j, (p) => p.ms])].map((p) => p.name).sort();

  it('keeps exactly the points nothing dominates, ties together', () => {
    expect(front(points)).toEqual(['a', 'b', 'd', 'f']);
  });

  it('maximises an objective given negated, and keeps a lone point', () => {
    const q = [
      { name: 'cheap-bad', j: 1, q: 0.5 },
      { name: 'dear-good', j: 5, q: 0.9 },
      { name: 'dear-bad', j: 5, q: 0.4 },
    ];
    expect([...paretoFront(q, [(p) => p.j, (p) => -p.q])].map((p) => p.name)).toEqual(['cheap-bad', 'dear-good']);
    expect(front([points[2]!])).toEqual(['c']);
    expect(front([])).toEqual([]);
  });
});

function point(label: string, figures: number[], latencyP95Ms: number, quality: number | null = null): SweepPoint {
  return {
    model: 'org/m',
    kind: 'pretrained',
    dtype: 'fp32',
    batchSize: 1,
    threads: 1,
    device: 'cpu',
    label,
    joulesPer1k: spread(figures),
    figures,
    joulesPerToken: null,
    latencyP95Ms,
    quality,
    repetitions: figures.length,
    frontier: { latency: false, tokenLatency: false, quality: false },
  };
}

describe('the chosen configurations', () => {
  const metric = { name: 'accuracy', label: 'Accuracy', higherIsBetter: true };

  it('names the cheapest overall, those it cannot be told from, and the cheapest within budget', () => {
    const fast = point('fast', [30, 31, 29], 2, 0.8);
    const cheap = point('cheap', [10, 11, 9], 40, 0.7);
    const close = point('close', [10.5, 12, 9.5], 50, 0.9); // within the noise of cheap
    const slow = point('slow', [20, 21, 19], 60, 0.6); // dominated on both charts
    const m = analyseModel('org/m', [fast, cheap, close, slow], 10, metric);
    expect(m.optimal).toBe(cheap);
    expect(m.optimalTies).toEqual([close]);
    expect(m.withinBudget).toBe(fast);
    expect([fast, cheap, close, slow].map((p) => p.frontier.latency)).toEqual([true, true, false, false]);
    expect([fast, cheap, close, slow].map((p) => p.frontier.quality)).toEqual([false, true, true, false]);
  });

  it('has no configuration within a budget nothing meets, and none asked for without one', () => {
    const pts = [point('a', [1, 1.1, 0.9], 20), point('b', [2, 2.1, 1.9], 30)];
    expect(analyseModel('org/m', pts, 5, null).withinBudget).toBeNull();
    expect(analyseModel('org/m', pts, null, null).withinBudget).toBeNull();
    expect(analyseModel('org/m', pts, 25, null).withinBudget?.label).toBe('a');
  });

  it('reads quality the way the metric says is better (perplexity: lower)', () => {
    const low = point('low-ppl', [5, 5.1, 4.9], 1, 10);
    const high = point('high-ppl', [5, 5.1, 4.9], 1, 20);
    analyseModel('org/m', [low, high], null, {
      name: 'wordPerplexity',
      label: 'Word perplexity',
      higherIsBetter: false,
    });
    expect([low.frontier.quality, high.frontier.quality]).toEqual([true, false]);
  });
});

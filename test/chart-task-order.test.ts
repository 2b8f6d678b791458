// The energy-by-task figure orders its tasks by energy, lowest first, as Power Hungry
// Processing's Figure 1 does (not alphabetically): checked in the spec and in the drawn axis.
import { describe, expect, it } from 'vitest';
import { buildBoard } from '../src/report/board.js';
import { energyByTaskSpec, renderSvg } from '../src/report/render/charts.js';
import { okRecord } from './helpers/records.js';

const tasks: [string, number[]][] = [
  ['summarization', [6000]],
  ['classification', [100, 300]],
  ['image-classification', [900]],
  ['generation', [2000, 4000, 90]], // median 2,000: a cheap outlier does not move it
  ['question-answering', [400]],
  ['token-classification', [600]],
  ['fill-mask', [350]],
];

describe('energy by task', () => {
  it('orders the seven tasks by the median energy of their points', async () => {
    const records = tasks.flatMap(([task, joules]) =>
      joules.map((j, i) => okRecord({ task, model: `org/${task}-${i}`, joulesPer1k: j, quality: {} })),
    );
    const spec = energyByTaskSpec(await buildBoard(records))!;
    const order = [
      'classification',
      'fill-mask',
      'question-answering',
      'token-classification',
      'image-classification',
      'generation',
      'summarization',
    ];
    expect((spec as { encoding: { x: { sort: unknown } } }).encoding.x.sort).toEqual(order);
    const svg = await renderSvg(spec, 'test');
    const drawn = order.map((t) => svg.indexOf(`>${t}</text>`));
    expect(drawn.every((at) => at >= 0)).toBe(true);
    expect([...drawn].sort((a, b) => a - b)).toEqual(drawn); // the axis labels come in that order
  });
});

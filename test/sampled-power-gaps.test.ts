// Sampled power has gaps (a failed read, an unparsable nvidia-smi line, a stalled sampler): the
// trapezoid rule bridges them with a straight line, so they are measured and said, never only
// absorbed. A gap is a stretch of the window without a reading longer than 5 sampling periods.
import { describe, expect, it } from 'vitest';
import { gapWarning, sampleGaps, type PowerPoint } from '../src/meters/power-series.js';

/** A reading every `periodS` from `from` to `to` (inclusive), at `w` watts, except at the times `skip` says. */
function every(periodS: number, from: number, to: number, skip: (t: number) => boolean = () => false): PowerPoint[] {
  const points: PowerPoint[] = [];
  for (let k = 0; from + k * periodS <= to + 1e-9; k++) {
    const t = from + k * periodS;
    if (!skip(t)) points.push({ t, w: 100 });
  }
  return points;
}

describe('gaps in sampled power', () => {
  it('finds none in a regular series, nor in one missing a reading or two', () => {
    expect(sampleGaps(every(0.1, 0, 2), 0, 2, 0.1)).toEqual({ count: 0, longestS: 0, totalS: 0 });
    const fewMissing = every(0.1, 0, 2, (t) => Math.abs(t - 0.5) < 0.01 || Math.abs(t - 0.6) < 0.01);
    expect(sampleGaps(fewMissing, 0, 2, 0.1).count).toBe(0); // 0.3 s apart: under 5 periods
  });

  it('measures a gap longer than 5 sampling periods: its length and the share of the window it covers', () => {
    const points = every(0.1, 0, 2, (t) => t > 0.45 && t < 1.25); // readings at 0.4 and 1.3
    const gaps = sampleGaps(points, 0, 2, 0.1);
    expect(gaps.count).toBe(1);
    expect(gaps.longestS).toBeCloseTo(0.9, 9);
    expect(gaps.totalS).toBeCloseTo(0.9, 9);
  });

  it("counts only the part of a gap inside the window, and the window's ends without a reading near them", () => {
    // Nothing between -0.5 and 0.7, nor after 1.2: the window [0, 2] has an unread head and tail.
    const points = [{ t: -0.5, w: 50 }, ...every(0.1, 0.7, 1.2)];
    const gaps = sampleGaps(points, 0, 2, 0.1);
    expect(gaps.count).toBe(2);
    expect(gaps.longestS).toBeCloseTo(1.2, 9); // -0.5 to 0.7, bridged from the reading before the window
    expect(gaps.totalS).toBeCloseTo(0.7 + 0.8, 9);
    expect(sampleGaps([], 0, 2, 0.1)).toEqual({ count: 1, longestS: 2, totalS: 2 });
  });

  it('words a warning with the gap, flagged when more than 10% of the figure is interpolated', () => {
    expect(gapWarning('nvml: GPU 0 (X)', { count: 0, longestS: 0, totalS: 0 }, 2, 0.1, true)).toBeUndefined();
    expect(gapWarning('nvml: GPU 0 (X)', { count: 1, longestS: 0.6, totalS: 0.15 }, 2, 0.1, true)).toBe(
      'nvml: GPU 0 (X): no power reading for 0.60 s (1 gap longer than 5 × the 100 ms sampling period, ' +
        '8% of the window); its figure bridges it with a straight line',
    );
    const two = { count: 2, longestS: 0.9, totalS: 1.2 };
    expect(gapWarning('nvml: GPU 0 (X)', two, 2, 0.1, true)).toBe(
      'nvml: GPU 0 (X): no power reading for 0.90 s at the longest (2 gaps longer than 5 × the 100 ms sampling ' +
        'period, 60% of the window); its figure bridges them with a straight line — flagged: over 10% of the ' +
        'window is interpolated, not sampled',
    );
    // Where an energy counter is the figure, sampled power is only its timeline and cross-check: no flag.
    expect(gapWarning('nvml: GPU 0 (X)', two, 2, 0.1, false)).toBe(
      'nvml: GPU 0 (X): no power reading for 0.90 s at the longest (2 gaps longer than 5 × the 100 ms sampling ' +
        "period, 60% of the window); only its power timeline and cross-check bridge them (the figure is its energy counter's)",
    );
  });
});

// Student t arithmetic against published worked examples.
import { describe, expect, it } from 'vitest';
import { slopeTest, spread, tQuantile, twoSidedP, welch } from '../src/util/student-t.js';

// Student's sleep data (Cushny & Peebles 1905, as Student 1908 used it): R's `datasets::sleep`,
// extra hours of sleep for group 1 and group 2.
const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('Student t', () => {
  it('gives the textbook quantiles (R qt(0.975, df), tables of the t distribution)', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062047, 6);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.30265273, 7);
    expect(tQuantile(0.975, 9)).toBeCloseTo(2.26215716, 7);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.04227246, 7);
    expect(tQuantile(0.025, 9)).toBeCloseTo(-2.26215716, 7);
    expect(twoSidedP(2.26215716, 9)).toBeCloseTo(0.05, 7);
  });

  it("reproduces R's one-sample t.test(sleep$extra[1:10]): mean 0.75, 95% CI [-0.5297804, 2.0297804]", () => {
    const s = spread(group1);
    expect(s.mean).toBeCloseTo(0.75, 12);
    expect(s.n).toBe(10);
    expect(s.ci95!.low).toBeCloseTo(-0.5297804, 6);
    expect(s.ci95!.high).toBeCloseTo(2.0297804, 6);
    expect(s.cv).toBeCloseTo(s.sd / 0.75, 12);
  });

  it('gives no interval under 3 values', () => {
    expect(spread([1, 2]).ci95).toBeNull();
    expect(welch([1, 2], [3, 4, 5])).toBeNull();
  });

  it("reproduces R's Welch t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p = 0.07939", () => {
    // R documentation example for t.test; SciPy ttest_ind(equal_var=False) gives the same.
    const r = welch(group1, group2)!;
    expect(r.difference).toBeCloseTo(-1.58, 12);
    expect(r.t).toBeCloseTo(-1.860813, 5);
    expect(r.df).toBeCloseTo(17.776474, 5);
    expect(r.p).toBeCloseTo(0.07939414, 7);
    expect(r.ci95.low).toBeCloseTo(-3.3654832, 6);
    expect(r.ci95.high).toBeCloseTo(0.2054832, 6);
  });

  it("reproduces R's summary(lm(dist ~ speed, data = cars)): slope 3.9324, se 0.4155, t 9.464, p 1.49e-12", () => {
    // R's datasets::cars (Ezekiel 1930), the example of R's lm documentation.
    const speed = [
      4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 16,
    ];
    speed.push(16, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24, 24, 25);
    const dist = [2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60, 80, 20, 26, 54];
    dist.push(32, 40, 32, 40, 50, 42, 56, 76, 84, 36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92, 93, 120, 85);
    const r = slopeTest(speed, dist)!;
    expect(r.slope).toBeCloseTo(3.932409, 5);
    expect(r.se).toBeCloseTo(0.415513, 5);
    expect(r.t).toBeCloseTo(9.464, 3);
    expect(r.df).toBe(48);
    expect(r.p).toBeGreaterThan(1.48e-12);
    expect(r.p).toBeLessThan(1.5e-12);
    expect(slopeTest([1, 2], [3, 4])).toBeNull(); // no residual degrees of freedom
    expect(slopeTest([1, 2, 3], [5, 5, 5])!.p).toBe(1);
    expect(slopeTest([1, 2, 3], [1, 2, 3])!.p).toBe(0);
  });
});

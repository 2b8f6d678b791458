// Student's t distribution and the two tests joulebench reports: the 95 % confidence interval of
// a mean over repetitions, and Welch's two-sample t-test (unequal variances, Welch–Satterthwaite
// degrees of freedom). Written here, not imported: the libraries that have them (stdlib's
// ttest2: ~300 packages, 34 MB) would outweigh the rest of joulebench's dependencies. Checked
// against R's and SciPy's documented results (test/student-t.test.ts).
import { mean, sd } from './stats.js';

/** ln Γ(x), Lanczos approximation (g = 7, n = 9), |error| < 1e-15 for x > 0. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(|T| >= |t|) for T ~ Student t with df degrees of freedom. */
export function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** The q-quantile of Student's t with df degrees of freedom (bisection on the CDF; q in (0, 1)). */
export function tQuantile(q: number, df: number): number {
  if (q === 0.5) return 0;
  const upper = q > 0.5;
  const tail = upper ? 1 - q : q; // P(T > t) for the upper quantile
  let lo = 0;
  let hi = 1;
  while (twoSidedP(hi, df) / 2 > tail) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (twoSidedP(mid, df) / 2 > tail) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return upper ? t : -t;
}

/** A mean over repetitions with its spread: n, sample sd, coefficient of variation, 95 % CI (n ≥ 3). */
export interface Spread {
  mean: number;
  sd: number;
  n: number;
  /** sd / |mean|; NaN when the mean is 0. */
  cv: number;
  /** Student t 95 % interval of the mean; null with fewer than 3 values ("no CI"). */
  ci95: { low: number; high: number } | null;
}

/** Fewer values than this give no confidence interval and no significance test. */
const MIN_N_FOR_CI = 3;

export function spread(xs: readonly number[]): Spread {
  const m = mean(xs);
  const s = sd(xs);
  const n = xs.length;
  const half = n >= MIN_N_FOR_CI ? (tQuantile(0.975, n - 1) * s) / Math.sqrt(n) : Number.NaN;
  return {
    mean: m,
    sd: s,
    n,
    cv: m === 0 ? Number.NaN : s / Math.abs(m),
    ci95: n >= MIN_N_FOR_CI ? { low: m - half, high: m + half } : null,
  };
}

export interface WelchResult {
  /** mean(a) − mean(b). */
  difference: number;
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** 95 % interval of the difference. */
  ci95: { low: number; high: number };
}

/** Welch's two-sample t-test, two-sided; null when either sample has fewer than 3 values. */
export function welch(a: readonly number[], b: readonly number[]): WelchResult | null {
  if (a.length < MIN_N_FOR_CI || b.length < MIN_N_FOR_CI) return null;
  const va = sd(a) ** 2 / a.length;
  const vb = sd(b) ** 2 / b.length;
  const difference = mean(a) - mean(b);
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    // No spread at all: identical figures are no difference; different ones are a sure one.
    const p = difference === 0 ? 1 : 0;
    return {
      difference,
      t: difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY,
      df: a.length + b.length - 2,
      p,
      ci95: { low: difference, high: difference },
    };
  }
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const t = difference / se;
  const half = tQuantile(0.975, df) * se;
  return { difference, t, df, p: twoSidedP(t, df), ci95: { low: difference - half, high: difference + half } };
}

export interface SlopeResult {
  /** Least-squares slope of y on x. */
  slope: number;
  /** Its standard error. */
  se: number;
  t: number;
  df: number;
  /** Two-sided p-value of slope = 0. */
  p: number;
}

/** The least-squares slope of y on x and its t-test (slope = 0, df = n − 2); null under 3 points. */
export function slopeTest(x: readonly number[], y: readonly number[]): SlopeResult | null {
  const n = x.length;
  if (n !== y.length) throw new Error('slopeTest needs as many x as y');
  if (n < MIN_N_FOR_CI) return null;
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  if (sxx === 0) return null; // one x only: no slope to speak of
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i]! - my - slope * (x[i]! - mx)) ** 2;
  const df = n - 2;
  const se = Math.sqrt(sse / df / sxx);
  // Points exactly on a line: a flat one is no trend, any other a sure one.
  if (se === 0) return { slope, se, t: slope === 0 ? 0 : Math.sign(slope) * Infinity, df, p: slope === 0 ? 1 : 0 };
  const t = slope / se;
  return { slope, se, t, df, p: twoSidedP(t, df) };
}

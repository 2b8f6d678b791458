// When a unit has run enough repetitions. Fixed: exactly `repetitions`. With --target-ci: at
// least `repetitions`, then more until the 95 % CI half-width of J/1k is within the target
// fraction of the mean (as hyperfine and criterion stop when the estimate is stable), or until
// --max-repetitions. The rule, not a count, is what the plan stores, so resume and shards keep it.
import type { OkRecord } from '../schema/result-record.js';
import type { ResolvedRunOptions } from '../schema/run-options.js';
import { spread } from '../util/student-t.js';

type StopReason = 'ci-reached' | 'max-repetitions';

type StopRule = Pick<ResolvedRunOptions, 'repetitions' | 'targetCi' | 'maxRepetitions'>;

/**
 * The figure a unit's CI is judged on: the one the leaderboard ranks by, net J/1k where the run
 * has an idle baseline (its CI is wider: the same noise over a smaller mean), else gross.
 */
export function stopFigure(r: Pick<OkRecord, 'energy' | 'inferences' | 'joulesPer1kInferences'>): number {
  return r.energy.netJoules === undefined ? r.joulesPer1kInferences : (r.energy.netJoules / r.inferences) * 1000;
}

/** The CI half-width as a fraction of the mean, or null under 3 figures (no CI yet). */
export function relativeHalfWidth(figures: readonly number[]): number | null {
  const s = spread(figures);
  if (!s.ci95 || s.mean === 0) return null;
  return (s.ci95.high - s.ci95.low) / 2 / Math.abs(s.mean);
}

/** With a target: whether these figures are enough, and why; null to go on. Never before the minimum. */
export function stopAfter(figures: readonly number[], rule: StopRule): StopReason | null {
  if (rule.targetCi === null || figures.length < rule.repetitions) return null;
  const width = relativeHalfWidth(figures);
  if (width !== null && width <= rule.targetCi) return 'ci-reached';
  return figures.length >= Math.max(rule.maxRepetitions, rule.repetitions) ? 'max-repetitions' : null;
}

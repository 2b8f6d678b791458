// Energy star ratings (1-5, more stars = less energy) within one group of comparable rows.
// Two rules: quintiles of the group's J/1k (default; robust to one outlier), and the
// AI Energy Score published rule (five equal-width bins between the lowest and highest energy).
import { quantile } from '../util/stats.js';
import { sig } from './format.js';

export const STAR_RULES = ['quintile', 'aies'] as const;
export type StarRule = (typeof STAR_RULES)[number];

interface Rating {
  /** One entry per input value, in input order; null = not rated. */
  stars: (number | null)[];
  /** What was applied to this group, printed under its table. */
  rule: string;
}

/** One-line summary of a rule, for page headers and the JSON. */
export function describeRule(rule: StarRule): string {
  return rule === 'aies'
    ? 'AI Energy Score rule: five equal-width bins between the lowest (Emin) and highest (Emax) energy of the group; ' +
        'w = (Emax − Emin)/5, stars = 5 − floor((E − Emin)/w), E = Emax gets 1 star (huggingface/AIEnergyScore index.md, commit a5b9a04)'
    : 'quintiles of J/1k within the group: the lowest-energy fifth of models get 5 stars, the highest fifth 1 star ' +
        '(boundaries at the 20th/40th/60th/80th percentiles, linear interpolation)';
}

/** Quintile rule: stars = 5 − (number of quintile boundaries strictly below E). */
function quintileStars(values: readonly number[], unit: string): Rating {
  const sorted = [...values].sort((a, b) => a - b);
  const bounds = [0.2, 0.4, 0.6, 0.8].map((q) => quantile(sorted, q));
  return {
    stars: values.map((e) => 5 - bounds.filter((b) => b < e).length),
    rule: `Stars: quintiles of ${unit} among the ${values.length} rated models of this group; boundaries ${bounds.map((b) => sig(b)).join(', ')} ${unit} (5★ at or below the first).`,
  };
}

/** AI Energy Score rule, operational form checked against their Feb-2025 class-A ratings. */
function aiesStars(values: readonly number[], unit: string): Rating {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const w = (max - min) / 5;
  return {
    stars: values.map((e) => (e >= max ? 1 : Math.max(1, Math.min(5, 5 - Math.floor((e - min) / w))))),
    rule:
      `Stars: AI Energy Score rule over the ${values.length} rated models of this group: Emin ${sig(min, 4)}, Emax ${sig(max, 4)} ${unit}, ` +
      `bin width w = (Emax − Emin)/5 = ${sig(w, 4)}; stars = 5 − floor((E − Emin)/w), Emax gets 1★.`,
  };
}

/**
 * Rates the values of one group (only rows that may be rated: fixtures never come here).
 * A lone value, or values with no spread, get no stars: a rating is relative to the others.
 */
export function rate(values: readonly number[], rule: StarRule, unit = 'J/1k'): Rating {
  if (values.length === 0) return { stars: [], rule: 'Stars: no rated models in this group.' };
  if (values.length === 1)
    return { stars: [null], rule: 'Stars: none — a lone model is not rated (a rating compares at least two models).' };
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`rate(): non-finite energy in ${values.join(', ')}`);
  if (Math.min(...values) === Math.max(...values)) {
    return {
      stars: values.map(() => null),
      rule: 'Stars: none — every model of this group used the same energy, so there is nothing to rate.',
    };
  }
  return rule === 'aies' ? aiesStars(values, unit) : quintileStars(values, unit);
}

/** "★★★☆☆" */
export function starString(stars: number): string {
  return '★'.repeat(stars) + '☆'.repeat(5 - stars);
}

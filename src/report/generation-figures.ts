// What a leaderboard row of a generative task adds, from its records: TTFT and TPOT (the mean
// of each repetition's percentiles), and prefill vs decode energy per 1,000 inferences and per
// token, derived from each repetition's prefill window. The split is shown only when the data can
// tell the two windows apart: with 3 or more repetitions, the prefill window's 95 % CI must lie
// wholly below the full window's; otherwise it is "not resolved" and no decode figure is given.
import type { GenerationLatency, OkRecord, Percentiles } from '../schema/result-record.js';
import { mean } from '../util/stats.js';
import { spread, type Spread } from '../util/student-t.js';

/** TTFT and TPOT of a row: each percentile averaged over the repetitions. */
export interface RowGeneration {
  per: GenerationLatency['per'];
  ttftMs: Percentiles;
  /** null when no request generated more than one token. */
  tpotMs: Percentiles | null;
}

/** Prefill and decode energy of a row, both derived (full window − prefill window). */
export interface RowSplit {
  prefillPer1k: Spread;
  /** null unless resolved. */
  decodePer1k: Spread | null;
  /** Decode J per token generated after the first step; null unless resolved. */
  decodePerToken: number | null;
  resolved: boolean;
  /** Why not resolved; null when resolved. */
  reason: string | null;
}

const meanPercentiles = (ps: readonly Percentiles[]): Percentiles => ({
  p50: mean(ps.map((p) => p.p50)),
  p90: mean(ps.map((p) => p.p90)),
  p95: mean(ps.map((p) => p.p95)),
  p99: mean(ps.map((p) => p.p99)),
});

export function rowGeneration(records: readonly OkRecord[]): RowGeneration | null {
  const latencies = records.flatMap((r) => (r.generation ? [r.generation] : []));
  if (latencies.length === 0) return null;
  const tpot = latencies.flatMap((g) => (g.tpotMs ? [g.tpotMs] : []));
  return {
    per: latencies[0]!.per,
    ttftMs: meanPercentiles(latencies.map((g) => g.ttftMs)),
    tpotMs: tpot.length > 0 ? meanPercentiles(tpot) : null,
  };
}

/**
 * The row's split on its energy basis; null when its records have no prefill window. `full` is
 * each record's J/1k on that basis, in the same order as `records`.
 */
export function rowSplit(
  records: readonly OkRecord[],
  full: readonly number[],
  basis: 'gross' | 'net',
): RowSplit | null {
  const paired = records.flatMap((r, i) => {
    const p = r.prefill;
    if (!p) return [];
    const prefillJ = basis === 'net' ? p.netJoules : p.joules;
    if (prefillJ === undefined) return [];
    const prefillPer1k = (prefillJ / p.inferences) * 1000;
    const fullPer1k = full[i]!;
    const decodeTokens = (r.outputTokens ?? 0) - (p.outputTokens / p.inferences) * r.inferences;
    const decodePerToken = ((fullPer1k - prefillPer1k) * r.inferences) / 1000 / decodeTokens;
    return [{ prefillPer1k, fullPer1k, decodePerToken }];
  });
  if (paired.length === 0) return null;
  const prefill = spread(paired.map((x) => x.prefillPer1k));
  const whole = spread(paired.map((x) => x.fullPer1k));
  const decode = spread(paired.map((x) => x.fullPer1k - x.prefillPer1k));
  const reason =
    !prefill.ci95 || !whole.ci95
      ? `fewer than 3 repetitions with a prefill window (${paired.length}): no CI to tell the windows apart`
      : prefill.ci95.high >= whole.ci95.low
        ? "the prefill window's 95% CI overlaps the full window's"
        : decode.mean <= 0
          ? 'decode came out at or below zero'
          : null;
  const resolved = reason === null;
  return {
    prefillPer1k: prefill,
    decodePer1k: resolved ? decode : null,
    decodePerToken: resolved ? mean(paired.map((x) => x.decodePerToken)) : null,
    resolved,
    reason,
  };
}

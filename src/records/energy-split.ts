// Prefill vs decode energy, the optimum-benchmark way: a second window of the same inputs whose
// calls generate one token (max_new_tokens = 1) measures prefill; decode = full − prefill. Both
// figures are derived, not measured: the prefill window's energy per inference is scaled to the
// full window's inferences, and decode is what is left. Per record, a decode at or below zero is
// left out (never printed); whether the leaderboard resolves the split is its rule over
// repetitions (report/generation-figures.ts).

/** One window's totals, on one energy basis (gross or net). */
interface WindowTotals {
  joules: number;
  inferences: number;
  /** Generated tokens in the window (rows × steps). */
  outputTokens: number;
}

interface EnergySplit {
  /** The prefill share of the full window's energy: prefill J per inference × the full window's inferences. */
  prefillJoules: number;
  /** Prefill energy per token of the first step (one per inference). */
  prefillJoulesPerToken: number;
  /** full − prefill; absent unless decodePositive. */
  decodeJoules?: number;
  /** Decode energy per token generated after the first step; absent unless decodePositive. */
  decodeJoulesPerToken?: number;
  /** Decode is above zero (and there are tokens after the first step to charge it to). */
  decodePositive: boolean;
}

/** Prefill and decode energy of the full window, from it and the prefill window of the same inputs. */
export function splitEnergy(full: WindowTotals, prefill: WindowTotals): EnergySplit {
  const prefillPerInference = prefill.joules / prefill.inferences;
  const firstTokensPerInference = prefill.outputTokens / prefill.inferences; // 1, by construction
  const prefillJoules = prefillPerInference * full.inferences;
  const prefillTokens = firstTokensPerInference * full.inferences;
  const decodeJoules = full.joules - prefillJoules;
  const decodeTokens = full.outputTokens - prefillTokens;
  const split: EnergySplit = {
    prefillJoules,
    prefillJoulesPerToken: prefillTokens > 0 ? prefillJoules / prefillTokens : Number.NaN,
    decodePositive: decodeJoules > 0 && decodeTokens > 0,
  };
  if (split.decodePositive) {
    split.decodeJoules = decodeJoules;
    split.decodeJoulesPerToken = decodeJoules / decodeTokens;
  }
  return split;
}

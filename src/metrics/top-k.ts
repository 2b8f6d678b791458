// Top-k accuracy: the share of samples whose gold answer is among the first k predictions.
// Predictions are ranked best first (as fill-mask and image-classification pipelines return them);
// an unmapped prediction is null and never matches.

export function topKAccuracy<T>(ranked: readonly (readonly (T | null)[])[], gold: readonly T[], k: number): number {
  if (ranked.length !== gold.length) throw new Error('predictions and gold labels differ in length');
  if (gold.length === 0) return Number.NaN;
  let hits = 0;
  ranked.forEach((r, i) => {
    if (r.slice(0, k).some((p) => p !== null && p === gold[i])) hits++;
  });
  return hits / gold.length;
}

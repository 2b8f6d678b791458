// Pareto frontiers over a sweep's configurations: a point is on the frontier when no other point
// is at least as good on every objective and better on one. Points equal on every objective
// dominate neither, so ties stay on the frontier together.

/** The items no other item dominates; every objective is minimised (negate one to maximise it). */
export function paretoFront<T>(items: readonly T[], objectives: readonly ((item: T) => number)[]): Set<T> {
  // A point missing an objective (no quality figure, say) neither joins the frontier nor dominates.
  const scored = items
    .map((item) => ({ item, values: objectives.map((f) => f(item)) }))
    .filter((s) => s.values.every(Number.isFinite));
  const dominates = (a: number[], b: number[]) => a.every((x, i) => x <= b[i]!) && a.some((x, i) => x < b[i]!);
  return new Set(scored.filter((p) => !scored.some((q) => dominates(q.values, p.values))).map((p) => p.item));
}

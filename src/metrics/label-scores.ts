// Accuracy and macro-F1 over named classes.

interface ClassificationScores {
  accuracy: number;
  macroF1: number;
}

/**
 * `predicted[i]` is a class name, or null when the model's label maps to no dataset class
 * (counted as wrong). Macro-F1 averages the per-class F1 over `classes`; a class with no
 * true and no predicted instances is left out of the average, as scikit-learn does with
 * `labels` restricted to present classes.
 */
export function classificationScores(
  predicted: readonly (string | null)[],
  actual: readonly string[],
  classes: readonly string[],
): ClassificationScores {
  if (predicted.length !== actual.length) throw new Error('predicted and actual differ in length');
  if (actual.length === 0) return { accuracy: Number.NaN, macroF1: Number.NaN };
  let correct = 0;
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  actual.forEach((truth, i) => {
    const guess = predicted[i];
    if (guess === truth) {
      correct++;
      bump(tp, truth);
    } else {
      bump(fn, truth);
      if (guess != null) bump(fp, guess);
    }
  });
  const f1s = classes
    .filter((c) => (tp.get(c) ?? 0) + (fp.get(c) ?? 0) + (fn.get(c) ?? 0) > 0)
    .map((c) => {
      const t = tp.get(c) ?? 0;
      const denom = 2 * t + (fp.get(c) ?? 0) + (fn.get(c) ?? 0);
      return denom === 0 ? 0 : (2 * t) / denom;
    });
  const macroF1 = f1s.reduce((a, b) => a + b, 0) / f1s.length;
  return { accuracy: correct / actual.length, macroF1 };
}

// ROUGE-1, ROUGE-2 and ROUGE-L F-measure, with the tokenization of Google's `rouge-score`
// package (what Hugging Face `evaluate` uses): lower-case, every run of characters other than
// [a-z0-9] is a separator, no stemming (evaluate's default). No maintained npm package
// implements rouge-score's exact rules, so the ~50 lines live here and are tested against
// the ROUGE-1.5.5 figures published in rouge-score's own test suite.

interface RougeScores {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

export function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((t) => t.length > 0);
}

function fMeasure(overlap: number, predicted: number, target: number): number {
  if (overlap === 0 || predicted === 0 || target === 0) return 0;
  const precision = overlap / predicted;
  const recall = overlap / target;
  return (2 * precision * recall) / (precision + recall);
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function rougeN(target: readonly string[], predicted: readonly string[], n: number): number {
  const t = ngramCounts(target, n);
  const p = ngramCounts(predicted, n);
  let overlap = 0;
  for (const [gram, count] of p) overlap += Math.min(count, t.get(gram) ?? 0);
  return fMeasure(overlap, Math.max(predicted.length - n + 1, 0), Math.max(target.length - n + 1, 0));
}

/** Length of the longest common subsequence, O(n*m) time, O(m) memory. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Scores one prediction against one reference (argument order as in rouge-score: target first). */
export function rouge(target: string, prediction: string): RougeScores {
  const t = rougeTokens(target);
  const p = rougeTokens(prediction);
  return {
    rouge1: rougeN(t, p, 1),
    rouge2: rougeN(t, p, 2),
    rougeL: fMeasure(lcsLength(t, p), p.length, t.length),
  };
}

/** Mean F-measure over pairs (a plain mean; `evaluate` reports a bootstrap mid-point instead). */
export function meanRouge(targets: readonly string[], predictions: readonly string[]): RougeScores {
  const sum = { rouge1: 0, rouge2: 0, rougeL: 0 };
  targets.forEach((target, i) => {
    const s = rouge(target, predictions[i] ?? '');
    sum.rouge1 += s.rouge1;
    sum.rouge2 += s.rouge2;
    sum.rougeL += s.rougeL;
  });
  const n = targets.length || Number.NaN;
  return { rouge1: sum.rouge1 / n, rouge2: sum.rouge2 / n, rougeL: sum.rougeL / n };
}

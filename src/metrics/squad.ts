// Exact match and token F1 of extractive QA, as the official SQuAD v1.1 evaluation script
// computes them (rajpurkar's evaluate-v1.1.py; huggingface/evaluate metrics/squad/compute_score.py):
// lower-case, drop ASCII punctuation, drop the articles a/an/the, collapse whitespace; F1 over
// the token multisets; the best score over the gold answers. Python's semantics are kept where
// JavaScript differs: its \b and str.split() are Unicode-aware.

/** Python's string.punctuation. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
/** What Python's str.split() splits on (JavaScript's \s differs: it has \ufeff, lacks \x1c-\x1f and \x85). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Python's whitespace set includes \x1c-\x1f
const PY_WHITESPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
/** Python 3's \b(a|an|the)\b on str: word characters are Unicode letters, digits and _. */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

export function normalizeAnswer(s: string): string {
  const lower = s.toLowerCase();
  const unpunctuated = Array.from(lower)
    .filter((c) => !PUNCTUATION.has(c))
    .join('');
  return unpunctuated
    .replace(ARTICLES, ' ')
    .split(PY_WHITESPACE)
    .filter((t) => t.length > 0)
    .join(' ');
}

export function exactMatch(prediction: string, gold: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(gold);
}

/** Token F1 (0 when nothing overlaps, also when both sides normalise to nothing, as v1.1 does). */
export function tokenF1(prediction: string, gold: string): number {
  const p = normalizeAnswer(prediction).split(' ').filter(Boolean);
  const g = normalizeAnswer(gold).split(' ').filter(Boolean);
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of p) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      same++;
      counts.set(t, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / g.length;
  return (2 * precision * recall) / (precision + recall);
}

interface SquadScores {
  /** Share of questions whose prediction matches a gold answer exactly (0-1; the script prints × 100). */
  exactMatch: number;
  /** Mean over questions of the best token F1 against any gold answer (0-1). */
  f1: number;
}

/** The script's aggregate over questions: each question scores its best gold answer. */
export function squadScores(predictions: readonly string[], golds: readonly (readonly string[])[]): SquadScores {
  if (predictions.length !== golds.length) throw new Error('predictions and gold answers differ in length');
  if (predictions.length === 0) return { exactMatch: Number.NaN, f1: Number.NaN };
  let em = 0;
  let f1 = 0;
  predictions.forEach((p, i) => {
    const answers = golds[i]!;
    em += answers.some((g) => exactMatch(p, g)) ? 1 : 0;
    f1 += Math.max(0, ...answers.map((g) => tokenF1(p, g)));
  });
  return { exactMatch: em / predictions.length, f1: f1 / predictions.length };
}

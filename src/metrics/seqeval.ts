// Entity-level precision, recall and F1 of token classification, as seqeval computes them with
// mode='strict', scheme=IOB2 (chakki-works/seqeval, seqeval/scheme.py): an entity starts with
// B-X and runs over the following I-X of the same type; an I- after O or after another type
// starts nothing and is dropped; a predicted entity counts only with its exact span and type.
// Micro average over types, as seqeval's default `average='micro'`; 0 where a denominator is 0.

interface Entity {
  type: string;
  start: number;
  /** Exclusive. */
  end: number;
}

const prefix = (tag: string) => tag[0];
const typeOf = (tag: string) => tag.slice(1).replace(/^-+|-+$/g, '') || '_';

/** The entities of one sentence's IOB2 tags. */
export function entitiesIob2(tags: readonly string[]): Entity[] {
  const out: Entity[] = [];
  let i = 0;
  while (i < tags.length) {
    if (prefix(tags[i]!) === 'B') {
      const type = typeOf(tags[i]!);
      let j = i + 1;
      while (j < tags.length && prefix(tags[j]!) === 'I' && typeOf(tags[j]!) === type) j++;
      out.push({ type, start: i, end: j });
      i = j;
    } else i++;
  }
  return out;
}

interface EntityScores {
  precision: number;
  recall: number;
  f1: number;
}

/** Micro P/R/F1 over sentences (each a list of IOB2 tags, gold and predicted of equal length). */
export function entityScores(
  gold: readonly (readonly string[])[],
  predicted: readonly (readonly string[])[],
): EntityScores {
  if (gold.length !== predicted.length) throw new Error('gold and predicted sentences differ in number');
  let tp = 0;
  let nGold = 0;
  let nPred = 0;
  gold.forEach((g, s) => {
    const key = (e: Entity) => `${e.type}|${e.start}|${e.end}`;
    const truth = new Set(entitiesIob2(g).map(key));
    const guesses = entitiesIob2(predicted[s]!).map(key);
    nGold += truth.size;
    nPred += guesses.length;
    tp += guesses.filter((k) => truth.has(k)).length;
  });
  const precision = nPred === 0 ? 0 : tp / nPred;
  const recall = nGold === 0 ? 0 : tp / nGold;
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

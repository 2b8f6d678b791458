// transformers.js's question-answering pipeline returns its answer re-decoded from tokens, not
// cut from the context: lower-cased by uncased tokenizers, accents stripped, spacing changed
// ("New York-based" comes back as "new york - based"), which SQuAD's normalisation does not
// undo. This finds the context's own text for such an answer: the first stretch of the context
// whose letters and digits (lower-cased, accents removed) are the answer's.

const KEPT = /[\p{L}\p{N}]/u;

/** Lower-cased letters and digits of one code point, accents (combining marks) removed. */
function folded(ch: string): string {
  let out = '';
  for (const c of ch.normalize('NFD').toLowerCase()) if (KEPT.test(c)) out += c;
  return out;
}

/** The context's text for `answer`, or null when its letters and digits do not occur in the context. */
export function recoverSpan(context: string, answer: string): string | null {
  let projected = '';
  const origin: [number, number][] = []; // per projected UTF-16 unit: the context code point it came from
  for (let i = 0; i < context.length; ) {
    const ch = String.fromCodePoint(context.codePointAt(i)!);
    const kept = folded(ch);
    projected += kept;
    for (let k = 0; k < kept.length; k++) origin.push([i, i + ch.length]);
    i += ch.length;
  }
  const needle = Array.from(answer).map(folded).join('');
  if (needle === '') return null;
  const at = projected.indexOf(needle);
  if (at < 0) return null;
  return context.slice(origin[at]![0], origin[at + needle.length - 1]![1]);
}

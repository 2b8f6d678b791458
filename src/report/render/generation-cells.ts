// The cells and legend of a generative task's extra columns, shared by the Markdown and HTML
// tables: J per response beside J per token, TTFT and TPOT, and prefill / decode energy (derived;
// "split not resolved" where the windows cannot be told apart).
import type { BoardRow } from '../board.js';
import { sig } from '../format.js';

/** Rows of a table that has the generative columns. */
export function hasGenerativeColumns(rows: readonly BoardRow[]): boolean {
  return rows.some((r) => r.joulesPerOutputToken !== null || r.generation !== null);
}

export const GENERATIVE_TITLES = {
  perResponse: 'J / response',
  perToken: 'J / token',
  ttft: 'TTFT p50 / p95 (ms)',
  tpot: 'TPOT p50 / p95 (ms)',
  split: 'Prefill / decode J / 1k (derived)',
} as const;

const NOT_RESOLVED = 'split not resolved';

const orDash = (x: number | null | undefined) => (x === null || x === undefined ? '—' : sig(x));

export function perResponseText(row: BoardRow): string {
  return orDash(row.joulesPerResponse);
}

export function perTokenText(row: BoardRow): string {
  return orDash(row.joulesPerOutputToken);
}

export function ttftText(row: BoardRow): string {
  const t = row.generation?.ttftMs;
  return t ? `${sig(t.p50)} / ${sig(t.p95)}` : '—';
}

export function tpotText(row: BoardRow): string {
  const t = row.generation?.tpotMs;
  return t ? `${sig(t.p50)} / ${sig(t.p95)}` : '—';
}

export function splitText(row: BoardRow): string {
  const s = row.split;
  if (!s) return '—';
  const decode = s.decodePer1k ? sig(s.decodePer1k.mean) : NOT_RESOLVED;
  return `${sig(s.prefillPer1k.mean)} / ${decode}`;
}

/** What the generative columns mean, printed under a table that has them. */
export function generativeLegend(rows: readonly BoardRow[]): string[] {
  if (!hasGenerativeColumns(rows)) return [];
  const out = [
    "J / response is J / 1k ÷ 1,000 (one inference), J / token the window's energy ÷ its generated tokens. " +
      "TTFT: from the call's start to its first generated token (tokenization, prefill and, for encoder-decoder " +
      'models, the encoder); TPOT: time per output token after the first; each the mean over repetitions of ' +
      "a window's percentile over all its requests.",
  ];
  if (rows.some((r) => r.generation?.per === 'call'))
    out.push('At batch size > 1, TTFT and TPOT are per call: every row of a batch shares its decoding steps.');
  if (rows.some((r) => r.split)) {
    out.push(
      'Prefill / decode (DERIVED): prefill is a second window of the same inputs generating one token ' +
        '(max_new_tokens = 1), per inference; decode = full − prefill. "split not resolved": fewer than 3 ' +
        "repetitions, or the prefill window's 95% CI overlaps the full window's, so no decode figure is given.",
    );
  }
  return out;
}

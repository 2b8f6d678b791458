// Number formatting shared by every renderer.
import type { EnergyKind } from '../schema/energy.js';
import { CROSS_CHECK_TOLERANCE, STEADY_RESOLUTIONS } from '../meters/base.js';

/** 3 significant digits, thousands separators, no exponent for ordinary magnitudes. */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e7) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 20 });
}

export function params(n: number): string {
  if (n >= 1e9) return `${sig(n / 1e9)}B`;
  if (n >= 1e6) return `${sig(n / 1e6)}M`;
  if (n >= 1e3) return `${sig(n / 1e3)}K`;
  return String(n);
}

/** Quality figures: 3 decimals for scores in [0, 1]-like ranges, significant digits for large ones (perplexity). */
export function qualityNumber(x: number): string {
  return Math.abs(x) >= 100 ? sig(x, 4) : x.toFixed(3);
}

/** A figure over repetitions as tables print it: "102 [99.5, 105]" (95 % CI), or "102 (n=2, no CI)". */
export function withCi(
  s: { mean: number; n: number; ci95: { low: number; high: number } | null },
  fmt: (x: number) => string = sig,
): string {
  if (s.ci95) return `${fmt(s.mean)} [${fmt(s.ci95.low)}, ${fmt(s.ci95.high)}]`;
  return `${fmt(s.mean)} (n=${s.n}, no CI)`;
}

/** The marks a row's energy figure carries, with what each means (printed under the table). */
export const MARKS = {
  shortWindow: {
    sign: '†',
    text: `a window lasted less than ${STEADY_RESOLUTIONS} × its meter's resolution: the resolution alone may be more than 1 % of the figure (--min-window-seconds lengthens windows)`,
  },
  crossCheck: {
    sign: '‡',
    text: `two sources for the same energy (NVML energy counter vs power samples, or RAPL package + DRAM vs psys) differed by more than ${CROSS_CHECK_TOLERANCE * 100} % in a window`,
  },
} as const;

/** The signs for a row: "†", "‡", "†‡" or "". */
export function marksOf(row: { shortWindow: boolean; crossCheckFlagged: boolean }): string {
  return `${row.shortWindow ? MARKS.shortWindow.sign : ''}${row.crossCheckFlagged ? MARKS.crossCheck.sign : ''}`;
}

/** The legend lines for the marks these rows carry. */
export function markLegend(rows: readonly { shortWindow: boolean; crossCheckFlagged: boolean }[]): string[] {
  const out: string[] = [];
  if (rows.some((r) => r.shortWindow)) out.push(`${MARKS.shortWindow.sign} ${MARKS.shortWindow.text}.`);
  if (rows.some((r) => r.crossCheckFlagged)) out.push(`${MARKS.crossCheck.sign} ${MARKS.crossCheck.text}.`);
  return out;
}

/** A row's rank as tables print it: "=2" when it ties with a neighbour. */
export function rankText(row: { rank: number | null; tied: boolean }): string {
  if (row.rank === null) return '—';
  return row.tied ? `=${row.rank}` : String(row.rank);
}

/** True when a spread is worth printing: more than rounding noise of the mean. */
export function varies(mean: number, sd: number): boolean {
  return sd > Math.abs(mean) * 1e-9;
}

/** A finite number, or null (JSON and sortable HTML cells have no NaN). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

/** One meter of a (possibly composite) reading, and how it measured. */
export interface MeterPart {
  meter: string;
  kind: EnergyKind;
}

/** A composite with an estimated part and a measured one (e.g. estimate + nvml) is only partly estimated. */
export function partlyMeasured(parts: readonly MeterPart[]): boolean {
  return parts.some((p) => p.kind === 'measured') && parts.some((p) => p.kind === 'estimated');
}

const ESTIMATE_METHOD = 'process CPU time × TDP per thread, plus a DRAM term (README "Meters")';

/** How an estimated figure was obtained, in words, for group headings. */
export function estimateHow(meter: string, parts: readonly MeterPart[]): string {
  const estimated = parts.filter((p) => p.kind === 'estimated').map((p) => p.meter);
  const measured = parts.filter((p) => p.kind === 'measured').map((p) => p.meter);
  const how = (names: readonly string[]) =>
    names.length === 1 && names[0] === 'estimate' ? ESTIMATE_METHOD : `the ${names.join(' + ')} meter`;
  if (measured.length === 0)
    return estimated.length === 1 && estimated[0] === 'estimate'
      ? `estimated from ${ESTIMATE_METHOD}, not read from a sensor`
      : `computed by the ${meter} meter, not read from a sensor`;
  const covers = estimated.length === 1 && estimated[0] === 'estimate' ? 'CPU and DRAM' : estimated.join(' + ');
  return `partly estimated: ${covers} from ${how(estimated)}; ${measured.join(' + ')} measured`;
}

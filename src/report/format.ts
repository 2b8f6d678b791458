// Number formatting shared by every renderer.

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

/** True when a spread is worth printing: more than rounding noise of the mean. */
export function varies(mean: number, sd: number): boolean {
  return sd > Math.abs(mean) * 1e-9;
}

/** A finite number, or null (JSON and sortable HTML cells have no NaN). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

/** A composite meter with an estimated part (e.g. "estimate+nvml") is only partly estimated. */
export function partlyMeasured(meter: string): boolean {
  return meter.includes('+');
}

/** How an estimated figure was obtained, in words, for group headings. */
export function estimateHow(meter: string): string {
  const parts = meter.split('+');
  const measured = parts.filter((p) => p !== 'estimate');
  const estimate = 'process CPU time × TDP per thread, plus a DRAM term (README "Meters")';
  if (parts.length === 1 && parts[0] === 'estimate') return `estimated from ${estimate}, not read from a sensor`;
  if (parts.includes('estimate')) return `partly estimated: CPU and DRAM from ${estimate}; ${measured.join(' + ')} measured`;
  return `computed by the ${meter} meter, not read from a sensor`;
}

// Assertions and timing shared by the meter tests.
import { expect } from 'vitest';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asserts `actual` is within `pct` percent of `expected` (a meter against a source of known power). */
export function expectWithin(actual: number | undefined, expected: number, pct = 1): void {
  const what = `${actual} J vs ${expected} J (within ${pct}%)`;
  expect(actual, what).toBeDefined();
  expect(Math.abs(actual! / expected - 1) * 100, what).toBeLessThan(pct);
}

/**
 * The tolerance (percent) for a reading of a stand-in counter over `durationS`: `floorPct`, or more
 * when the stand-in's updates were delayed. Each window end may read a counter up to `gapS` stale,
 * so the reading can be off by up to gapS of energy, a property of the stand-in, not of the meter.
 * A zone missed or counted twice stays far outside it.
 */
export function staleCounterPct(gapS: number, durationS: number, floorPct = 1): number {
  const pct = Math.max(floorPct, (100 * gapS) / durationS + 0.1);
  // Past this the stand-in itself was too stale for the check to mean anything: fail, saying so.
  expect(pct, `the stand-in's counters went ${(gapS * 1000).toFixed(0)} ms without an update`).toBeLessThanOrEqual(
    MAX_STALE_PCT,
  );
  return pct;
}

/** The most a stand-in's update gaps may widen a tolerance: a zone missed or counted twice is far outside it. */
const MAX_STALE_PCT = 10;

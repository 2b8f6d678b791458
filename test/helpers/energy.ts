// Assertions and timing shared by the meter tests.
import { expect } from 'vitest';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asserts `actual` is within `pct` percent of `expected` (a meter against a source of known power). */
export function expectWithin(actual: number | undefined, expected: number, pct = 1): void {
  const what = `${actual} J vs ${expected} J (within ${pct}%)`;
  expect(actual, what).toBeDefined();
  expect(Math.abs(actual! / expected - 1) * 100, what).toBeLessThan(pct);
}

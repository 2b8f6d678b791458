// Pieces every meter shares: the probe result, the monotonic clock, the once-only stop guard,
// trapezoid integration of sampled power, and the warning that keeps a zero from passing silently.
import type { Component, EnergyReading, EnergyWindow, Meter } from '../types.js';

/** Where meters read their configuration (JOULEBENCH_*, CUDA_VISIBLE_DEVICES, PATH). */
export type Env = Record<string, string | undefined>;

/** A meter that can run here, or the reason it cannot; `devices` lists what it sees either way. */
export type MeterProbe =
  | { available: true; meter: Meter; devices: string[] }
  | { available: false; reason: string; devices: string[] };

/**
 * A window made ready but not yet open. Meters whose set-up is slow (NVML init, launching
 * nvidia-smi and awaiting its first sample) do it in `prepare()`, so that a composite meter can
 * prepare every part first and then open all their windows at the same instant.
 */
export interface PreparedWindow {
  /** Opens the window now: synchronous, so several meters open back to back. */
  open(): EnergyWindow;
  /** Releases what `prepare()` took hold of, when the window will not be opened. */
  cancel(): void;
}

export interface Preparable {
  prepare(): Promise<PreparedWindow>;
}

export function isPreparable(meter: Meter): meter is Meter & Preparable {
  return typeof (meter as Partial<Preparable>).prepare === 'function';
}

/** Monotonic seconds: window durations must not jump with the wall clock. */
export const monotonicS = (): number => performance.now() / 1000;

/** Returns a function that throws from its second call on: a window stops once. */
export function stopOnce(): () => void {
  let stopped = false;
  return () => {
    if (stopped) throw new Error('energy window already stopped');
    stopped = true;
  };
}

/** Sum of the components, joules. */
export function totalJoules(components: Partial<Record<Component, number>>): number {
  return Object.values(components).reduce((a, b) => a + (b ?? 0), 0);
}

/** A warning for every covered component that read exactly 0 J: a zero is never silent. */
export function zeroWarnings(reading: Pick<EnergyReading, 'components' | 'durationS'>, why: string): string[] {
  return Object.entries(reading.components)
    .filter(([, j]) => j === 0)
    .map(([c]) => `${c} read 0 J over ${reading.durationS.toFixed(3)} s: ${why}`);
}

/** Integrates power samples (trapezoid rule); samples must arrive in time order. */
export class PowerIntegral {
  joules = 0;
  samples = 0;
  #last: { t: number; w: number } | undefined;

  add(t: number, watts: number): void {
    if (this.#last) this.joules += ((t - this.#last.t) * (watts + this.#last.w)) / 2;
    this.#last = { t, w: watts };
    this.samples++;
  }

  /** Holds the last sample's power flat up to `t` (the window's end between two samples). */
  holdUntil(t: number): void {
    if (!this.#last || t <= this.#last.t) return;
    this.joules += (t - this.#last.t) * this.#last.w;
    this.#last = { t, w: this.#last.w };
  }

}

// What a meter is and what every meter shares. A meter module describes its windows with
// defineMeter(), which supplies start(), the once-only stop and the reading envelope (meter
// name, kind, total joules, the warning that keeps a zero from passing silently); and it
// exports one MeterEntry, its line in the registry (index.ts).
import type { Component, ComponentJoules, EnergyKind, EnergyReading } from '../schema/energy.js';

/** Where meters read their configuration (JOULEBENCH_*, CUDA_VISIBLE_DEVICES, PATH). */
export type Env = Record<string, string | undefined>;

/** An open energy window. `stop()` may be called once. */
export interface EnergyWindow {
  stop(): Promise<EnergyReading>;
}

/**
 * A window made ready but not yet open. Meters whose set-up is slow (NVML, launching
 * nvidia-smi and awaiting its first sample) do it in `prepare()`, so that a composite meter can
 * prepare every part first and then open all their windows at the same instant.
 */
interface PreparedWindow {
  /** Opens the window now: synchronous, so several meters open back to back. */
  open(): EnergyWindow;
  /** Releases what `prepare()` took hold of, when the window will not be opened. */
  cancel(): void;
}

/**
 * An energy meter. `start()` opens a window; meters keep no global state between windows,
 * so several windows can be open at once (e.g. an idle baseline and a run).
 */
export interface Meter {
  readonly name: string;
  readonly kind: EnergyKind;
  readonly components: readonly Component[];
  /** One line for consoles and tables, e.g. "estimate (CPU time x TDP/thread, estimated)". */
  describe(): string;
  prepare(): Promise<PreparedWindow>;
  start(): Promise<EnergyWindow>;
}

/** What a window measured, before the envelope: the meter's own figures and facts. */
export interface WindowFigures {
  durationS: number;
  components: ComponentJoules;
  details: Record<string, unknown>;
  warnings: string[];
}

/** What a meter module supplies to defineMeter(). */
export interface MeterDefinition {
  name: string;
  kind: EnergyKind;
  components: readonly Component[];
  describe(): string;
  /** Slow set-up, then a window ready to open; `open()` starts counting, the returned `stop()` ends it. */
  prepare(): Promise<{ open(): { stop(): Promise<WindowFigures> }; cancel(): void }>;
  /** Why a covered component could read exactly 0 J, for the warning; null when the parts already said (composite). */
  zeroReason: string | null;
}

/** Windows that need no set-up: `open` runs when the window opens. */
export function ready(open: () => { stop(): Promise<WindowFigures> }): ReturnType<MeterDefinition['prepare']> {
  return Promise.resolve({ open, cancel: () => {} });
}

/** A Meter from its definition: start = prepare + open; each window opens once and stops once. */
export function defineMeter(def: MeterDefinition): Meter {
  const envelope = (figures: WindowFigures): EnergyReading => ({
    meter: def.name,
    kind: def.kind,
    durationS: figures.durationS,
    components: figures.components,
    joules: totalJoules(figures.components),
    details: figures.details,
    warnings:
      def.zeroReason === null ? figures.warnings : [...figures.warnings, ...zeroWarnings(figures, def.zeroReason)],
  });
  const meter: Meter = {
    name: def.name,
    kind: def.kind,
    components: def.components,
    describe: () => def.describe(),
    async prepare(): Promise<PreparedWindow> {
      const prepared = await def.prepare();
      let settled = false;
      return {
        open(): EnergyWindow {
          if (settled) throw new Error(`${def.name}: prepared window already opened or cancelled`);
          settled = true;
          const window = prepared.open();
          let stopped = false;
          return {
            async stop() {
              if (stopped) throw new Error('energy window already stopped');
              stopped = true;
              return envelope(await window.stop());
            },
          };
        },
        cancel() {
          if (!settled) prepared.cancel();
          settled = true;
        },
      };
    },
    async start() {
      return (await meter.prepare()).open();
    },
  };
  return meter;
}

/** A meter that can run here, or the reason it cannot; `devices` lists what it sees either way. */
export type MeterProbe =
  | { available: true; meter: Meter; devices: string[] }
  | { available: false; reason: string; devices: string[] };

/** What the registry hands every probe. */
export interface MeterContext {
  env: Env;
  /** --cpu-watts (estimate meter); null = the TDP table. */
  cpuWatts: number | null;
  /** Per-meter settings by meter name (stand-in readers and sampling periods in tests). */
  tuning: Readonly<Record<string, object>>;
}

/** What a meter module exports: a probe that finds out whether the meter can read here. */
export interface MeterModule {
  probe(ctx: MeterContext): Promise<MeterProbe>;
}

/** A meter's line in the registry; its module loads only when the meter is probed. */
export interface MeterEntry {
  name: string;
  measured: boolean;
  /** What the meter can cover at most: auto skips a meter whose components are already measured. */
  components: readonly Component[];
  load(): Promise<MeterModule>;
}

/** Monotonic seconds: window durations must not jump with the wall clock. */
export const monotonicS = (): number => performance.now() / 1000;

/** Sum of the components, joules. */
function totalJoules(components: ComponentJoules): number {
  let sum = 0;
  for (const j of Object.values(components)) sum += j ?? 0;
  return sum;
}

/** A warning for every covered component that read exactly 0 J: a zero is never silent. */
function zeroWarnings(reading: Pick<EnergyReading, 'components' | 'durationS'>, why: string): string[] {
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

// What a meter is and what every meter shares. A meter module describes its windows with
// defineMeter(), which supplies start(), the once-only stop and the reading envelope (meter
// name, kind, total joules, the warning that keeps a zero from passing silently); and it
// exports one MeterEntry, its line in the registry (index.ts).
import type { Component, ComponentJoules, CrossCheck, EnergyKind, EnergyReading, Timeline } from '../schema/energy.js';

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
 * An energy meter. `start()` opens a window; several windows can be open at once (e.g. an idle
 * baseline and a run). Meters that sample keep a sampler running between windows (one
 * nvidia-smi for a whole run, say): `close()` ends it; the process's exit does too.
 */
export interface Meter {
  readonly name: string;
  readonly kind: EnergyKind;
  readonly components: readonly Component[];
  /** Seconds between the counter's updates or the sampler's readings; null when the meter states none. */
  readonly resolutionS: number | null;
  /** One line for consoles and tables, e.g. "estimate (CPU time x TDP/thread, estimated)". */
  describe(): string;
  prepare(): Promise<PreparedWindow>;
  start(): Promise<EnergyWindow>;
  /** Stops what the meter keeps running between windows; open windows must be stopped first. */
  close(): Promise<void>;
}

/** What a window measured, before the envelope: the meter's own figures and facts. */
export interface WindowFigures {
  durationS: number;
  components: ComponentJoules;
  details: Record<string, unknown>;
  warnings: string[];
  timeline?: Timeline;
  crossChecks?: CrossCheck[];
}

/** What a meter module supplies to defineMeter(). */
export interface MeterDefinition {
  name: string;
  kind: EnergyKind;
  components: readonly Component[];
  describe(): string;
  /** Slow set-up, then a window ready to open; `open()` starts counting, the returned `stop()` ends it. */
  prepare(): Promise<{ open(): { stop(): Promise<WindowFigures> }; cancel(): void }>;
  /**
   * Why a covered component could read exactly 0 J, for the warning; null when the parts already
   * said (composite): then no window-length warning is added either.
   */
  zeroReason: string | null;
  /** See Meter.resolutionS; default null. */
  resolutionS?: number | null;
  /** See Meter.close; default: nothing to close. */
  close?: () => Promise<void>;
}

/** Windows this many times the resolution long are off by at most 1% from resolution alone. */
export const STEADY_RESOLUTIONS = 200;

/** Two sources of the same energy that differ by more than this are flagged (CrossCheck.flagged). */
export const CROSS_CHECK_TOLERANCE = 0.1;

/** A counter file's value ("123456\n"), or null for anything else (a counter never reads empty or signed). */
export function counterValue(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

/** "+25%", "-3%". */
export const signedPercent = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;

/** Windows that need no set-up: `open` runs when the window opens. */
export function ready(open: () => { stop(): Promise<WindowFigures> }): ReturnType<MeterDefinition['prepare']> {
  return Promise.resolve({ open, cancel: () => {} });
}

/** A Meter from its definition: start = prepare + open; each window opens once and stops once. */
export function defineMeter(def: MeterDefinition): Meter {
  const resolutionS = def.resolutionS ?? null;
  const envelope = (figures: WindowFigures): EnergyReading => ({
    meter: def.name,
    kind: def.kind,
    durationS: figures.durationS,
    components: figures.components,
    joules: totalJoules(figures.components),
    details: figures.details,
    warnings:
      def.zeroReason === null
        ? figures.warnings
        : [
            ...figures.warnings,
            ...shortWindowWarning(figures.durationS, resolutionS),
            ...zeroWarnings(figures, def.zeroReason),
          ],
    ...(resolutionS !== null ? { resolutionS } : {}),
    ...(figures.timeline ? { timeline: figures.timeline } : {}),
    ...(figures.crossChecks ? { crossChecks: figures.crossChecks } : {}),
  });
  const meter: Meter = {
    name: def.name,
    kind: def.kind,
    components: def.components,
    resolutionS,
    close: def.close ?? (async () => {}),
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

/**
 * Monotonic seconds (CLOCK_MONOTONIC): window durations must not jump with the wall clock, and
 * the sampler thread reads the same clock (performance.now() has a time origin per thread).
 */
export const monotonicS = (): number => Number(process.hrtime.bigint()) / 1e9;

/** Sum of the components, joules. */
function totalJoules(components: ComponentJoules): number {
  let sum = 0;
  for (const j of Object.values(components)) sum += j ?? 0;
  return sum;
}

/** A window too short for the meter's resolution says so (the leaderboard marks such figures too). */
function shortWindowWarning(durationS: number, resolutionS: number | null): string[] {
  if (resolutionS === null || durationS >= STEADY_RESOLUTIONS * resolutionS) return [];
  return [
    `window of ${durationS.toFixed(3)} s is shorter than ${STEADY_RESOLUTIONS} × this meter's resolution ` +
      `(${+resolutionS.toPrecision(2)} s): resolution alone may put the figure off by more than 1% ` +
      '(see --min-window-seconds, or --idle-seconds for the idle baseline)',
  ];
}

/** A warning for every covered component that read exactly 0 J: a zero is never silent. */
function zeroWarnings(reading: Pick<EnergyReading, 'components' | 'durationS'>, why: string): string[] {
  return Object.entries(reading.components)
    .filter(([, j]) => j === 0)
    .map(([c]) => `${c} read 0 J over ${reading.durationS.toFixed(3)} s: ${why}`);
}

const exitHooks = new Set<() => void>();
let exitListening = false;

/** Runs `fn` when the process exits (one listener for all: meters may be many); returns its remover. */
export function atExit(fn: () => void): () => void {
  if (!exitListening) {
    exitListening = true;
    process.once('exit', () => {
      for (const hook of exitHooks) {
        try {
          hook();
        } catch {
          // the process is ending either way
        }
      }
    });
  }
  exitHooks.add(fn);
  return () => exitHooks.delete(fn);
}

// Power over a window as a step series, from what samplers read: counter values (RAPL's
// energy_uj, with wraps) or power readings (NVML, nvidia-smi). A step series is piecewise
// constant: step i holds `watts[i]` from the previous end (or `start`) to `ends[i]`, so its
// energy is exact arithmetic on the figures, and merging steps (downsampling) keeps it.
import type { Timeline } from '../schema/energy.js';

/** Piecewise-constant power from `start` (monotonic seconds). */
export interface Steps {
  start: number;
  ends: number[];
  watts: number[];
}

/** Most points a timeline keeps per component and window. */
const TIMELINE_POINTS = 256;

/** One counter's readings: time (s) and value (µJ), in time order. */
interface CounterPoint {
  t: number;
  uj: number;
}

interface CounterFigures {
  joules: number;
  wraps: number;
  steps: Steps;
  /** The longest time between two readings, seconds. */
  maxGapS: number;
}

/**
 * Energy from a wrapping counter: the sum of the deltas between consecutive readings, one
 * counter range (0..rangeUj, so rangeUj + 1) added where the value went down. Readings must be
 * closer together than the counter takes to wrap, or a wrap goes unseen (callers check maxGapS).
 */
export function counterFigures(points: readonly CounterPoint[], rangeUj: number): CounterFigures {
  const first = points[0]!;
  const steps: Steps = { start: first.t, ends: [], watts: [] };
  let uj = 0;
  let wraps = 0;
  let maxGapS = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    let delta = b.uj - a.uj;
    if (delta < 0) {
      delta += rangeUj + 1;
      wraps++;
    }
    uj += delta;
    const dt = b.t - a.t;
    maxGapS = Math.max(maxGapS, dt);
    if (dt > 0) {
      steps.ends.push(b.t);
      steps.watts.push(delta / 1e6 / dt);
    }
  }
  return { joules: uj / 1e6, wraps, steps, maxGapS };
}

/** A power reading: time (s) and watts. */
export interface PowerPoint {
  t: number;
  w: number;
}

/**
 * Power readings over [t0, t1] as steps, by the trapezoid rule: between two readings the power
 * is taken to change linearly; before the first and after the last reading inside the window it
 * is the nearest reading (or the line to one just outside the window), held flat.
 */
export function sampledSteps(points: readonly PowerPoint[], t0: number, t1: number): Steps {
  const inside = points.filter((p) => p.t > t0 && p.t < t1);
  const at = (t: number): number => {
    const after = points.findIndex((p) => p.t > t);
    const a = after === -1 ? points.at(-1) : after === 0 ? undefined : points[after - 1];
    const b = after === -1 ? undefined : points[after];
    if (a && b) return a.w + ((b.w - a.w) * (t - a.t)) / (b.t - a.t);
    return (a ?? b)!.w;
  };
  const knots: PowerPoint[] = [{ t: t0, w: at(t0) }, ...inside, { t: t1, w: at(t1) }];
  const steps: Steps = { start: t0, ends: [], watts: [] };
  for (let i = 1; i < knots.length; i++) {
    const a = knots[i - 1]!;
    const b = knots[i]!;
    if (b.t <= a.t) continue;
    steps.ends.push(b.t);
    steps.watts.push((a.w + b.w) / 2);
  }
  return steps;
}

/** Readings further apart than this many sampling periods leave a gap that is reported, not only bridged. */
export const GAP_PERIODS = 5;
/** Gaps covering more than this share of a window flag it: that much of its figure is interpolated. */
const GAP_FLAG_SHARE = 0.1;

/** Where a window's power readings are more than GAP_PERIODS sampling periods apart. */
export interface SampleGaps {
  count: number;
  /** The longest such gap, seconds (all of it, also what lies outside the window). */
  longestS: number;
  /** Seconds of the window inside such gaps. */
  totalS: number;
}

/**
 * The gaps of power readings over [t0, t1]: between consecutive readings, and from a window end
 * to its nearest reading where none lies beyond that end (that stretch is held flat, unread).
 */
export function sampleGaps(points: readonly PowerPoint[], t0: number, t1: number, periodS: number): SampleGaps {
  const times = points.map((p) => p.t).sort((a, b) => a - b);
  if (times.length === 0 || times[0]! > t0) times.unshift(t0);
  if (times.at(-1)! < t1) times.push(t1);
  const gaps: SampleGaps = { count: 0, longestS: 0, totalS: 0 };
  for (let i = 1; i < times.length; i++) {
    const [a, b] = [times[i - 1]!, times[i]!];
    const inside = Math.min(b, t1) - Math.max(a, t0);
    if (inside <= 0 || b - a <= GAP_PERIODS * periodS) continue;
    gaps.count++;
    gaps.longestS = Math.max(gaps.longestS, b - a);
    gaps.totalS += inside;
  }
  return gaps;
}

/** True when gaps cover more than GAP_FLAG_SHARE of the window. */
export const gapsFlagged = (gaps: SampleGaps, durationS: number): boolean => gaps.totalS > GAP_FLAG_SHARE * durationS;

/**
 * The warning for `who`'s gaps, if any. `inFigure`: the figure integrates this power (flagged
 * past GAP_FLAG_SHARE); else only the timeline and a cross-check do (an NVML energy counter's).
 */
export function gapWarning(
  who: string,
  gaps: SampleGaps,
  durationS: number,
  periodS: number,
  inFigure: boolean,
): string | undefined {
  if (gaps.count === 0) return undefined;
  const them = gaps.count === 1 ? 'it' : 'them';
  const bridged = inFigure
    ? `its figure bridges ${them} with a straight line` +
      (gapsFlagged(gaps, durationS) ? ' — flagged: over 10% of the window is interpolated, not sampled' : '')
    : `only its power timeline and cross-check bridge ${them} (the figure is its energy counter's)`;
  return (
    `${who}: no power reading for ${gaps.longestS.toFixed(2)} s${gaps.count === 1 ? '' : ' at the longest'} ` +
    `(${gaps.count} gap${gaps.count === 1 ? '' : 's'} longer than ${GAP_PERIODS} × the ` +
    `${+(periodS * 1000).toPrecision(3)} ms sampling period, ${((gaps.totalS / durationS) * 100).toFixed(0)}% of ` +
    `the window); ${bridged}`
  );
}

export function energyOf(steps: Steps): number {
  let joules = 0;
  let from = steps.start;
  for (const [i, end] of steps.ends.entries()) {
    joules += steps.watts[i]! * (end - from);
    from = end;
  }
  return joules;
}

/** The sum of several step series over the same window, on the union of their step ends. */
export function sumSteps(list: readonly Steps[]): Steps {
  if (list.length === 1) return list[0]!;
  const start = Math.min(...list.map((s) => s.start));
  const ends = [...new Set(list.flatMap((s) => s.ends))].sort((a, b) => a - b);
  const watts = ends.map(() => 0);
  for (const s of list) {
    let j = 0;
    let from = start;
    for (const [i, end] of ends.entries()) {
      // The step of `s` that covers (from, end]; outside its span it contributes nothing.
      while (j < s.ends.length && s.ends[j]! < end) j++;
      const inside = j < s.ends.length && from >= s.start;
      if (inside) watts[i]! += s.watts[j]!;
      from = end;
    }
  }
  return { start, ends, watts };
}

/** At most `max` steps: consecutive steps merged evenly, each merged step keeping its energy. */
function downsample(steps: Steps, max = TIMELINE_POINTS): Steps {
  const n = steps.ends.length;
  if (n <= max) return steps;
  const out: Steps = { start: steps.start, ends: [], watts: [] };
  let from = steps.start;
  for (let k = 0; k < max; k++) {
    const lo = Math.floor((k * n) / max);
    const hi = Math.floor(((k + 1) * n) / max);
    let joules = 0;
    let t = from;
    for (let i = lo; i < hi; i++) {
      joules += steps.watts[i]! * (steps.ends[i]! - t);
      t = steps.ends[i]!;
    }
    out.ends.push(t);
    out.watts.push(t > from ? joules / (t - from) : 0);
    from = t;
  }
  return out;
}

const round = (x: number, digits: number) => Number(x.toPrecision(digits));

/** The record's form of a timeline: per component, step ends in seconds since `t0` and watts, rounded. */
export function timelineOf(byComponent: Partial<Record<keyof Timeline, Steps>>, t0: number): Timeline {
  const timeline: Timeline = {};
  for (const [component, steps] of Object.entries(byComponent) as [keyof Timeline, Steps][]) {
    const d = downsample(steps);
    timeline[component] = {
      tS: d.ends.map((t) => Math.round((t - t0) * 1e4) / 1e4),
      watts: d.watts.map((w) => round(w, 4)),
    };
  }
  return timeline;
}

// What an energy window cost, as a meter saw it: the one shape every meter returns and every
// record keeps (records add the idle baseline, see result-record.ts).
import { z } from 'zod';

/** An energy component a meter can report, in joules. */
export const ComponentSchema = z.enum(['cpu', 'dram', 'gpu']);
export type Component = z.infer<typeof ComponentSchema>;

/** How a figure was obtained: read from a hardware counter, or computed from a model. */
export const EnergyKindSchema = z.enum(['measured', 'estimated']);
export type EnergyKind = z.infer<typeof EnergyKindSchema>;

/** Joules (or watts) per component; only the components a meter covers appear. */
export const ComponentJoulesSchema = z
  .object({ cpu: z.number().optional(), dram: z.number().optional(), gpu: z.number().optional() })
  .strict();
export type ComponentJoules = z.infer<typeof ComponentJoulesSchema>;

/**
 * Power over a window, per component: `watts[i]` is the mean power from `tS[i - 1]` (0 for the
 * first point) to `tS[i]`, seconds since the window opened; so the points' energy adds up to the
 * window's. At most 256 points per component (longer series are merged evenly), rounded to
 * 0.1 ms and 4 significant digits.
 */
const PowerSeriesSchema = z.object({ tS: z.array(z.number()), watts: z.array(z.number()) });
export const TimelineSchema = z
  .object({ cpu: PowerSeriesSchema.optional(), dram: PowerSeriesSchema.optional(), gpu: PowerSeriesSchema.optional() })
  .strict();
export type Timeline = z.infer<typeof TimelineSchema>;

/** Two sources for the same energy (an energy counter and sampled power; RAPL packages and psys), side by side. */
export const CrossCheckSchema = z.object({
  /** The components both sources cover. */
  components: z.array(ComponentSchema),
  /** What is compared, e.g. "GPU 0 (NVIDIA H100)". */
  what: z.string(),
  /** The source the reading counts. */
  primary: z.object({ source: z.string(), joules: z.number() }),
  /** The other source, kept for comparison only. */
  secondary: z.object({ source: z.string(), joules: z.number() }),
  /** secondary / primary - 1. */
  difference: z.number(),
  /** |difference| > 10%: the leaderboard marks such a window. */
  flagged: z.boolean(),
});
export type CrossCheck = z.infer<typeof CrossCheckSchema>;

export const EnergyReadingSchema = z.object({
  /** Meter name: "estimate", "rapl", "nvml", ...; a composite joins its parts with "+" (details.parts lists them). */
  meter: z.string(),
  /** "estimated" figures are computed from a model, never read from a sensor. */
  kind: EnergyKindSchema,
  /** Wall-clock duration of the window, seconds. */
  durationS: z.number(),
  components: ComponentJoulesSchema,
  /** Sum of `components`, joules (gross: nothing subtracted). */
  joules: z.number(),
  /** Meter-specific facts needed to audit the figure (method, constants, devices; parts of a composite). */
  details: z.record(z.string(), z.unknown()),
  /** Anything the reader of the figure should know (short window, unknown CPU, ...). */
  warnings: z.array(z.string()),
  /**
   * The meter's resolution, seconds: its counter's update period (RAPL ~1 ms, an NVML energy
   * counter as measured at start-up) or its sampling period (nvidia-smi, NVML power). A window
   * shorter than 200 × this may be off by more than 1% from resolution alone.
   */
  resolutionS: z.number().optional(),
  /** Power over the window, per component (meters that sample). */
  timeline: TimelineSchema.optional(),
  /** Where two sources measured the same energy: both figures and whether they differ by over 10%. */
  crossChecks: z.array(CrossCheckSchema).optional(),
});
export type EnergyReading = z.infer<typeof EnergyReadingSchema>;

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
});
export type EnergyReading = z.infer<typeof EnergyReadingSchema>;

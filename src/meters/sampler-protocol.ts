// What the main thread and the sampler thread (sampler-worker.ts) say to each other. Types
// only: both sides import it, and it imports nothing.

/**
 * One reading of a source's channels, begun at `t` and done by `te` (monotonic seconds, the
 * same clock in every thread); null = not read (or failed).
 */
export interface Row {
  t: number;
  te: number;
  v: (number | null)[];
}

/** RAPL: each file's energy_uj (µJ) is a channel. */
export interface RaplSourceSpec {
  kind: 'rapl';
  files: string[];
  intervalMs: number;
}

/** NVML: channel i is GPU `indices[i]`'s power (W). */
export interface NvmlSourceSpec {
  kind: 'nvml';
  library: string;
  indices: number[];
  intervalMs: number;
}

/** nvidia-smi: one long-lived `-lms` process; channel i is GPU `uuids[i]`'s power (W), timed by nvidia-smi. */
export interface SmiSourceSpec {
  kind: 'nvidia-smi';
  args: string[];
  env: Record<string, string | undefined>;
  uuids: string[];
  /** How long to wait for a first sample of every GPU. */
  startTimeoutMs: number;
}

export type SourceSpec = RaplSourceSpec | NvmlSourceSpec | SmiSourceSpec;

/** A window is [t0, t1] on the main thread's clock (which the sampler thread shares). */
export type Request =
  | { op: 'add'; req: number; source: number; spec: SourceSpec }
  | { op: 'open'; source: number; window: number; t0: number }
  | { op: 'take'; req: number; source: number; window: number; t1: number }
  | { op: 'remove'; req: number; source: number };

export type Reply = { req: number; ok: true; value: unknown } | { req: number; ok: false; error: string };

/** Sent unasked when a source stops producing readings (nvidia-smi exited). */
export interface DiedNotice {
  died: number;
}

/** What `add` answers. */
export interface SourceInfo {
  /** nvidia-smi's process id. */
  pid?: number;
}

/** Why a source stopped producing readings (and what it said, if anything), and when (monotonic seconds). */
export interface Death {
  reason: string;
  detail?: string;
  t: number;
}

/** What `take` answers: every reading of the window. */
export interface Taken {
  /** Readings begun after t0 and done before t1, in time order. */
  rows: Row[];
  /** For each channel, its last reading begun at or before t0 (to interpolate power at the window's start). */
  before: Row[];
  /** Readings that failed during the window (nvidia-smi: lines of its GPUs that are no power sample). */
  failedReads: number;
  /** The last of those, as read, where the source keeps it (an nvidia-smi line). */
  lastUnreadable?: string;
  /** Set when the source died (nvidia-smi exited). */
  died?: Death;
  /** Readings whose own time disagreed with when they arrived (nvidia-smi's clock), if any. */
  clockMismatches?: number;
}

// Shared types of the engine. Types that cross a boundary (models.json, result records)
// are defined by their zod schemas (registry.ts, records.ts) and re-exported from there.

/** An energy component a meter can report, in joules. */
export type Component = 'cpu' | 'dram' | 'gpu';

/** How a figure was obtained: read from a hardware counter, or computed from a model. */
export type EnergyKind = 'measured' | 'estimated';

/** What one energy window cost, as a meter saw it. */
export interface EnergyReading {
  /** Meter name, e.g. "estimate", "rapl", "nvml". */
  meter: string;
  kind: EnergyKind;
  /** Wall-clock duration of the window, seconds. */
  durationS: number;
  /** Joules per component; only the components this meter covers appear. */
  components: Partial<Record<Component, number>>;
  /** Sum of `components`, joules (gross: nothing subtracted). */
  joules: number;
  /** Meter-specific facts needed to audit the figure (method, constants, devices). */
  details: Record<string, unknown>;
  /** Anything the reader of the figure should know (short window, unknown CPU, ...). */
  warnings: string[];
}

/** An open energy window. `stop()` may be called once. */
export interface EnergyWindow {
  stop(): Promise<EnergyReading>;
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
  start(): Promise<EnergyWindow>;
}

/** A dataset row, as parsed from JSONL/CSV/parquet. */
export type DatasetRow = Record<string, unknown>;

/** Where a dataset split was read from, with the hash of the exact bytes. */
export interface LoadedDataset {
  id: string;
  split: string;
  config?: string | undefined;
  /** Absolute path of the file read. */
  path: string;
  /** "local-hub" | "cache" | "hf-hub" */
  source: 'local-hub' | 'cache' | 'hf-hub';
  sha256: string;
  rows: DatasetRow[];
  /** Label names from the mirror's meta.json, when present. */
  labelNames?: string[] | undefined;
}

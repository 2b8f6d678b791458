// A dataset as a task (or a suite) declares it: which split, where each logical field lives.
import { z } from 'zod';

export const DatasetSpecSchema = z.object({
  /** Hugging Face dataset id, e.g. "stanfordnlp/sst2". */
  id: z.string(),
  split: z.string(),
  /** HF dataset config for Hub downloads (the parquet export's folder). */
  config: z.string(),
  /**
   * Logical field -> column names to try, first present wins. Local mirrors and the Hub's
   * parquet export sometimes name a column differently (SST-2: the Hub's "sentence", the mirror's "text"):
   * the Hub's column comes first.
   */
  fields: z.record(z.string(), z.array(z.string())),
  /** Class names by label id, for classification datasets. */
  labelNames: z.array(z.string()).optional(),
  /** False for splits without gold labels (SST-2 test): energy only, no quality. Default true. */
  labelled: z.boolean().optional(),
  /** One line for tables and --help: what the data is and where the choice comes from. */
  description: z.string(),
});
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

/** A suite's dataset in place of a task's default: id and split, the rest as needed. */
export const DatasetOverrideSchema = DatasetSpecSchema.partial().required({ id: true, split: true }).strict();
type DatasetOverride = z.infer<typeof DatasetOverrideSchema>;

/** The task's dataset with a suite's override applied. */
export function overrideDataset(base: DatasetSpec, override: DatasetOverride): DatasetSpec {
  const given = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined)) as Partial<DatasetSpec>;
  return {
    ...base,
    ...given,
    config: override.config ?? 'default',
    description: override.description ?? `${override.id} (${override.split})`,
  };
}

// Suites: benchmarks/<name>.json lists tasks, each with its models and optionally another
// dataset than the task's default (e.g. the datasets a paper used).
import { z } from 'zod';
import { DatasetOverrideSchema } from './dataset-spec.js';
import { RunOptionsSchema } from './run-options.js';

export const SuiteSchema = z
  .object({
    $comment: z.string().optional(),
    name: z.string(),
    description: z.string(),
    /** Defaults for this suite; flags given on the command line win. */
    settings: RunOptionsSchema.strict().optional(),
    entries: z
      .array(
        z
          .object({
            task: z.string(),
            /** Model ids from models.json; default: every model of the task. */
            models: z.array(z.string()).optional(),
            dataset: DatasetOverrideSchema.optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type Suite = z.infer<typeof SuiteSchema>;

// Suites: benchmarks/<name>.json lists tasks, each with its models and optionally another
// dataset than the task's default (e.g. the datasets a paper used). Validated with zod.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from './errors.js';
import { PlanSettingsSchema } from './plan.js';

const DatasetOverrideSchema = z
  .object({
    id: z.string(),
    split: z.string(),
    config: z.string().optional(),
    fields: z.record(z.string(), z.array(z.string())).optional(),
    labelNames: z.array(z.string()).optional(),
    labelled: z.boolean().optional(),
    description: z.string().optional(),
  })
  .strict();

export const SuiteSchema = z
  .object({
    $comment: z.string().optional(),
    name: z.string(),
    description: z.string(),
    /** Defaults for this suite; flags given on the command line win. */
    settings: PlanSettingsSchema.partial().strict().optional(),
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

export const suitesDir = fileURLToPath(new URL('../benchmarks/', import.meta.url));

/** A suite by name (benchmarks/<name>.json) or by path. */
export function loadSuite(nameOrPath: string): Suite {
  const path = existsSync(nameOrPath) ? nameOrPath : join(suitesDir, `${nameOrPath}.json`);
  if (!existsSync(path)) {
    throw new UserError(`Unknown suite '${nameOrPath}': no file ${path} (suites live in benchmarks/*.json)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = SuiteSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`Invalid suite ${path}: field '${issue?.path.join('.')}': ${issue?.message}`);
  }
  return parsed.data;
}

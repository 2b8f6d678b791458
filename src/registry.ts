// The model registry: models.json, validated with zod. Errors name the entry and the field.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { taskNames } from '../tasks/index.js';
import { UserError, unknownName } from './errors.js';

/** transformers.js dtypes and the ONNX file-name suffix each one loads (onnx/model<suffix>.onnx). */
export const dtypeSuffix = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;

export const ModelEntrySchema = z
  .object({
    /** Registry id, unique; what `--model` takes. The Hub id, plus ":<variant>" for a second dtype. */
    id: z.string().min(1),
    task: z.enum(taskNames as [string, ...string[]]),
    /** Hugging Face model id ("org/name") in transformers.js layout (ONNX under onnx/). */
    hfId: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must look like "org/name"'),
    revision: z.string().min(1).default('main'),
    dtype: z.enum(Object.keys(dtypeSuffix) as [keyof typeof dtypeSuffix, ...(keyof typeof dtypeSuffix)[]]),
    parameters: z.number().int().positive(),
    licence: z.string().min(1),
    /** "fixture": random or toy weights for plumbing; its rows are marked and never ranked with real models. */
    kind: z.enum(['pretrained', 'fixture']),
    note: z.string().min(1),
    /** Classification: model label name -> dataset label name. Labels not listed count as wrong. */
    labels: z.record(z.string(), z.string()).optional(),
    /** Text put before every input (T5: "summarize: "). */
    inputPrefix: z.string().optional(),
  })
  .strict()
  .refine((m) => m.task !== 'classification' || m.labels !== undefined, {
    message: 'classification models need "labels": { "<model label>": "<dataset label>" }',
    path: ['labels'],
  });

export type ModelEntry = z.infer<typeof ModelEntrySchema>;

const RegistrySchema = z
  .object({ $comment: z.string().optional(), models: z.array(ModelEntrySchema).min(1) })
  .strict();

export const defaultModelsPath = fileURLToPath(new URL('../models.json', import.meta.url));

export class ModelRegistry {
  constructor(readonly models: readonly ModelEntry[]) {}

  forTask(task: string): ModelEntry[] {
    return this.models.filter((m) => m.task === task);
  }

  /** Resolves `--model` names (registry id or Hub id) for a task; unknown names fail with suggestions. */
  select(task: string, names: readonly string[]): ModelEntry[] {
    const candidates = this.forTask(task);
    if (names.length === 0) return candidates;
    return names.map((name) => {
      const exact = candidates.find((m) => m.id === name);
      if (exact) return exact;
      const byHub = candidates.filter((m) => m.hfId === name);
      if (byHub.length === 1) return byHub[0]!;
      const elsewhere = this.models.find((m) => m.id === name);
      if (elsewhere) {
        throw new UserError(`Model '${name}' is registered for task '${elsewhere.task}', not '${task}'.`);
      }
      throw unknownName('model', name, candidates.map((m) => m.id));
    });
  }
}

export async function loadRegistry(path = defaultModelsPath): Promise<ModelRegistry> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the model registry ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = RegistrySchema.safeParse(json);
  if (!parsed.success) throw new UserError(formatRegistryError(path, json, parsed.error));
  const seen = new Set<string>();
  for (const m of parsed.data.models) {
    if (seen.has(m.id)) throw new UserError(`${path}: model id '${m.id}' appears twice`);
    seen.add(m.id);
  }
  return new ModelRegistry(parsed.data.models);
}

/** "models.json: entry 3 (id 'x'), field 'dtype': Invalid option ..." for the first few issues. */
function formatRegistryError(path: string, json: unknown, error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const [top, index, ...rest] = issue.path;
    if (top === 'models' && typeof index === 'number') {
      const entry = (json as { models: Array<{ id?: unknown }> }).models[index];
      const id = typeof entry?.id === 'string' ? ` (id '${entry.id}')` : '';
      const fieldName = rest.length > 0 ? `field '${rest.join('.')}'` : 'entry';
      return `entry ${index}${id}, ${fieldName}: ${issue.message}`;
    }
    return `${issue.path.length > 0 ? `field '${issue.path.join('.')}'` : 'top level'}: ${issue.message}`;
  });
  return `Invalid model registry ${path}: ${lines.join('; ')}`;
}

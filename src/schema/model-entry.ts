// models.json: one entry per registered model. The task names and which tasks need a label
// mapping come from the task registry at load time (model/registry.ts), so this schema knows
// no task module.
import { z } from 'zod';
import { ModelKindSchema } from './result-record.js';

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
export type Dtype = keyof typeof dtypeSuffix;

export const ModelEntrySchema = z
  .object({
    /** Registry id, unique; what `--model` takes. The Hub id, plus ":<variant>" for a second dtype. */
    id: z.string().min(1),
    /** A task name (the registry checks it against the tasks). */
    task: z.string(),
    /** Hugging Face model id ("org/name") in transformers.js layout (ONNX under onnx/). */
    hfId: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must look like "org/name"'),
    revision: z.string().min(1).default('main'),
    dtype: z.enum(Object.keys(dtypeSuffix) as [Dtype, ...Dtype[]]),
    parameters: z.number().int().positive(),
    licence: z.string().min(1),
    /** "fixture": random or toy weights for plumbing; its rows are marked and never ranked with real models. */
    kind: ModelKindSchema,
    note: z.string().min(1),
    /** Model label name -> dataset label name, for tasks that compare labels. Labels not listed count as wrong. */
    labels: z.record(z.string(), z.string()).optional(),
    /** Text put before every input (T5: "summarize: "). */
    inputPrefix: z.string().optional(),
  })
  .strict();
export type ModelEntry = z.output<typeof ModelEntrySchema>;

/** What the registry needs to know of a task to check its entries. */
export interface TaskFacts {
  name: string;
  /** Models of this task must map their labels to the dataset's (`labels`). */
  labelMapping?: boolean | undefined;
}

/** The file's schema for these tasks: `task` must name one, and label-mapping tasks need `labels`. */
export function modelsFileSchema(tasks: readonly TaskFacts[]) {
  const names = tasks.map((t) => t.name);
  const entry = ModelEntrySchema.extend({ task: z.enum(names as [string, ...string[]]) }).superRefine((m, ctx) => {
    if (m.labels === undefined && tasks.find((t) => t.name === m.task)?.labelMapping) {
      ctx.addIssue({
        code: 'custom',
        path: ['labels'],
        message: `${m.task} models need "labels": { "<model label>": "<dataset label>" }`,
      });
    }
  });
  return z.object({ $comment: z.string().optional(), models: z.array(entry).min(1) }).strict();
}

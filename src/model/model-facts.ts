// What a task's per-model step may know of a loaded transformers.js pipeline: its tokenizer
// (behind the task API's small TaskTokenizer interface) and the labels its model outputs.
import type { TaskTokenizer } from '../task-api.js';
import type { LoadedPipeline } from './pipeline.js';

interface PipelineParts {
  tokenizer?: {
    encode(text: string, options: { add_special_tokens: boolean }): number[];
    mask_token?: string | null;
    mask_token_id?: number | null;
    unk_token_id?: number | null;
    all_special_ids?: number[];
  };
  model?: { config?: { id2label?: Record<string, string> } };
}

/** The pipeline's tokenizer as the task API describes it; undefined for pipelines without one (images). */
export function taskTokenizer(pipe: LoadedPipeline): TaskTokenizer | undefined {
  const t = (pipe as unknown as PipelineParts).tokenizer;
  if (!t) return undefined;
  const specialIds = new Set(t.all_special_ids ?? []);
  if (typeof t.unk_token_id === 'number') specialIds.add(t.unk_token_id); // [UNK] never counts as a word
  return {
    encode: (text, special = true) => t.encode(text, { add_special_tokens: special }),
    maskToken: t.mask_token ?? undefined,
    maskTokenId: typeof t.mask_token_id === 'number' ? t.mask_token_id : undefined,
    specialIds,
  };
}

/** The labels the model outputs, in id order (config.json id2label), if it has any. */
export function outputLabels(pipe: LoadedPipeline): string[] | undefined {
  const id2label = (pipe as unknown as PipelineParts).model?.config?.id2label;
  if (!id2label || Object.keys(id2label).length === 0) return undefined;
  return Object.entries(id2label)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, label]) => label);
}

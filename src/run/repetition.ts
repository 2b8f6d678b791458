// One repetition's windows: the energy window of the task's calls, and for generative tasks a
// second window of the same inputs that stops after the first token (prefill only), so decode
// energy can be derived as full − prefill (records/energy-split.ts). Both follow the same window
// rule (whole passes until minWindowS); nothing happens between them but closing one and opening
// the next.
import type { Meter } from '../meters/base.js';
import type { PipelineCall } from '../model/pipeline.js';
import type { TokenStream } from '../model/token-stream.js';
import type { SampleInput, TaskDef } from '../task-api.js';
import { measureWindow, type WindowResult } from './window.js';

/** The task's generation settings cut to one new token (its minimum lowered to match). */
export function prefillOptions(callOptions: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = { ...callOptions, max_new_tokens: 1 };
  if (typeof options.min_new_tokens === 'number') options.min_new_tokens = Math.min(options.min_new_tokens, 1);
  return options;
}

export interface RepetitionWindows {
  full: WindowResult;
  /** Generative tasks: the prefill-only window, with the options its calls used. */
  prefill: (WindowResult & { callOptions: Record<string, unknown> }) | undefined;
}

export async function measureRepetition(
  call: PipelineCall,
  inputs: readonly (SampleInput | SampleInput[])[],
  task: Pick<TaskDef, 'callOptions' | 'generative'>,
  meter: Meter,
  stream: TokenStream | undefined,
  minWindowS: number,
): Promise<RepetitionWindows> {
  const full = await measureWindow(call, inputs, task.callOptions, meter, stream, minWindowS);
  if (!task.generative) return { full, prefill: undefined };
  const callOptions = prefillOptions(task.callOptions);
  const prefill = await measureWindow(call, inputs, callOptions, meter, stream, minWindowS);
  return { full, prefill: { ...prefill, callOptions } };
}

// One energy window: the pipeline calls of one repetition, timed by tinybench, whose setup and
// teardown hooks open and close the meter's window, so it spans exactly the timed iterations.
// Inside it there is only inference: no logging, no scoring, no file writes.
import { Bench } from 'tinybench';
import type { Meter, EnergyWindow } from '../meters/base.js';
import type { PipelineCall, TokenCounter } from '../model/pipeline.js';
import type { EnergyReading } from '../schema/energy.js';
import type { Sample, SampleInput } from '../task-api.js';

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The calls of a pass over the samples; at batch size 1 an input is passed as is: the call a user would write. */
export function callInputs(samples: readonly Sample[], batchSize: number): (SampleInput | SampleInput[])[] {
  return chunk(samples, batchSize).map((b) => (batchSize === 1 ? b[0]!.input : b.map((s) => s.input)));
}

/** Per-sample outputs from per-call outputs (a batched call returns one entry per input). */
export function perSample(outputs: readonly unknown[], batchSize: number): unknown[] {
  if (batchSize === 1) return [...outputs];
  return outputs.flatMap((o) => o as unknown[]);
}

/** What one window produced, before scoring. */
export interface WindowResult {
  reading: EnergyReading;
  latenciesMs: number[];
  outputs: unknown[];
  outputTokens: number | undefined;
  startedAt: Date;
}

/** Runs one pipeline call per input inside one energy window. */
export async function measureWindow(
  pipe: PipelineCall,
  inputs: readonly (SampleInput | SampleInput[])[],
  callOptions: Record<string, unknown>,
  meter: Meter,
  counter: TokenCounter | undefined,
): Promise<WindowResult> {
  const outputs = new Array<unknown>(inputs.length);
  const options = counter ? { ...callOptions, streamer: counter } : callOptions;
  let window: EnergyWindow | undefined;
  let reading: EnergyReading | undefined;
  let next = 0;
  const bench = new Bench({
    iterations: inputs.length,
    time: 0,
    warmup: false,
    retainSamples: true,
    throws: true,
    setup: async (_task, mode) => {
      if (mode === 'run') window = await meter.start();
    },
    teardown: async (_task, mode) => {
      if (mode === 'run' && window) reading = await window.stop();
    },
  });
  bench.add('inference', async () => {
    const i = next++;
    outputs[i] = await pipe(inputs[i]!, options);
  });
  if (counter) counter.total = 0;
  const startedAt = new Date();
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') {
    throw result.state === 'errored' ? result.error : new Error(`measurement ended in state ${result.state}`);
  }
  if (!reading) throw new Error('the energy window did not close');
  if (next !== inputs.length) throw new Error(`tinybench ran ${next} calls, expected ${inputs.length}`);
  return {
    reading,
    latenciesMs: [...(result.latency.samples ?? [])],
    outputs,
    outputTokens: counter?.total,
    startedAt,
  };
}

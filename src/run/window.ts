// One energy window: the pipeline calls of one repetition, timed by tinybench, whose setup and
// teardown hooks open and close the meter's window, so it spans exactly the timed iterations.
// A window repeats whole passes over the inputs until it lasts at least `minWindowS` (a counter
// that updates every 100 ms cannot resolve a 40 ms pass): each pass is one tinybench run, the
// first opens the window and the one that reaches the minimum closes it. Inside it there is only
// inference: no logging, no scoring, no file writes; only the first pass's outputs are kept.
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { monotonicS, type EnergyWindow, type Meter } from '../meters/base.js';
import type { PipelineCall } from '../model/pipeline.js';
import type { RequestTiming, TokenStream } from '../model/token-stream.js';
import type { EnergyReading } from '../schema/energy.js';
import type { Sample, SampleInput } from '../task-api.js';
import { cpuShare, cpuSnapshot, type CpuSnapshot } from '../util/cpu-share.js';

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
  /** The first pass's outputs, one per input. */
  outputs: unknown[];
  /** Whole passes over the inputs the window ran. */
  passes: number;
  /** Generated tokens over every pass. */
  outputTokens: number | undefined;
  /** Generative tasks: when each request of every pass began and produced its tokens. */
  requests: readonly RequestTiming[] | undefined;
  startedAt: Date;
  /** The 1-minute load average when the window opened and when it closed (another process competing?). */
  loadAverage: { open: number; close: number };
  /** Shares of the machine's CPU time while the window was open: this process's and every other's (null: too short to tell). */
  cpuShare: { own: number; others: number } | null;
}

/** Runs one pipeline call per input, pass after pass until the window lasts `minWindowS`, inside one energy window. */
export async function measureWindow(
  pipe: PipelineCall,
  inputs: readonly (SampleInput | SampleInput[])[],
  callOptions: Record<string, unknown>,
  meter: Meter,
  stream: TokenStream | undefined,
  minWindowS: number,
): Promise<WindowResult> {
  const outputs = new Array<unknown>(inputs.length);
  const options = stream ? { ...callOptions, streamer: stream } : callOptions;
  let window: EnergyWindow | undefined;
  let openedAt = 0;
  let loadOpen = 0;
  let loadClose = 0;
  let cpuOpen: CpuSnapshot | undefined;
  let cpuClose: CpuSnapshot | undefined;
  let reading: EnergyReading | undefined;
  let next = 0;
  let passes = 0;
  const bench = new Bench({
    iterations: inputs.length,
    time: 0,
    warmup: false,
    retainSamples: true,
    throws: true,
    setup: async (_task, mode) => {
      if (mode !== 'run' || window) return;
      loadOpen = loadavg()[0]!;
      cpuOpen = cpuSnapshot(); // both read just outside the window: they cost it nothing
      window = await meter.start();
      openedAt = monotonicS();
    },
    teardown: async (_task, mode) => {
      if (mode !== 'run' || !window) return;
      passes++;
      if (monotonicS() - openedAt >= minWindowS) {
        reading = await window.stop();
        cpuClose = cpuSnapshot();
        loadClose = loadavg()[0]!;
      }
    },
  });
  bench.add('inference', async () => {
    const i = next++;
    stream?.begin(); // one timestamp: TTFT counts from the call's start
    const out = await pipe(inputs[i % inputs.length]!, options);
    if (i < inputs.length) outputs[i] = out;
  });
  stream?.reset();
  const startedAt = new Date();
  const latenciesMs: number[] = [];
  try {
    while (!reading) {
      bench.reset();
      await bench.run();
      const result = bench.tasks[0]!.result;
      if (result.state !== 'completed') {
        throw result.state === 'errored' ? result.error : new Error(`measurement ended in state ${result.state}`);
      }
      latenciesMs.push(...(result.latency.samples ?? []));
    }
  } catch (err) {
    // A pass failed with the window open: close it (its figure is dropped) so its sampler stops.
    if (window && !reading) await window.stop().catch(() => {});
    throw err;
  }
  if (next !== inputs.length * passes)
    throw new Error(`tinybench ran ${next} calls, expected ${inputs.length} x ${passes}`);
  const requests = stream ? [...stream.requests] : undefined;
  return {
    reading,
    latenciesMs,
    outputs,
    passes,
    outputTokens: stream?.total,
    requests,
    startedAt,
    loadAverage: { open: loadOpen, close: loadClose },
    cpuShare: cpuShare(cpuOpen!, cpuClose!),
  };
}

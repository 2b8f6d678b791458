// `joulebench bench`: the flags as a BenchRequest for runBenchmark().
import type { Command } from 'commander';
import { runBenchmark, type BenchRequest } from '../../run/benchmark.js';
import type { RunOptions } from '../../schema/run-options.js';

/** Settings that a flag sets, by commander's option name (camel case). */
const SETTINGS = [
  'samples',
  'sampleSeed',
  'batchSize',
  'warmup',
  'repetitions',
  'meter',
  'cpuWatts',
  'threads',
  'device',
  'idleSeconds',
  'minWindowSeconds',
  'targetCi',
  'maxRepetitions',
] as const;

/** The run flags as a request; `axes` are a sweep's settings that are lists, not settings. */
export function benchRequest(
  opts: Record<string, unknown>,
  command: Command,
  axes: readonly string[] = [],
): BenchRequest {
  // Settings typed on the command line (not defaults): a suite may not override them and a
  // resumed run must agree with them.
  const options: Record<string, unknown> = {};
  for (const key of SETTINGS)
    if (!axes.includes(key) && command.getOptionValueSource(key) === 'cli') options[key] = opts[key];
  return {
    task: opts.task as string | undefined,
    suite: opts.suite as string | undefined,
    models: opts.model as string[],
    options: options as RunOptions,
    hub: opts.hub as string | undefined,
    cache: opts.cache as string | undefined,
    offline: opts.offline as boolean,
    strict: opts.strict as boolean,
    out: opts.out as string,
    modelsFile: opts.modelsFile as string | undefined,
    resume: opts.resume as string | undefined,
    shard: opts.shard as string | undefined,
    runId: opts.runId as string | undefined,
  };
}

export async function bench(opts: Record<string, unknown>, command: Command): Promise<number> {
  return (await runBenchmark(benchRequest(opts, command))).exitCode;
}

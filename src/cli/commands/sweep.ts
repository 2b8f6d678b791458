// `joulebench sweep`: a bench run over the cross product of its axes, then its report
// (<out>/sweeps/<run-id>.{md,csv,json}, the Markdown printed).
import type { Command } from 'commander';
import { writeSweepFiles } from '../../report/sweep/sweep-files.js';
import { runBenchmark } from '../../run/benchmark.js';
import type { SweepAxes } from '../../schema/sweep-axes.js';
import { benchRequest } from './bench.js';

const AXES = ['batchSize', 'threads', 'dtype', 'device'] as const;

export async function sweep(opts: Record<string, unknown>, command: Command): Promise<number> {
  const axes: SweepAxes = {};
  for (const axis of AXES)
    if (opts[axis] !== undefined && command.getOptionValueSource(axis) === 'cli') {
      Object.assign(axes, { [axis]: opts[axis] });
    }
  const budget = opts.latencyBudgetMs as number | undefined;
  const asked = Object.keys(axes).length > 0 || budget !== undefined;
  const request = {
    ...benchRequest(opts, command, AXES),
    command: 'sweep' as const,
    // A resumed sweep takes its axes and budget from its plan (given again, they are refused).
    ...(asked || opts.resume === undefined ? { sweep: { axes, latencyBudgetMs: budget ?? null } } : {}),
  };
  const result = await runBenchmark(request);
  await writeSweepFiles(result.recordsPath, result.runId, opts.out as string);
  return result.exitCode;
}

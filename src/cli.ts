#!/usr/bin/env node
// The command line (commander): parses and validates flags, then hands resolved options to
// the bench or leaderboard module. User mistakes print one line and exit non-zero; only a
// bug prints a stack trace.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { collect, integer, nonNegativeNumber, positiveNumber } from './cli-args.js';
import { taskNames } from '../tasks/index.js';
import { defaultSettings, runBench } from './bench.js';
import { deviceNames } from './device.js';
import { UserError } from './errors.js';
import { registerMetersCommand } from './cli-meters.js';
import { registerReportCommands } from './cli-report.js';
import { meterNames } from './meters/index.js';
import type { PlanSettings } from './plan.js';
import { loadRegistry } from './registry.js';
import { runVerify } from './verify.js';

export function buildProgram(): Command {
  const program = new Command('joulebench')
    .description('Energy per 1,000 inferences of ML models, and the quality it buys.')
    .configureHelp({ sortOptions: false });

  const bench = program
    .command('bench')
    .description(
      "Run every model registered for a task (or the --model ones, or a suite's) over the task's standard " +
        'dataset, one energy window per repetition, and append result records under <out>/runs/.',
    )
    .option('--task <name>', `task to run: ${taskNames.join(', ')}`)
    .option('--suite <name>', 'run a suite instead: benchmarks/<name>.json (tasks, datasets, models, settings)')
    .option('--model <id>', 'model id from models.json (repeatable); default: all models of the task', collect, [])
    .option('--samples <n>', 'inferences per repetition: the first n usable dataset rows', integer(1), defaultSettings.samples)
    .option('--sample-seed <n>', 'draw the n rows at random with this seed instead of taking the first n', integer(0))
    .option('--batch-size <n>', 'inputs per pipeline call', integer(1), defaultSettings.batchSize)
    .option('--warmup <n>', 'unmeasured pipeline calls before the first window', integer(0), defaultSettings.warmup)
    .option('--repetitions <n>', 'energy windows per model (mean ± sd in the leaderboard)', integer(1), defaultSettings.repetitions)
    .option('--meter <name>', `energy meter: auto, or one or more (comma-separated) of ${meterNames.join(', ')}`, defaultSettings.meter)
    .option('--cpu-watts <W>', 'estimate meter: watts per busy CPU thread (default: CPU TDP / threads)', positiveNumber)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: onnxruntime decides)', integer(1))
    .option('--device <name>', `execution provider: ${deviceNames.join(', ')} (webgpu needs a Vulkan driver; cuda the CUDA provider, see README)`, defaultSettings.device)
    .option('--idle-seconds <s>', 'idle baseline before the first model (default: 10 with a measured meter, 0 with the estimate)', nonNegativeNumber)
    .option('--hub <dir>', 'local mirror in Hub layout (models/, datasets/); env JOULEBENCH_HUB')
    .option('--cache <dir>', 'download cache; env JOULEBENCH_CACHE (default ~/.cache/joulebench)')
    .option('--offline', 'never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)', false)
    .option('--strict', 'fail, before running anything, if any selected model is unavailable', false)
    .option('--out <dir>', 'results folder (records go to <dir>/runs/<run-id>.jsonl)', 'results')
    .option('--resume <run-id>', "finish an interrupted run ('latest' for the newest): runs only what has no record")
    .option('--shard <i/n>', 'run the i-th of n deterministic slices of the plan (split a suite across machines)')
    .option('--run-id <id>', 'name the run (default: UTC time + random suffix); shards append -shard<i>of<n>')
    .option('--models-file <path>', 'model registry (default: models.json beside src/)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npm run bench -- --task summarization\n' +
        '  JOULEBENCH_HUB=../shared/hub npm run bench -- --task classification --samples 100\n' +
        '  npm run bench -- --task generation --model karpathy/stories260K --repetitions 5\n' +
        '  npm run bench -- --suite power-hungry-processing --shard 2/4 --run-id php-nov\n' +
        '  npm run bench -- --resume latest\n' +
        '\nWithout a power sensor the figures are ESTIMATED from CPU time (see README "Meters").',
    )
    .action(async (opts) => {
      // Settings typed on the command line (not defaults): a suite may not override them and
      // a resumed run must agree with them.
      const typed = (name: string) => bench.getOptionValueSource(name) === 'cli';
      const explicit: Partial<PlanSettings> = {};
      for (const key of ['samples', 'sampleSeed', 'batchSize', 'warmup', 'repetitions', 'meter', 'cpuWatts', 'threads', 'device', 'idleSeconds'] as const) {
        if (typed(key)) (explicit as Record<string, unknown>)[key] = opts[key];
      }
      const result = await runBench({
        task: opts.task,
        suite: opts.suite,
        models: opts.model,
        explicit,
        hub: opts.hub,
        cache: opts.cache,
        offline: opts.offline,
        strict: opts.strict,
        out: opts.out,
        modelsFile: opts.modelsFile,
        resume: opts.resume,
        shard: opts.shard,
        runId: opts.runId,
      });
      process.exitCode = result.exitCode;
    });

  registerReportCommands(program);
  registerMetersCommand(program);

  program
    .command('verify')
    .description("Re-hash the datasets and model files that records used against the local hub; flag records whose inputs differ.")
    .argument('<records...>', 'record files or folders (searched for *.jsonl)')
    .option('--hub <dir>', 'local mirror in Hub layout; env JOULEBENCH_HUB')
    .option('--cache <dir>', 'download cache; env JOULEBENCH_CACHE')
    .option('--models-file <path>', 'model registry (default: models.json beside src/)')
    .action(async (paths: string[], opts) => {
      process.exitCode = await runVerify({ paths, hub: opts.hub, cache: opts.cache, modelsFile: opts.modelsFile });
    });

  program
    .command('list')
    .description('List the tasks and the registered models.')
    .option('--models-file <path>', 'model registry (default: models.json beside src/)')
    .action(async (opts) => {
      const registry = await loadRegistry(opts.modelsFile);
      for (const task of taskNames) {
        process.stdout.write(`${task}\n`);
        for (const m of registry.forTask(task)) {
          process.stdout.write(`  ${m.id}  [${m.kind}, ${m.dtype}]  ${m.note}\n`);
        }
      }
    });

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`joulebench: ${err.message}\n`);
      return err.exitCode;
    }
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed the message (or the help text).
      return (err as { exitCode: number }).exitCode;
    }
    throw err;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`joulebench: internal error (please report): ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

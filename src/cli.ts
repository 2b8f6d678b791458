#!/usr/bin/env node
// The command line (commander): parses and validates flags, then hands resolved options to
// the bench or leaderboard module. User mistakes print one line and exit non-zero; only a
// bug prints a stack trace.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { taskNames } from '../tasks/index.js';
import { runBench } from './bench.js';
import { UserError } from './errors.js';
import { registerReportCommands } from './cli-report.js';
import { meterNames } from './meters/index.js';
import { defaultModelsPath, loadRegistry } from './registry.js';

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got '${value}'`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command('joulebench')
    .description('Energy per 1,000 inferences of ML models, and the quality it buys.')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortOptions: false });

  program
    .command('bench')
    .description(
      "Run every model registered for a task (or the --model ones) over the task's standard dataset,\n" +
        'one energy window per repetition, and append result records under <out>/runs/.',
    )
    .requiredOption('--task <name>', `task to run: ${taskNames.join(', ')}`)
    .option('--model <id>', 'model id from models.json (repeatable); default: all models of the task', collect, [])
    .option('--samples <n>', 'inferences per repetition: the first n usable dataset rows', integer(1), 1000)
    .option('--batch-size <n>', 'inputs per pipeline call', integer(1), 1)
    .option('--warmup <n>', 'unmeasured pipeline calls before the first window', integer(0), 10)
    .option('--repetitions <n>', 'energy windows per model (mean ± sd in the leaderboard)', integer(1), 3)
    .option('--meter <name>', `energy meter: auto or ${meterNames.join(', ')}`, 'auto')
    .option('--cpu-watts <W>', 'estimate meter: watts per busy CPU thread (default: CPU TDP / threads)', positiveNumber)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: onnxruntime decides)', integer(1))
    .option('--hub <dir>', 'local mirror in Hub layout (models/, datasets/); env JOULEBENCH_HUB')
    .option('--cache <dir>', 'download cache; env JOULEBENCH_CACHE (default ~/.cache/joulebench)')
    .option('--offline', 'never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)', false)
    .option('--strict', 'fail, before running anything, if any selected model is unavailable', false)
    .option('--out <dir>', 'results folder (records go to <dir>/runs/<run-id>.jsonl)', 'results')
    .option('--models-file <path>', 'model registry', defaultModelsPath)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npm run bench -- --task summarization\n' +
        '  JOULEBENCH_HUB=../shared/hub npm run bench -- --task classification --samples 100\n' +
        '  npm run bench -- --task generation --model karpathy/stories260K --repetitions 5\n' +
        '\nWithout a power sensor the figures are ESTIMATED from CPU time (see README "Meters").',
    )
    .action(async (opts) => {
      const result = await runBench({
        task: opts.task,
        models: opts.model,
        samples: opts.samples,
        batchSize: opts.batchSize,
        warmup: opts.warmup,
        repetitions: opts.repetitions,
        meter: opts.meter,
        cpuWatts: opts.cpuWatts,
        threads: opts.threads,
        device: 'cpu',
        hub: opts.hub,
        cache: opts.cache,
        offline: opts.offline,
        strict: opts.strict,
        out: opts.out,
        modelsFile: opts.modelsFile,
      });
      process.exitCode = result.exitCode;
    });

  registerReportCommands(program, collect);

  program
    .command('list')
    .description('List the tasks and the registered models.')
    .option('--models-file <path>', 'model registry', defaultModelsPath)
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

#!/usr/bin/env node
// The command line (commander): parses and validates flags, then hands them to a command
// handler under commands/, imported only when its command runs (so --help starts fast).
// User mistakes print one line and exit non-zero; only a bug prints a stack trace.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { taskNames } from '../../tasks/index.js';
import { meterNames } from '../meters/index.js';
import { PAPERS } from '../report/papers/papers.js';
import { FORMATS } from '../report/render/index.js';
import { STAR_RULES } from '../report/stars.js';
import { dtypeSuffix } from '../schema/model-entry.js';
import { DEFAULT_RUN_OPTIONS, DEVICES, LIMITS } from '../schema/run-options.js';
import { UserError, errorCode, internalErrorText } from '../util/errors.js';
import { EXIT } from '../util/exit-codes.js';
import { ownVersion } from '../util/paths.js';
import {
  collect,
  folder,
  fraction,
  integer,
  list,
  seconds,
  oneOf,
  positiveNumber,
  runId,
  runIdOrLatest,
  threadCount,
} from './args.js';

const DTYPES = Object.keys(dtypeSuffix);

const MODELS_FILE = ['--models-file <path>', 'model registry (default: models.json beside src/)'] as const;

/**
 * The flags of a run, shared by bench and sweep. A sweep takes comma lists for its axes
 * (--batch-size, --threads, --dtype, --device) and --latency-budget-ms, and no --suite.
 */
function runFlags(command: Command, sweep: boolean): Command {
  command.option('--task <name>', `task to run: ${taskNames.join(', ')}`);
  if (sweep) {
    command.option(
      '--latency-budget-ms <ms>',
      'also report the energy-optimal configuration whose p95 latency per call is within this budget',
      positiveNumber,
    );
  } else {
    command.option('--suite <name>', 'run a suite instead: benchmarks/<name>.json (tasks, datasets, models, settings)');
  }
  command
    .option('--model <id>', 'model id from models.json (repeatable); default: all models of the task', collect, [])
    .option(
      '--samples <n>',
      'inferences per repetition: the first n usable dataset rows',
      integer(1, LIMITS.maxCount),
      DEFAULT_RUN_OPTIONS.samples,
    )
    .option(
      '--sample-seed <n>',
      'draw the n rows at random with this seed instead of taking the first n',
      integer(0, LIMITS.maxSeed),
    );
  if (sweep)
    command.option('--batch-size <list>', 'batch sizes to sweep, comma-separated (e.g. 1,4,16)', list(integer(1)));
  else {
    command.option('--batch-size <n>', 'inputs per pipeline call', integer(1), DEFAULT_RUN_OPTIONS.batchSize);
  }
  command
    .option(
      '--warmup <n>',
      'unmeasured pipeline calls before the first window',
      integer(0, LIMITS.maxCount),
      DEFAULT_RUN_OPTIONS.warmup,
    )
    .option(
      '--repetitions <n>',
      'energy windows per model (the minimum with --target-ci); the leaderboard shows the mean and its 95% CI',
      integer(1, LIMITS.maxCount),
      DEFAULT_RUN_OPTIONS.repetitions,
    )
    .option(
      '--target-ci <fraction>',
      'after --repetitions, add repetitions until the 95% CI half-width of J/1k is within this fraction of the mean',
      fraction,
    )
    .option(
      '--max-repetitions <n>',
      'with --target-ci: stop at this many repetitions even if the CI is wider',
      integer(1, LIMITS.maxCount),
      DEFAULT_RUN_OPTIONS.maxRepetitions,
    )
    .option(
      '--meter <name>',
      `energy meter: auto, or one or more (comma-separated) of ${meterNames.join(', ')}`,
      DEFAULT_RUN_OPTIONS.meter,
    )
    .option(
      '--cpu-watts <W>',
      'estimate meter: watts per busy CPU thread (default: CPU TDP / threads)',
      positiveNumber,
    );
  if (sweep) {
    command
      .option(
        '--threads <list>',
        'onnxruntime intra-op threads to sweep, comma-separated (e.g. 1,2)',
        list(threadCount()),
      )
      .option(
        '--dtype <list>',
        `dtypes to sweep, comma-separated, each a registered variant of the model: ${DTYPES.join(', ')}`,
        list(oneOf(DTYPES)),
      )
      .option(
        '--device <list>',
        `execution providers to sweep, comma-separated: ${DEVICES.join(', ')} (one that cannot run here is skipped)`,
        list(oneOf(DEVICES)),
      );
  } else {
    command
      .option('--threads <n>', 'onnxruntime intra-op threads (default: onnxruntime decides)', threadCount())
      .option(
        '--device <name>',
        `execution provider: ${DEVICES.join(', ')} (webgpu needs a Vulkan driver; cuda the CUDA provider, see README)`,
        DEFAULT_RUN_OPTIONS.device,
      );
  }
  return command
    .option(
      '--idle-seconds <s>',
      "idle baseline before the first model (default: the larger of 10 s and 200 × a measured meter's resolution; " +
        '0 with the estimate)',
      seconds,
    )
    .option(
      '--min-window-seconds <s>',
      'shortest energy window: whole passes over the samples repeat until it lasts this long ' +
        "(default: the larger of 1 s and 200 × the meter's resolution; 0: one pass)",
      seconds,
    )
    .option('--hub <dir>', 'local mirror in Hub layout (models/, datasets/); env JOULEBENCH_HUB')
    .option('--cache <dir>', 'download cache; env JOULEBENCH_CACHE (default ~/.cache/joulebench)')
    .option('--offline', 'never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)', false)
    .option('--strict', 'fail, before running anything, if any selected model is unavailable', false)
    .option('--out <dir>', 'results folder (records go to <dir>/runs/<run-id>.jsonl)', folder, 'results')
    .option(
      '--resume <run-id>',
      "finish an interrupted run ('latest' for the newest): runs only what has no record",
      runIdOrLatest,
    )
    .option('--shard <i/n>', 'run the i-th of n deterministic slices of the plan (split a suite across machines)')
    .option(
      '--run-id <id>',
      'name the run: A-Z a-z 0-9 . _ - (default: UTC time + random suffix); shards append -shard<i>of<n>',
      runId,
    )
    .option(...MODELS_FILE);
}

/** "error: unknown option '--x'\n(Did you mean --y?)\n" -> "joulebench: unknown option '--x' (did you mean --y?)\n". */
function commanderErrorLine(text: string): string {
  const line = text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)');
  return `joulebench: ${line}\n`;
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  /** Runs the handler `name` of commands/<file>.ts, imported now. */
  const lazy =
    <M extends object>(load: () => Promise<M>, name: keyof M & string) =>
    async (...args: unknown[]) => {
      // A handler takes commander's action arguments and returns the exit code.
      const handler = (await load())[name] as (...a: unknown[]) => Promise<number>;
      setExitCode(await handler(...args));
    };

  const program = new Command('joulebench')
    .description('Energy per 1,000 inferences of ML models, and the quality it buys.')
    .version(ownVersion(), '-V, --version', 'print the version')
    .configureHelp({ sortOptions: false })
    // Throw instead of exiting (main() returns the code), and say a mistake on one line, as every
    // other user error; set first, so every subcommand inherits both.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(commanderErrorLine(text)) });

  runFlags(program.command('bench'), false)
    .description(
      "Run every model registered for a task (or the --model ones, or a suite's) over the task's standard " +
        'dataset, one energy window per repetition, and append result records under <out>/runs/.',
    )
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
    .action(lazy(() => import('./commands/bench.js'), 'bench'));

  runFlags(program.command('sweep'), true)
    .description(
      "Run a task's models over the cross product of configurations (batch sizes, threads, dtypes, devices) as one " +
        'run (plan, resume, shards and records as bench); then, per model, the Pareto frontiers of energy against ' +
        'p95 latency and quality, and the energy-optimal configuration: <out>/sweeps/<run-id>.{md,csv,json}.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npm run sweep -- --task generation --model karpathy/stories260K --dtype fp32,q8 \\\n' +
        '      --batch-size 1,4 --threads 1,2\n' +
        '  npm run sweep -- --task classification --batch-size 1,4,16 --threads 1,2 --latency-budget-ms 5\n' +
        '  npm run sweep -- --resume latest\n' +
        "\nA dtype selects the model's registered variant of that dtype (models.json); a dtype, device or batch size\n" +
        'that cannot run is skipped with the reason (a skipped record where it was to run, so shards on machines\n' +
        'that can run different ones split the same plan). The site page: npm run leaderboard (site/sweeps.html).',
    )
    .action(lazy(() => import('./commands/sweep.js'), 'sweep'));

  program
    .command('leaderboard')
    .description(
      'Aggregate every record (plus imported published leaderboards) into <out>/leaderboard.{md,csv,json} ' +
        'and the static site <out>/site/index.html; print the Markdown.',
    )
    .option(
      '--in <path>',
      'record file or folder searched for *.jsonl (repeatable; default: results, without results/examples)',
      collect,
      [],
    )
    .option('--include-examples', "also read the repository's example records (results/examples/)", false)
    .option('--out <dir>', 'folder for leaderboard.{md,csv,json} and site/', 'results')
    .option('--format <list>', `comma-separated formats: ${FORMATS.join(', ')} (default: all)`)
    .option(
      '--rank-by <basis>',
      'energy to rank and rate by: net (minus the idle baseline), gross, or auto (net where every run has a baseline)',
      oneOf(['net', 'gross', 'auto']),
      'auto',
    )
    .option(
      '--stars <rule>',
      'star rule: quintile (quintiles of J/1k) or aies (AI Energy Score equal-width bins)',
      oneOf(STAR_RULES),
      'quintile',
    )
    .option(
      '--carbon-intensity <g/kWh>',
      'grid carbon intensity for gCO2e (default 480: the world average of 2023, Ember)',
      positiveNumber,
    )
    .option(
      '--import <file>',
      'published AI Energy Score leaderboard CSV (model,total_gpu_energy,energy_score,class; repeatable)',
      collect,
      [],
    )
    .option(
      '--import-task <task>',
      'task of the imported files (default: from each file name, e.g. text_generation.csv)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npm run leaderboard\n' +
        '  npm run leaderboard -- --in results/examples/amd-epyc-2-vcpu --out results/examples/amd-epyc-2-vcpu\n' +
        '  npm run leaderboard -- --format html --stars aies\n' +
        '  npm run leaderboard -- --import text_generation.csv --carbon-intensity 56',
    )
    .action(lazy(() => import('./commands/leaderboard.js'), 'leaderboard'));

  program
    .command('compare')
    .description("Compare the records with a paper's published figures; writes <out>/compare-<paper>.md and prints it.")
    .requiredOption('--paper <name>', `paper: ${Object.keys(PAPERS).join(', ')}`)
    .option(
      '--in <path>',
      'record file or folder searched for *.jsonl (repeatable; default: results, without results/examples)',
      collect,
      [],
    )
    .option('--out <dir>', 'folder for compare-<paper>.md', 'results')
    .option('--references <csv>', "the paper's figures (default: benchmarks/references/<paper>.csv)")
    .action(lazy(() => import('./commands/compare.js'), 'compare'));

  program
    .command('stats')
    .description(
      'Is A really cheaper than B here? For two models of one group: the difference in J/1k with its 95% CI and ' +
        "Welch's t-test p-value, from their repetitions.",
    )
    .argument('<records...>', 'record files or folders (searched for *.jsonl)')
    .option('--model <id>', 'a model to compare (give it twice)', collect, [])
    .option('--rank-by <basis>', 'energy basis: net, gross or auto', oneOf(['net', 'gross', 'auto']), 'auto')
    .option('--json', 'print JSON instead of text', false)
    .addHelpText(
      'after',
      '\nExample:\n  npm run stats -- results/runs --model karpathy/stories260K --model karpathy/stories260K:q8',
    )
    .action(lazy(() => import('./commands/row-stats.js'), 'stats'));

  program
    .command('meters')
    .description('List the energy meters, whether each can read here (and why not), and the devices each sees.')
    .option('--json', 'print JSON instead of text', false)
    .addHelpText(
      'after',
      '\nEnvironment: JOULEBENCH_POWERCAP_ROOT (default /sys/class/powercap), JOULEBENCH_NVML_LIB (default libnvidia-ml.so.1),\n' +
        'CUDA_VISIBLE_DEVICES (which GPUs count).',
    )
    .action(lazy(() => import('./commands/meters.js'), 'meters'));

  program
    .command('verify')
    .description(
      'Re-hash the datasets and model files that records used against the local hub; flag records whose inputs differ.',
    )
    .argument('<records...>', 'record files or folders (searched for *.jsonl)')
    .option('--hub <dir>', 'local mirror in Hub layout; env JOULEBENCH_HUB')
    .option('--cache <dir>', 'download cache; env JOULEBENCH_CACHE')
    .option(...MODELS_FILE)
    .action(lazy(() => import('./commands/verify.js'), 'verify'));

  program
    .command('list')
    .description('List the tasks and the registered models.')
    .option(...MODELS_FILE)
    .action(lazy(() => import('./commands/list.js'), 'list'));

  return program;
}

/**
 * Runs the CLI and returns the exit code (tests call it in-process; see util/exit-codes.ts): a
 * user mistake is one line on stderr, a bug its stack plus "please report" (and how to resume).
 */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`joulebench: ${err.message}\n`);
      return err.exitCode;
    }
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed the message (or the help text, or the version: exit 0).
      const exit = (err as { exitCode: number }).exitCode;
      return exit === 0 ? EXIT.ok : EXIT.userError;
    }
    process.stderr.write(internalErrorText(err));
    return EXIT.internalError;
  }
}

/** True when this file is the process's entry point (tsx src/cli/main.ts, or the bin link to the build). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * A reader that stops early (`joulebench list | head -1`) closes the pipe: the rest of the output
 * is unwanted, not an error. It is dropped and the command ends as it would have (a run keeps
 * recording), instead of dying on EPIPE with a stack trace.
 */
function dropOutputOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err) => {
    if (errorCode(err) !== 'EPIPE') throw err;
    stream.write = (() => true) as typeof stream.write;
  });
}

if (isEntryPoint()) {
  dropOutputOnClosedPipe(process.stdout);
  dropOutputOnClosedPipe(process.stderr);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(internalErrorText(err)); // main() reports its own; this is the last resort
      process.exitCode = EXIT.internalError;
    },
  );
}

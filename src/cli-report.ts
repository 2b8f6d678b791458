// Commands that read records and publish them (leaderboard, compare). Kept apart from cli.ts
// so the reporting side can grow (formats, imports, comparisons) without touching the bench side.
import { InvalidArgumentError, type Command } from 'commander';
import { collect, positiveNumber } from './cli-args.js';
import { runCompare } from './compare.js';
import { FORMATS, parseFormats, runLeaderboard } from './leaderboard.js';
import type { RankBy } from './report/aggregate.js';
import { DEFAULT_CARBON_INTENSITY } from './report/carbon.js';
import { PAPERS } from './report/compare.js';
import { isStarRule, STAR_RULES } from './report/stars.js';

function starRule(value: string) {
  if (!isStarRule(value)) throw new InvalidArgumentError(`expected one of ${STAR_RULES.join(', ')}, got '${value}'`);
  return value;
}

function rankBy(value: string): RankBy {
  if (value !== 'net' && value !== 'gross' && value !== 'auto') throw new InvalidArgumentError(`expected net, gross or auto, got '${value}'`);
  return value;
}

export function registerReportCommands(program: Command): void {
  program
    .command('leaderboard')
    .description(
      'Aggregate every record (plus imported published leaderboards) into <out>/leaderboard.{md,csv,json} ' +
        'and the static site <out>/site/index.html; print the Markdown.',
    )
    .option('--in <path>', 'record file or folder searched for *.jsonl (repeatable; default: results)', collect, [])
    .option('--out <dir>', 'folder for leaderboard.{md,csv,json} and site/', 'results')
    .option('--format <list>', `comma-separated formats: ${FORMATS.join(', ')} (default: all)`)
    .option('--rank-by <basis>', 'energy to rank and rate by: net (minus the idle baseline), gross, or auto (net where every run has a baseline)', rankBy, 'auto')
    .option('--stars <rule>', 'star rule: quintile (quintiles of J/1k) or aies (AI Energy Score equal-width bins)', starRule, 'quintile')
    .option(
      '--carbon-intensity <g/kWh>',
      `grid carbon intensity for gCO2e (default ${DEFAULT_CARBON_INTENSITY.gPerKWh}: ${DEFAULT_CARBON_INTENSITY.source})`,
      positiveNumber,
    )
    .option('--import <file>', 'published AI Energy Score leaderboard CSV (model,total_gpu_energy,energy_score,class; repeatable)', collect, [])
    .option('--import-task <task>', 'task of the imported files (default: from each file name, e.g. text_generation.csv)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npm run leaderboard\n' +
        '  npm run leaderboard -- --format html --stars aies\n' +
        '  npm run leaderboard -- --import text_generation.csv --carbon-intensity 56',
    )
    .action(async (opts) => {
      await runLeaderboard({
        in: opts.in.length > 0 ? opts.in : ['results'],
        out: opts.out,
        formats: opts.format === undefined ? undefined : parseFormats(opts.format),
        stars: opts.stars,
        rankBy: opts.rankBy,
        carbonIntensity: opts.carbonIntensity,
        imports: opts.import,
        importTask: opts.importTask,
      });
    });

  program
    .command('compare')
    .description('Compare the records with a paper\'s published figures; writes <out>/compare-<paper>.md and prints it.')
    .requiredOption('--paper <name>', `paper: ${Object.keys(PAPERS).join(', ')}`)
    .option('--in <path>', 'record file or folder searched for *.jsonl (repeatable; default: results)', collect, [])
    .option('--out <dir>', 'folder for compare-<paper>.md', 'results')
    .option('--references <csv>', "the paper's figures (default: benchmarks/references/<paper>.csv)")
    .action(async (opts) => {
      await runCompare({ paper: opts.paper, in: opts.in.length > 0 ? opts.in : ['results'], out: opts.out, references: opts.references });
    });
}

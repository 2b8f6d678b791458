// Commands that read records and publish them (leaderboard). Kept apart from cli.ts so the
// reporting side can grow (formats, imports, comparisons) without touching the bench side.
import type { Command } from 'commander';
import { runLeaderboard } from './leaderboard.js';

export function registerReportCommands(program: Command, collect: (value: string, previous: string[]) => string[]): void {
  program
    .command('leaderboard')
    .description('Aggregate every record into <out>/leaderboard.md and <out>/leaderboard.csv, and print the Markdown.')
    .option('--in <path>', 'record file or folder searched for *.jsonl (repeatable; default: results)', collect, [])
    .option('--out <dir>', 'folder for leaderboard.md and leaderboard.csv', 'results')
    .action(async (opts) => {
      await runLeaderboard({ in: opts.in.length > 0 ? opts.in : ['results'], out: opts.out });
    });
}

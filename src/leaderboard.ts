// `joulebench leaderboard`: reads every record under results/ (or --in paths), writes
// leaderboard.md and leaderboard.csv, and prints the Markdown.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, errorMessage } from './errors.js';
import { readRecords } from './records.js';
import { aggregate } from './report/aggregate.js';
import { renderCsv } from './report/csv.js';
import { renderMarkdown } from './report/markdown.js';

export interface LeaderboardOptions {
  /** Record files or folders searched recursively for *.jsonl. */
  in: string[];
  /** Folder that receives leaderboard.md and leaderboard.csv. */
  out: string;
}

export async function runLeaderboard(options: LeaderboardOptions, log = (l: string) => process.stderr.write(`${l}\n`)) {
  const { records, warnings, files } = await readRecords(options.in.map((p) => resolve(p)));
  for (const w of warnings) log(`warning: ${w}`);
  if (records.length === 0) {
    throw new UserError(
      `No result records found in ${options.in.join(', ')}` +
        (files.length > 0 ? ` (${files.length} file(s) read, none valid)` : '') +
        '. Run `npm run bench -- --task <task>` first.',
    );
  }
  const board = await aggregate(records);
  const markdown = renderMarkdown(board);
  const out = resolve(options.out);
  const paths = { md: join(out, 'leaderboard.md'), csv: join(out, 'leaderboard.csv') };
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(paths.md, markdown);
    writeFileSync(paths.csv, renderCsv(board));
  } catch (err) {
    throw new UserError(`Cannot write the leaderboard to ${out}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  process.stdout.write(markdown);
  log(`\nRead ${records.length} record(s) from ${files.length} file(s); wrote ${paths.md} and ${paths.csv}`);
  return { board, paths };
}

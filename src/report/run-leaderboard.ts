// `leaderboard`: reads every record under results/ (or --in paths), adds imported published
// leaderboards, builds the Board and writes the chosen formats: leaderboard.md, .csv, .json
// and the static site under site/.
import { resolve } from 'node:path';
import { readRecords } from '../records/reader.js';
import { UserError } from '../util/errors.js';
import { buildBoard, type Board, type RankBy } from './board.js';
import { carbonIntensity } from './carbon.js';
import { readAiEnergyScoreCsv } from './imports/aies.js';
import { FORMATS } from './render/index.js';
import type { StarRule } from './stars.js';
import { writeBoard } from './write.js';

export interface LeaderboardOptions {
  /** Record files or folders searched recursively for *.jsonl. */
  in: string[];
  /** Folder that receives leaderboard.{md,csv,json} and site/. */
  out: string;
  /** Default: every format. */
  formats?: readonly string[] | undefined;
  /** Default: quintile. */
  stars?: StarRule | undefined;
  /** Energy basis to rank and rate by; default auto (net where every run has an idle baseline). */
  rankBy?: RankBy | undefined;
  /** g CO2e per kWh; default: the documented world average (src/report/carbon.ts). */
  carbonIntensity?: number | undefined;
  /** Published AI Energy Score leaderboard CSVs. */
  imports?: readonly string[] | undefined;
  /** Task of every import (else taken from each file name). */
  importTask?: string | undefined;
  generatedAt?: Date | undefined;
}

export interface LeaderboardResult {
  board: Board;
  /** Format -> the main file written. */
  paths: Record<string, string>;
}

export async function runLeaderboard(
  options: LeaderboardOptions,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  print: (text: string) => void = (t) => process.stdout.write(t),
): Promise<LeaderboardResult> {
  const formats = options.formats ?? FORMATS;
  const imports = options.imports ?? [];
  const { records, warnings, files } = await readRecords(options.in.map((p) => resolve(p)));
  for (const w of warnings) log(`warning: ${w}`);
  if (records.length === 0 && imports.length === 0) {
    throw new UserError(
      `No result records found in ${options.in.join(', ')}` +
        (files.length > 0 ? ` (${files.length} file(s) read, none valid)` : '') +
        '. Run `npm run bench -- --task <task>` first.',
    );
  }
  const tables = [];
  for (const file of imports) tables.push(await readAiEnergyScoreCsv(file, options.importTask));
  const board = await buildBoard(records, {
    rankBy: options.rankBy ?? 'auto',
    starRule: options.stars ?? 'quintile',
    carbon: carbonIntensity(options.carbonIntensity),
    imports: tables,
    generatedAt: options.generatedAt ?? new Date(),
  });
  const { paths, files: written } = await writeBoard(board, formats, resolve(options.out));
  const markdown = written['leaderboard.md'];
  if (markdown !== undefined) print(markdown);
  const sources = [
    `${records.length} record(s) from ${files.length} file(s)`,
    ...tables.map((t) => `${t.rows.length} published row(s) from ${t.file}`),
  ];
  log(`\nRead ${sources.join(', ')}; wrote ${Object.values(paths).join(', ')}`);
  return { board, paths };
}

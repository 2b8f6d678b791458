// `leaderboard`: reads every record under results/ (or --in paths), adds imported published
// leaderboards, builds the Board and writes the chosen formats: leaderboard.md, .csv, .json
// and the static site under site/. The repository's example records (results/examples/) are
// read only when asked for, so a newcomer's leaderboard shows only what they ran.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRecords } from '../records/reader.js';
import { UserError } from '../util/errors.js';
import { checkWritableDir } from '../util/out-dir.js';
import { packagePath } from '../util/paths.js';
import { buildBoard, type Board, type RankBy } from './board.js';
import { carbonIntensity } from './carbon.js';
import { readAiEnergyScoreCsv } from './imports/aies.js';
import { FORMATS } from './render/index.js';
import type { StarRule } from './stars.js';
import { writeBoard } from './write.js';

/** The example records committed with joulebench, one folder per machine. */
const examplesDir = packagePath('results', 'examples');

/**
 * The default inputs: the folders under results/ but examples/, and its *.jsonl files. Never its
 * other files: leaderboard.json/.md/.csv and compare-*.md are outputs written there, not records.
 */
export function defaultRecordInputs(resultsDir = 'results'): string[] {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .map((name) => ({ name, path: join(resultsDir, name) }))
    .filter(({ name, path }) =>
      statSync(path, { throwIfNoEntry: false })?.isDirectory() ? name !== 'examples' : name.endsWith('.jsonl'),
    )
    .map(({ path }) => path);
}

interface LeaderboardOptions {
  /** Record files or folders searched recursively for *.jsonl; empty: defaultRecordInputs(). */
  in: string[];
  /** Also read examplesDir. */
  includeExamples?: boolean | undefined;
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
  const out = checkWritableDir(options.out, '--out', options.out); // before anything is read or made
  const formats = options.formats ?? FORMATS;
  const imports = options.imports ?? [];
  const given = options.in.length > 0;
  const inputs = [...(given ? options.in : defaultRecordInputs()), ...(options.includeExamples ? [examplesDir] : [])];
  const { records, warnings, files } = await readRecords(inputs.map((p) => resolve(p)));
  for (const w of warnings) log(`warning: ${w}`);
  if (records.length === 0 && imports.length === 0) {
    const hint =
      given || options.includeExamples ? '' : ' (example records: npm run leaderboard -- --include-examples)';
    throw new UserError(
      `No result records found in ${given ? options.in.join(', ') : 'results'}` +
        (options.includeExamples ? ` or ${examplesDir}` : '') +
        (files.length > 0 ? ` (${files.length} file(s) read, none valid)` : '') +
        `. Run \`npm run bench -- --task <task>\` first${hint}.`,
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
  const { paths, files: written } = await writeBoard(board, formats, out);
  const markdown = written['leaderboard.md'];
  if (markdown !== undefined) print(markdown);
  const sources = [
    `${records.length} record(s) from ${files.length} file(s)`,
    ...tables.map((t) => `${t.rows.length} published row(s) from ${t.file}`),
  ];
  log(`\nRead ${sources.join(', ')}; wrote ${Object.values(paths).join(', ')}`);
  return { board, paths };
}

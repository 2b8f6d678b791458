// `joulebench leaderboard`: reads every record under results/ (or --in paths), adds imported
// published leaderboards, rates each group with the star rule in force, and writes the chosen
// formats: leaderboard.md, leaderboard.csv, leaderboard.json and the static site under site/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, errorMessage } from './errors.js';
import { readRecords } from './records.js';
import { aggregate, type RankBy } from './report/aggregate.js';
import { carbonIntensity } from './report/carbon.js';
import { renderCsv } from './report/csv.js';
import { readAiEnergyScoreCsv } from './report/import-aies.js';
import { renderJson } from './report/json.js';
import { renderMarkdown } from './report/markdown.js';
import { publish, type PublishedBoard } from './report/publish.js';
import { writeSite } from './report/site.js';
import type { StarRule } from './report/stars.js';

export const FORMATS = ['html', 'md', 'csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** "html,md" → ['html', 'md']; an unknown name is a UserError listing the valid ones. */
export function parseFormats(list: string): Format[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.filter((n) => !(FORMATS as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) {
    throw new UserError(`Unknown --format '${bad.join(',') || list}'. Valid formats: ${FORMATS.join(', ')} (comma-separated)`);
  }
  return [...new Set(names)] as Format[];
}

export interface LeaderboardOptions {
  /** Record files or folders searched recursively for *.jsonl. */
  in: string[];
  /** Folder that receives leaderboard.{md,csv,json} and site/. */
  out: string;
  /** Default: every format. */
  formats?: readonly Format[];
  /** Default: quintile. */
  stars?: StarRule;
  /** Energy basis to rank and rate by; default auto (net where every run has an idle baseline). */
  rankBy?: RankBy;
  /** g CO2e per kWh; default: the documented world average (src/report/carbon.ts). */
  carbonIntensity?: number;
  /** Published AI Energy Score leaderboard CSVs. */
  imports?: readonly string[];
  /** Task of every import (else taken from each file name). */
  importTask?: string;
  generatedAt?: Date;
}

export interface LeaderboardResult {
  board: PublishedBoard;
  paths: Partial<Record<Format, string>>;
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
  const generatedAt = options.generatedAt ?? new Date();
  const aggregated = await aggregate(records, options.rankBy ?? 'auto');
  const board = publish(aggregated, {
    starRule: options.stars ?? 'quintile',
    carbon: carbonIntensity(options.carbonIntensity),
    imports: tables,
    generatedAt,
  });

  const out = resolve(options.out);
  const paths: Partial<Record<Format, string>> = {};
  const markdown = renderMarkdown(aggregated, generatedAt, board);
  const csv = renderCsv(aggregated, board);
  const json = renderJson(board);
  try {
    mkdirSync(out, { recursive: true });
    if (formats.includes('md')) writeFileSync((paths.md = join(out, 'leaderboard.md')), markdown);
    if (formats.includes('csv')) writeFileSync((paths.csv = join(out, 'leaderboard.csv')), csv);
    if (formats.includes('json')) writeFileSync((paths.json = join(out, 'leaderboard.json')), json);
    if (formats.includes('html')) paths.html = (await writeSite(join(out, 'site'), board, { json, csv })).index;
  } catch (err) {
    throw new UserError(`Cannot write the leaderboard to ${out}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  if (formats.includes('md')) print(markdown);
  const sources = [`${records.length} record(s) from ${files.length} file(s)`, ...tables.map((t) => `${t.rows.length} published row(s) from ${t.file}`)];
  log(`\nRead ${sources.join(', ')}; wrote ${Object.values(paths).join(', ')}`);
  return { board, paths };
}

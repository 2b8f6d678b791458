// Reads a published AI Energy Score leaderboard CSV (header model,total_gpu_energy,energy_score,class;
// total_gpu_energy = kWh per 1,000 queries, GPU only, NVIDIA H100). Values are kept exactly as
// published; joulebench only converts units and computes its own stars later.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { taskNames } from '../../../tasks/index.js';
import { UserError, errorCode, errorMessage } from '../../util/errors.js';

/** Their task file names → joulebench task names. */
const AIES_TASKS: Readonly<Record<string, string>> = {
  text_classification: 'classification',
  text_generation: 'generation',
  summarization: 'summarization',
};

const AIES_COLUMNS = ['model', 'total_gpu_energy', 'energy_score', 'class'] as const;

const AIES_SOURCE = 'AI Energy Score (NVIDIA H100, GPU only)';

interface ImportedRow {
  model: string;
  /** total_gpu_energy as published: kWh per 1,000 queries, GPU only. */
  kWhPer1k: number;
  /** energy_score as published (their stars); kept for reference, never used as ours. */
  energyScore: string;
  /** Text-generation class (A, B, C); '' when the file has none. */
  class: string;
  /** 1-based line in the file. */
  line: number;
}

export interface ImportedTable {
  file: string;
  task: string;
  source: string;
  hardware: string;
  rows: ImportedRow[];
}

/** joulebench task of an import: --import-task, else the file name as they name their files. */
export function importTask(file: string, override?: string): string {
  const name = override ?? basename(file, extname(file)).toLowerCase();
  if (Object.hasOwn(AIES_TASKS, name)) return AIES_TASKS[name]!;
  if (taskNames.includes(name)) return name;
  const how =
    override === undefined
      ? `cannot tell its task from the file name '${basename(file)}'`
      : `unknown --import-task '${override}'`;
  throw new UserError(
    `Cannot import ${file}: ${how}; use one of ${Object.keys(AIES_TASKS).join(', ')} (their file names) or ${taskNames.join(', ')}.`,
  );
}

export async function readAiEnergyScoreCsv(file: string, taskOverride?: string): Promise<ImportedTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot import ${file}: ${errorCode(err) === 'ENOENT' ? 'no such file' : errorCode(err)}`);
  }
  const task = importTask(file, taskOverride); // after the read: a missing file's name says nothing of its task
  let parsed: { record: Record<string, string>; info: { lines: number } }[];
  try {
    parsed = parse(text, { columns: true, info: true, bom: true, trim: true, skip_empty_lines: true });
  } catch (err) {
    throw new UserError(`Cannot import ${file}: not a readable CSV (${errorMessage(err).split('\n')[0]})`);
  }
  const header = parse(text, { bom: true, trim: true, to_line: 1 })[0] as string[] | undefined;
  const missing = AIES_COLUMNS.filter((c) => !header?.includes(c));
  if (missing.length > 0) {
    throw new UserError(
      `Cannot import ${file}: missing column(s) ${missing.join(', ')} (an AI Energy Score CSV has the header ${AIES_COLUMNS.join(',')})`,
    );
  }
  if (parsed.length === 0) throw new UserError(`Cannot import ${file}: no data rows`);
  const rows = parsed.map(({ record, info }) => {
    const value = record.total_gpu_energy ?? '';
    const kWh = Number(value);
    if (value === '' || !Number.isFinite(kWh) || kWh <= 0) {
      throw new UserError(
        `Cannot import ${file}: line ${info.lines}: total_gpu_energy '${value}' is not a positive number (kWh per 1,000 queries)`,
      );
    }
    if (!record.model) throw new UserError(`Cannot import ${file}: line ${info.lines}: empty model name`);
    return {
      model: record.model,
      kWhPer1k: kWh,
      energyScore: record.energy_score ?? '',
      class: record.class ?? '',
      line: info.lines,
    };
  });
  return { file, task, source: AIES_SOURCE, hardware: 'NVIDIA H100 80GB', rows };
}

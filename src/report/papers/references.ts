// Published reference figures kept in the project (benchmarks/references/*.csv): one figure per
// row with its source, table or file, unit and notes. Read as published, never altered.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { UserError, errorCode, errorMessage } from '../../util/errors.js';

export interface ReferenceRow {
  source: string;
  tableOrFile: string;
  task: string;
  model: string;
  dataset: string;
  metric: string;
  value: number;
  unit: string;
  notes: string;
}

const COLUMNS = ['source', 'table_or_file', 'task', 'model', 'dataset', 'metric', 'value', 'unit', 'notes'] as const;

export async function readReferences(file: string): Promise<ReferenceRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the reference figures ${file}: ${errorCode(err)}`);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, bom: true, skip_empty_lines: true });
  } catch (err) {
    throw new UserError(`Cannot read the reference figures ${file}: ${errorMessage(err).split('\n')[0]}`);
  }
  const missing = COLUMNS.filter((c) => rows.length > 0 && !(c in rows[0]!));
  if (rows.length === 0 || missing.length > 0) {
    throw new UserError(
      `Cannot read the reference figures ${file}: expected the columns ${COLUMNS.join(',')}${missing.length ? ` (missing ${missing.join(', ')})` : ' and data rows'}`,
    );
  }
  return rows.map((r, i) => {
    const value = Number(r.value);
    if (!Number.isFinite(value))
      throw new UserError(
        `Cannot read the reference figures ${file}: row ${i + 2}: value '${r.value}' is not a number`,
      );
    return {
      source: r.source!,
      tableOrFile: r.table_or_file!,
      task: r.task!,
      model: r.model!,
      dataset: r.dataset!,
      metric: r.metric!,
      value,
      unit: r.unit!,
      notes: r.notes!,
    };
  });
}

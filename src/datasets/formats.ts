// Parsers for the dataset file formats a mirror or the Hub provides. Each returns plain rows;
// parquet int64 values become numbers so labels compare like JSON ones.
import { parse as parseCsvText } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import type { DatasetRow } from '../task-api.js';
import { UserError, errorMessage } from '../util/errors.js';

export const datasetExtensions = ['jsonl', 'csv', 'parquet'] as const;
export type DatasetFormat = (typeof datasetExtensions)[number];

function parseJsonl(bytes: Uint8Array, path: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  const lines = new TextDecoder().decode(bytes).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new UserError(`${path} line ${i + 1} is not valid JSON: ${errorMessage(err)}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new UserError(`${path} line ${i + 1} is not a JSON object`);
    }
    rows.push(value as DatasetRow);
  });
  return rows;
}

function parseCsv(bytes: Uint8Array, path: string): DatasetRow[] {
  try {
    // Numeric-looking cells become numbers (labels), everything else stays text.
    return parseCsvText(Buffer.from(bytes), {
      columns: true,
      skip_empty_lines: true,
      cast: (value, ctx) => (ctx.header || value === '' || Number.isNaN(Number(value)) ? value : Number(value)),
    }) as DatasetRow[];
  } catch (err) {
    throw new UserError(`${path} is not valid CSV: ${errorMessage(err)}`);
  }
}

export async function parseParquet(bytes: Uint8Array, path: string): Promise<DatasetRow[]> {
  let rows: Record<string, unknown>[];
  try {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows = await parquetReadObjects({ file });
  } catch (err) {
    throw new UserError(`${path} is not a readable parquet file: ${errorMessage(err)}`);
  }
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) if (typeof v === 'bigint') row[k] = Number(v);
  }
  return rows;
}

export function parseDataset(
  format: DatasetFormat,
  bytes: Uint8Array,
  path: string,
): Promise<DatasetRow[]> | DatasetRow[] {
  switch (format) {
    case 'jsonl':
      return parseJsonl(bytes, path);
    case 'csv':
      return parseCsv(bytes, path);
    case 'parquet':
      return parseParquet(bytes, path);
  }
}

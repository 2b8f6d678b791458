// Parsers for the dataset file formats a mirror or the Hub provides. Each returns plain rows;
// parquet int64 values become numbers so labels compare like JSON ones.
import { parse as parseCsvText } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import type { DatasetRow } from '../task-api.js';
import { UserError, errorMessage } from '../util/errors.js';

export const datasetExtensions = ['jsonl', 'csv', 'parquet'] as const;
type DatasetFormat = (typeof datasetExtensions)[number];

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

/** int64 values (labels, also inside lists such as CoNLL's ner_tags) as numbers, like JSON's. */
function withNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(withNumbers);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNumbers(v)]));
  }
  return value;
}

export async function parseParquet(bytes: Uint8Array, path: string): Promise<DatasetRow[]> {
  let rows: Record<string, unknown>[];
  try {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    // utf8: false keeps unannotated binary columns (an Image's `bytes`) as bytes; strings stay strings.
    rows = await parquetReadObjects({ file, utf8: false });
  } catch (err) {
    throw new UserError(`${path} is not a readable parquet file: ${errorMessage(err)}`);
  }
  return rows.map((row) => withNumbers(row) as DatasetRow);
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

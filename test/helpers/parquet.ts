// Writes rows as a parquet file the way the Hub's parquet export stores them (int64 labels; for
// nested columns the schema pyarrow writes: lists, SQuAD's answers struct, an Image struct).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

/** Column types beyond plain strings and int64s. */
export type NestedColumn =
  | { type: 'string-list'; data: string[][] }
  | { type: 'int64-list'; data: bigint[][] }
  /** datasets' Sequence({text: string, answer_start: int32}), as SQuAD's `answers`. */
  | { type: 'answers'; data: { text: string[]; answer_start: number[] }[] }
  /** datasets' Image(): a struct of the encoded bytes and the file name (or null). */
  | { type: 'image'; data: { bytes: Uint8Array; path: string | null }[] };

export type ParquetColumn = string[] | bigint[] | NestedColumn;

const utf8 = (name: string): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: 'OPTIONAL',
});

/** A 3-level LIST of one leaf, as pyarrow writes `list<item>`. */
function list(name: string, leaf: SchemaElement): SchemaElement[] {
  return [
    { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { ...leaf, name: 'element' },
  ];
}

function elements(name: string, column: ParquetColumn): SchemaElement[] {
  if (Array.isArray(column)) {
    return [typeof column[0] === 'bigint' ? { name, type: 'INT64', repetition_type: 'OPTIONAL' } : utf8(name)];
  }
  switch (column.type) {
    case 'string-list':
      return list(name, utf8('element'));
    case 'int64-list':
      return list(name, { name: 'element', type: 'INT64', repetition_type: 'OPTIONAL' });
    case 'answers':
      return [
        { name, repetition_type: 'OPTIONAL', num_children: 2 },
        ...list('text', utf8('element')),
        ...list('answer_start', { name: 'element', type: 'INT32', repetition_type: 'OPTIONAL' }),
      ];
    case 'image':
      return [
        { name, repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        utf8('path'),
      ];
  }
}

export function writeParquet(path: string, columns: Record<string, ParquetColumn>): void {
  const entries = Object.entries(columns);
  const schema: SchemaElement[] = [
    { name: 'root', num_children: entries.length },
    ...entries.flatMap(([name, column]) => elements(name, column)),
  ];
  const columnData = entries.map(([name, column]) => ({ name, data: Array.isArray(column) ? column : column.data }));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData, schema })));
}

// Writes rows as a parquet file the way the Hub's parquet export stores them (int64 labels).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

export function writeParquet(path: string, columns: Record<string, string[] | bigint[]>): void {
  const columnData = Object.entries(columns).map(([name, data]) => ({
    name,
    data,
    type: typeof data[0] === 'bigint' ? ('INT64' as const) : ('STRING' as const),
  }));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData })));
}

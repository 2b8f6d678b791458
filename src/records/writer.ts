// Appends records to one JSONL file. Each line is written whole and fsynced before append()
// returns, so an interrupted run keeps every record it finished.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { RunRecordSchema, type RunRecord } from '../schema/result-record.js';

export class RecordWriter {
  #fd: number | undefined;
  constructor(readonly path: string) {}

  append(record: RunRecord): void {
    const line = `${JSON.stringify(RunRecordSchema.parse(record))}\n`;
    this.#fd ??= openSync(this.path, 'a');
    writeSync(this.#fd, line);
    fsyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

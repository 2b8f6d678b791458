// Appends records to one JSONL file, all or nothing: each line goes down in one write() to a
// file opened for append, the byte count is checked and the file fsynced before append()
// returns. A line that does not go down whole (a short write on a full disk, ENOSPC, EIO, a
// failed fsync) is cut off again, so the file always ends with its last complete record,
// and a WriteError says why; the caller decides what the run does next.
import * as nodeFs from 'node:fs';
import { RunRecordSchema, type RunRecord } from '../schema/result-record.js';
import { WriteError, errorCode } from '../util/errors.js';

/** The file calls the writer makes: node:fs, or a stand-in that fills up (tests). */
export interface AppendFs {
  openSync(path: string, flags: 'a'): number;
  writeSync(fd: number, buffer: Uint8Array): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  fstatSync(fd: number): { size: number };
  closeSync(fd: number): void;
}

export class RecordWriter {
  #fd: number | undefined;
  constructor(
    readonly path: string,
    private readonly fs: AppendFs = nodeFs,
  ) {}

  append(record: RunRecord): void {
    const line = Buffer.from(`${JSON.stringify(RunRecordSchema.parse(record))}\n`);
    const fd = this.#open();
    // Where the last complete line ends: the file is cut back to here if this one fails.
    const end = this.fs.fstatSync(fd).size;
    let failure: WriteError | undefined;
    try {
      const written = this.fs.writeSync(fd, line);
      if (written !== line.length)
        failure = new WriteError(this.path, 'ENOSPC', `short write: ${written} of ${line.length} bytes`);
      else this.fs.fsyncSync(fd);
    } catch (err) {
      failure = new WriteError(this.path, errorCode(err));
    }
    if (failure) {
      this.#cutBack(fd, end);
      throw failure;
    }
  }

  close(): void {
    if (this.#fd !== undefined) this.fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(): number {
    try {
      this.#fd ??= this.fs.openSync(this.path, 'a');
      return this.#fd;
    } catch (err) {
      throw new WriteError(this.path, errorCode(err));
    }
  }

  /** Takes back a partial line. If even that fails, the torn tail is what resume sets aside. */
  #cutBack(fd: number, end: number): void {
    try {
      this.fs.ftruncateSync(fd, end);
      this.fs.fsyncSync(fd);
    } catch {
      // Nothing better to do here: a resume moves an incomplete last line aside and re-runs it.
    }
  }
}

// Writing a report file (leaderboard, comparison, sweep report): whole or not at all. Each file
// goes to <file>.partial-<pid> and is renamed over the old one, so a disk that fills leaves the
// previous file as it was, never a truncated one that reads as complete. A failure is one line:
// exit 4 for a full disk or an I/O error (free space, run it again), exit 2 for a place that
// takes no files (EACCES, EROFS).
import { rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { EXIT } from './exit-codes.js';
import { UserError, errorCode } from './errors.js';

/** errno codes of a write that failed for lack of room or by the device: not the user's place, the disk's state. */
const DISK = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO']);

/** The one line for a report write that failed: "disk full writing <what>: …" (exit 4), or "Cannot write <what>: <errno>" (exit 2). */
export function outputWriteError(what: string, err: unknown): UserError {
  const code = errorCode(err);
  if (!DISK.has(code)) return new UserError(`Cannot write ${what}: ${code}`);
  const why = code === 'EIO' ? 'I/O error' : 'disk full';
  return new UserError(
    `${why} writing ${what} (${code}): the files already there are whole; free space, then run it again`,
    EXIT.writeFailed,
  );
}

/** Writes `path` whole (through `<path>.partial`), or throws outputWriteError and leaves no .partial. */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  const partial = `${path}.partial-${process.pid}`; // this process's own: two writers never swap in each other's
  try {
    const file = await open(partial, 'w');
    try {
      await file.writeFile(text);
      await file.sync(); // on disk before the rename makes it the file
    } finally {
      await file.close();
    }
    await rename(partial, path);
  } catch (err) {
    rmSync(partial, { force: true });
    throw outputWriteError(path, err);
  }
}

/** Whether a failure is the disk's (full, I/O): such a failure exits 4. */
export function diskFailure(err: unknown): boolean {
  return DISK.has(errorCode(err));
}

// Writing a report file (leaderboard, comparison, sweep report): whole or not at all. Each file
// goes to <file>.partial-<pid> and is renamed over the old one, so a disk that fills leaves the
// previous file as it was, never a truncated one that reads as complete. A failure is one line:
// exit 4 for a full disk or an I/O error (free space, run it again), exit 2 for a place that
// takes no files (EACCES, EROFS).
import { rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from './exit-codes.js';
import { UserError, diskFailure, errorCode } from './errors.js';
import { createDir, removeCreatedDirs } from './out-dir.js';

/** The one line for a report write that failed: "disk full writing <what>: …" (exit 4), or "Cannot write <what>: <errno>" (exit 2). */
export function outputWriteError(what: string, err: unknown): UserError {
  const code = errorCode(err);
  if (!diskFailure(err)) return new UserError(`Cannot write ${what}: ${code}`);
  const why = code === 'EIO' ? 'I/O error' : 'disk full';
  return new UserError(
    `${why} writing ${what} (${code}): the files already there are whole; free space, then run it again`,
    EXIT.writeFailed,
  );
}

/** Writes `path` whole (through `<path>.partial-<pid>`), or throws outputWriteError and leaves no partial file. */
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

/** Writes report files into `dir` (made if missing), each whole; on a failure the folders it made go again. */
export async function writeOutputFiles(dir: string, files: Record<string, string>): Promise<string[]> {
  const created = createDir(dir);
  try {
    for (const [name, text] of Object.entries(files)) await writeOutputFile(join(dir, name), text);
  } catch (err) {
    removeCreatedDirs(created);
    throw err;
  }
  return Object.keys(files).map((name) => join(dir, name));
}

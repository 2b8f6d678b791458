// A file written whole or not at all: one checked write of every byte, fsynced; on any failure
// (a short write, ENOSPC) nothing partial is left behind. Plans and set-aside record fragments use it.
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { WriteError, errorCode, writeErrorOf } from '../util/errors.js';

/** Writes `bytes` to `path`: 'w' replaces a file, 'wx' refuses one that exists (EEXIST, left untouched). */
export function writeWholeFile(path: string, bytes: Uint8Array, flag: 'w' | 'wx'): void {
  try {
    const fd = openSync(path, flag);
    try {
      const written = writeSync(fd, bytes);
      if (written !== bytes.length)
        throw new WriteError(path, 'ENOSPC', `short write: ${written} of ${bytes.length} bytes`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') rmSync(path, { force: true });
    throw writeErrorOf(path, err);
  }
}

// Where results may go. An --out folder is checked first, without creating anything (a command
// that then fails on another flag leaves no folder behind), and created only when the run is
// about to write, one level at a time: Node's recursive mkdir never returns inside /proc, and
// reports a read-only filesystem as ENOENT. Every refusal names its cause: the errno, or the file in the way.
import { accessSync, constants, mkdirSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UserError, diskFailure, errorCode } from './errors.js';
import { EXIT } from './exit-codes.js';

/** Kernel filesystems: writing results there is never meant (and /proc can hang a recursive mkdir). */
const KERNEL_TREES = ['/proc', '/sys', '/dev'];

function kernelTree(path: string): string | undefined {
  return KERNEL_TREES.find((tree) => path === tree || path.startsWith(`${tree}${sep}`));
}

/** The nearest folder of `path` (itself or an ancestor) that exists, and what lies below it. */
function nearestExisting(path: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let p = path;
  for (;;) {
    try {
      statSync(p);
      return { existing: p, missing };
    } catch {
      const up = dirname(p);
      if (up === p) return { existing: p, missing };
      missing.unshift(p);
      p = up;
    }
  }
}

/**
 * Checks that `dir` could be created and written, creating nothing: not in a kernel
 * filesystem (even through a symlink), and its nearest existing folder a writable directory.
 * `flag` and `given` name it in the refusal; returns the absolute path.
 */
export function checkWritableDir(dir: string, flag: string, given: string): string {
  const abs = resolve(dir);
  const { existing } = nearestExisting(abs);
  const real = join(realpathSync(existing), relative(existing, abs));
  const tree = kernelTree(abs) ?? kernelTree(real);
  if (tree) throw new UserError(`${flag} ${given}: inside ${tree}, a kernel filesystem, not a place for results`);
  if (!statSync(existing).isDirectory())
    throw new UserError(`Cannot write results to ${abs}: ${existing} is not a folder`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new UserError(`Cannot write results to ${abs}: ${errorCode(err)}`);
  }
  return abs;
}

/**
 * Creates `dir` and the folders above it that are missing, one at a time; a failure names its
 * errno. Returns the folders it created, outermost first (for removeCreatedDirs).
 */
export function createDir(dir: string): string[] {
  const abs = resolve(dir);
  const created: string[] = [];
  for (const level of nearestExisting(abs).missing) {
    try {
      mkdirSync(level);
      created.push(level);
    } catch (err) {
      if (errorCode(err) === 'EEXIST' && statSync(level).isDirectory()) continue; // made meanwhile
      removeCreatedDirs(created); // leave the user's folder as it was
      // A full disk (or out of inodes) is the disk's state, not a mistake: exit 4, as a full disk mid-run.
      throw new UserError(
        `Cannot write results to ${abs}: ${errorCode(err)}`,
        diskFailure(err) ? EXIT.writeFailed : EXIT.userError,
      );
    }
  }
  try {
    accessSync(abs, constants.W_OK);
  } catch (err) {
    throw new UserError(`Cannot write results to ${abs}: ${errorCode(err)}`);
  }
  return created;
}

/**
 * Removes folders createDir made, innermost first, while they are empty: a command that fails
 * before it wrote anything leaves the user's folder as it found it. One that is not empty (or
 * gone) stays as it is.
 */
export function removeCreatedDirs(created: readonly string[]): void {
  for (const dir of [...created].reverse()) {
    try {
      rmdirSync(dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') continue; // already gone
      return; // not empty: it and the folders above it hold something now
    }
  }
}

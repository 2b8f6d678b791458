// A small real filesystem that fills up: a tmpfs of a few hundred KB, mounted where the tests
// run as root (mount works). Elsewhere `smallDiskAvailable` is false and the tests that need
// one use the writer's stub filesystem instead.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './env.js';

function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Root, and mount works (a container may forbid it): a real full disk can be made. */
export const smallDiskAvailable: boolean = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = tempDir('joulebench-tmpfs-probe-');
  const ok = tryMount(probe, 'size=64k');
  if (ok) execFileSync('umount', [probe]);
  return ok;
})();

export interface SmallDisk {
  dir: string;
  /** Bytes the disk can still take (what a writer may append before ENOSPC). */
  freeBytes(): number;
  /** Fills the disk until at most `leave` bytes are free (a filler file; free() removes it). */
  fill(leave: number): void;
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `sizeKB` (options such as "ro" after it) in a fresh temp folder. */
export function mountSmallDisk(sizeKB: number, extra = ''): SmallDisk {
  const dir = tempDir('joulebench-small-disk-');
  if (!tryMount(dir, `size=${sizeKB}k${extra ? `,${extra}` : ''}`)) throw new Error(`mount tmpfs on ${dir} failed`);
  const filler = join(dir, 'filler');
  const freeBytes = () => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    freeBytes,
    fill(leave) {
      const fd = openSync(filler, 'a');
      try {
        const page = Buffer.alloc(4096);
        while (freeBytes() > leave) writeSync(fd, page, 0, Math.min(page.length, freeBytes() - leave));
      } finally {
        closeSync(fd);
      }
    },
    free: () => rmSync(filler, { force: true }),
    unmount: () => execFileSync('umount', [dir]),
  };
}

// One process per run: <runs>/<run-id>.lock, created with O_EXCL and holding who has it (pid,
// host, boot, start time, command). A second process on the same run, new or resumed, is
// refused and told who holds it; a lock left by a process that no longer runs on this host
// (a SIGKILL, a crash, a reboot) is taken over with a note. Without it two processes would
// measure the same cells and both write them.
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { UserError, WriteError, errorCode } from '../util/errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id where there is one: a lock from before a reboot is stale. */
  bootId: string | null;
  startedAt: string;
  command: string;
}

export interface RunLock {
  readonly path: string;
  /** Removes the lock if it is still this process's (idempotent). */
  release(): void;
}

export function lockPath(runsDir: string, runId: string): string {
  return `${runsDir}/${runId}.lock`;
}

function currentBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM'; // alive, another user's
  }
}

/** A lock with no readable holder may be one being written this instant; after this long it is debris. */
const UNREADABLE_GRACE_MS = 10_000;

type Verdict = { stale: true; why: string } | { stale: false; refusal: string };

function judge(path: string, text: string, runId: string): Verdict {
  let holder: LockHolder | undefined;
  try {
    holder = JSON.parse(text) as LockHolder;
  } catch {
    holder = undefined;
  }
  if (holder === undefined || typeof holder.pid !== 'number') {
    const ageMs = Date.now() - statSync(path).mtimeMs;
    return ageMs > UNREADABLE_GRACE_MS
      ? { stale: true, why: 'it names no holder (a crash while it was created)' }
      : { stale: false, refusal: `Run '${runId}' is being started by another process (${path} was just created)` };
  }
  const who = `pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}`;
  if (holder.host !== hostname()) {
    return {
      stale: false,
      refusal:
        `Run '${runId}' is in use by ${who} (${path}): wait for it to finish; ` +
        `if it no longer runs on ${holder.host}, delete ${path}`,
    };
  }
  const bootId = currentBootId();
  if (holder.bootId && bootId && holder.bootId !== bootId)
    return { stale: true, why: `it was taken by ${who}, before this machine rebooted` };
  if (!isAlive(holder.pid)) return { stale: true, why: `${who} no longer runs` };
  return {
    stale: false,
    refusal:
      `Run '${runId}' is in use by ${who} (${holder.command}): wait for it to finish or stop it. ` +
      `Two processes on one run would measure and record the same cells (lock: ${path})`,
  };
}

/** Creates the lock file or throws EEXIST; a write that fails removes it again (WriteError). */
function create(path: string, holder: LockHolder): void {
  const fd = openSync(path, 'wx');
  try {
    const text = Buffer.from(`${JSON.stringify(holder)}\n`);
    if (writeSync(fd, text) !== text.length) throw new WriteError(path, 'ENOSPC', 'short write');
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(path);
    throw err instanceof WriteError ? err : new WriteError(path, errorCode(err));
  }
  closeSync(fd);
}

/**
 * Moves a stale lock out of the way. Rename is atomic, so of two processes taking over the
 * same stale lock only one moves it; one that finds it moved a fresh lock instead puts it back.
 */
function clearStale(path: string, judged: string): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return; // another process moved it first
    throw err;
  }
  if (readFileSync(aside, 'utf8') !== judged) {
    try {
      linkSync(aside, path); // not the one judged stale: a live lock, restored
    } catch {
      // a third process holds the run by now; the loop in acquireRunLock re-reads it
    }
  }
  unlinkSync(aside);
}

/** Takes `<runsDir>/<runId>.lock` or throws a UserError naming its holder. */
export function acquireRunLock(runsDir: string, runId: string, note: (line: string) => void): RunLock {
  const path = lockPath(runsDir, runId);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    bootId: currentBootId(),
    startedAt: new Date().toISOString(),
    command: ['joulebench', ...process.argv.slice(2)].join(' '),
  };
  let refusal = `Run '${runId}' is in use by another process (${path})`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      create(path, holder);
      return ownLock(path, holder);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    const verdict = judge(path, text, runId);
    if (!verdict.stale) {
      refusal = verdict.refusal;
      break;
    }
    clearStale(path, text);
    note(`Note: run '${runId}' was locked, but ${verdict.why}: taking the lock over (${path})`);
  }
  throw new UserError(refusal);
}

function ownLock(path: string, holder: LockHolder): RunLock {
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      try {
        const now = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
        if (now.pid === holder.pid && now.startedAt === holder.startedAt) unlinkSync(path);
      } catch {
        // already gone, or not ours any more: leave it
      }
    },
  };
}

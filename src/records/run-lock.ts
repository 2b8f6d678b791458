// One process per run: <runs>/<run-id>.lock, created with O_EXCL and holding who has it (pid,
// host, boot, start time, command). A second process on the same run, new or resumed, is
// refused and told who holds it; a lock left by a process that no longer runs on this host
// (a SIGKILL, a crash, a reboot) is taken over with a note, by one process only (the one that
// creates <run-id>.lock.takeover). Without it two processes would measure the same cells and
// both write them.
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { UserError, WriteError, errorCode } from '../util/errors.js';

interface LockHolder {
  pid: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id where there is one: a lock from before a reboot is stale. */
  bootId: string | null;
  startedAt: string;
  command: string;
}

interface RunLock {
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

/** A file with no readable holder may be one being written this instant; after this long it is debris. */
const UNREADABLE_GRACE_MS = 10_000;
/** A takeover takes milliseconds: a guard older than this was left by one that died or hung. */
const TAKEOVER_STALE_MS = 10_000;
/** How long to wait for another process's takeover to finish before refusing. */
const TAKEOVER_WAIT_MS = 2_000;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function parseHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder?.pid === 'number' ? holder : undefined;
  } catch {
    return undefined;
  }
}

const whoIs = (holder: LockHolder) => `pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}`;

/** Why a holder on this host no longer runs (a reboot, or its pid gone), or undefined. */
function goneWhy(holder: LockHolder): string | undefined {
  const bootId = currentBootId();
  if (holder.bootId && bootId && holder.bootId !== bootId)
    return `it was taken by ${whoIs(holder)}, before this machine rebooted`;
  if (!isAlive(holder.pid)) return `${whoIs(holder)} no longer runs`;
  return undefined;
}

type Verdict = { stale: true; why: string } | { stale: false; refusal: string };

function judge(path: string, text: string, runId: string): Verdict {
  const holder = parseHolder(text);
  if (holder === undefined) {
    const ageMs = Date.now() - statSync(path).mtimeMs;
    return ageMs > UNREADABLE_GRACE_MS
      ? { stale: true, why: 'it names no holder (a crash while it was created)' }
      : { stale: false, refusal: `Run '${runId}' is being started by another process (${path} was just created)` };
  }
  const who = whoIs(holder);
  if (holder.host !== hostname()) {
    return {
      stale: false,
      refusal:
        `Run '${runId}' is in use by ${who} (${path}): wait for it to finish; ` +
        `if it no longer runs on ${holder.host}, delete ${path}`,
    };
  }
  const why = goneWhy(holder);
  if (why) return { stale: true, why };
  return {
    stale: false,
    refusal:
      `Run '${runId}' is in use by ${who} (${holder.command}): wait for it to finish or stop it. ` +
      `Two processes on one run would measure and record the same cells (lock: ${path})`,
  };
}

/** Creates the file or throws EEXIST; a write that fails removes it again (WriteError). */
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

const readIfThere = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
};

/**
 * Removes a takeover guard left by a takeover that died (its pid gone, or older than a takeover
 * takes). Rename is atomic and the content is checked after it, so a guard created meanwhile by
 * a live takeover is put back, not removed.
 */
function clearDeadGuard(guard: string): void {
  const text = readIfThere(guard);
  if (text === undefined) return;
  const holder = parseHolder(text);
  const old = Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS;
  const dead = holder !== undefined && holder.host === hostname() && goneWhy(holder) !== undefined;
  if (!old && !dead) return;
  const aside = `${guard}.stale-${process.pid}`;
  try {
    renameSync(guard, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return; // removed meanwhile
    throw err;
  }
  if (readFileSync(aside, 'utf8') !== text) {
    try {
      linkSync(aside, guard); // a live takeover's guard: restored
    } catch {
      // yet another guard by now: it stands
    }
  }
  unlinkSync(aside);
}

/**
 * Replaces the stale lock whose content was `judged` by this process's. Of processes that judged
 * it stale, only the one that creates `<lock>.takeover` (O_EXCL) removes the lock and creates its
 * own; without the guard, one could remove the lock another had just taken over. 'busy': another
 * takeover is under way; 'changed': the lock is no longer the one judged (look again).
 */
function takeOver(path: string, judged: string, holder: LockHolder): 'taken' | 'busy' | 'changed' {
  const guard = `${path}.takeover`;
  try {
    create(guard, holder);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
    clearDeadGuard(guard);
    return 'busy';
  }
  try {
    if (readIfThere(path) !== judged) return 'changed';
    unlinkSync(path); // under the guard, only its holder removes a stale lock
    try {
      create(path, holder);
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return 'changed'; // a new run took the free name first
      throw err;
    }
    return 'taken';
  } finally {
    rmSync(guard, { force: true });
  }
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
  const waitUntil = Date.now() + TAKEOVER_WAIT_MS;
  for (let attempt = 0; attempt < 3; ) {
    try {
      create(path, holder);
      return ownLock(path, holder);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    const text = readIfThere(path);
    if (text === undefined) {
      attempt++; // released meanwhile
      continue;
    }
    const verdict = judge(path, text, runId);
    if (!verdict.stale) {
      refusal = verdict.refusal;
      break;
    }
    const outcome = takeOver(path, text, holder);
    if (outcome === 'taken') {
      note(`Note: run '${runId}' was locked, but ${verdict.why}: taking the lock over (${path})`);
      return ownLock(path, holder);
    }
    if (outcome === 'changed') attempt++;
    else if (Date.now() > waitUntil) {
      refusal =
        `Run '${runId}' is being taken over by another process (${path}.takeover): try again; ` +
        `if none is running, delete ${path}.takeover`;
      break;
    } else sleep(20);
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
        const now = parseHolder(readFileSync(path, 'utf8'));
        if (now?.pid === holder.pid && now.startedAt === holder.startedAt) unlinkSync(path);
      } catch {
        // already gone, or not ours any more: leave it
      }
    },
  };
}

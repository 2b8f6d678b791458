// How the machine's CPU time was shared while a window was open: this process's part and what
// every other process took (the kernel's per-CPU busy times, os.cpus(), minus ours), over the
// CPUs this process may run on (its affinity: a cpuset's neighbours elsewhere do not compete).
// A second run on the same machine shows here at once, where the 1-minute load average lags a
// window by most of a minute.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CpuSnapshot {
  atMs: number;
  /** Busy CPU time (user, nice, system, irq) of the CPUs this process may use, ms. */
  machineBusyMs: number;
  /** This process's CPU time, every thread of it, ms. */
  ownMs: number;
  threads: number;
}

/** The kernel's CPU times tick in 10 ms steps (USER_HZ 100): each CPU's difference may be off by one. */
const TICK_MS = 10;
/** A share is kept only when those ticks cannot move it by more than this (a quarter of the contention threshold). */
const MAX_TICK_ERROR = 0.025;

/** CPU indices this process may run on (Linux: Cpus_allowed_list), or undefined to count them all. */
function allowedCpus(): Set<number> | undefined {
  try {
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (!line) return undefined;
    const allowed = new Set<number>();
    for (const range of line.trim().split(',')) {
      const [from, to = from] = range.split('-').map(Number);
      for (let c = from!; c <= to!; c++) allowed.add(c);
    }
    return allowed;
  } catch {
    return undefined; // not Linux: every CPU
  }
}

const allowed = allowedCpus();

export function cpuSnapshot(): CpuSnapshot {
  let machineBusyMs = 0;
  let threads = 0;
  for (const [i, { times }] of cpus().entries()) {
    if (allowed && !allowed.has(i)) continue;
    machineBusyMs += times.user + times.nice + times.sys + times.irq;
    threads++;
  }
  const { user, system } = process.cpuUsage();
  return { atMs: performance.now(), machineBusyMs, ownMs: (user + system) / 1000, threads };
}

/**
 * Shares (0–1) of the CPU capacity this process may use between two snapshots: its own and the
 * others'; null for a window so short that the kernel's 10 ms ticks could move them by more
 * than MAX_TICK_ERROR (under 0.4 s).
 */
export function cpuShare(open: CpuSnapshot, close: CpuSnapshot): { own: number; others: number } | null {
  const wallMs = close.atMs - open.atMs;
  if (wallMs <= 0 || TICK_MS / wallMs > MAX_TICK_ERROR) return null;
  const capacityMs = wallMs * open.threads;
  const own = Math.min(1, (close.ownMs - open.ownMs) / capacityMs);
  // Ticks against our µs: a small negative remainder is rounding; others never exceed what we left.
  const others = Math.min(1 - own, Math.max(0, (close.machineBusyMs - open.machineBusyMs) / capacityMs - own));
  return { own, others };
}

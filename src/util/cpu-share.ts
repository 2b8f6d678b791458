// How the machine's CPU time was shared while a window was open: this process's part and what
// every other process took (the kernel's per-CPU busy times, os.cpus(), minus ours). A second
// run on the same machine shows here at once, where the 1-minute load average lags a window by
// most of a minute.
import { cpus } from 'node:os';

export interface CpuSnapshot {
  atMs: number;
  /** Busy CPU time of the whole machine (user, nice, system, irq), ms. */
  machineBusyMs: number;
  /** This process's CPU time, every thread of it, ms. */
  ownMs: number;
  threads: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const list = cpus();
  let machineBusyMs = 0;
  for (const { times } of list) machineBusyMs += times.user + times.nice + times.sys + times.irq;
  const { user, system } = process.cpuUsage();
  return { atMs: performance.now(), machineBusyMs, ownMs: (user + system) / 1000, threads: list.length };
}

/** Shares (0–1) of the machine's CPU capacity between two snapshots: this process's and the others'. */
export function cpuShare(open: CpuSnapshot, close: CpuSnapshot): { own: number; others: number } {
  const capacityMs = (close.atMs - open.atMs) * open.threads;
  if (capacityMs <= 0) return { own: 0, others: 0 };
  const own = close.ownMs - open.ownMs;
  // The kernel's times tick in 10 ms steps, ours in µs: a small negative remainder is rounding.
  const others = Math.max(0, close.machineBusyMs - open.machineBusyMs - own);
  return { own: own / capacityMs, others: others / capacityMs };
}

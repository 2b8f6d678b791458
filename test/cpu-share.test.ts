// Contention measured, not guessed from a lagging load average: the share of the machine's CPU
// time that other processes took while a window was open, from os.cpus() (the kernel's
// per-CPU times) minus this process's own CPU time.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuShare, cpuSnapshot } from '../src/util/cpu-share.js';
import { sleep } from './helpers/energy.js';

function busyChildren(n: number, ms: number) {
  const code = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);`;
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
}

describe('the CPU share of a window', () => {
  it("charges other processes' CPU to others, and this process's own to own", async () => {
    const threads = availableParallelism();
    const children = busyChildren(threads, 1500);
    await sleep(300); // let them start spinning
    const open = cpuSnapshot();
    await sleep(800);
    const during = cpuShare(open, cpuSnapshot())!;
    await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))));
    expect(during.others).toBeGreaterThan(0.5); // every hardware thread had a spinning neighbour
    expect(during.own).toBeLessThan(0.1); // this process only slept

    const mine = cpuSnapshot();
    const end = performance.now() + 600;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    const own = cpuShare(mine, cpuSnapshot())!;
    expect(x).toBeGreaterThan(0);
    // One busy thread of `threads`: its share of the machine (timer ticks: 10 ms granularity).
    expect(own.own * threads).toBeGreaterThan(0.8);
    expect(own.own * threads).toBeLessThan(1.2);
  });

  it('charges our own CPU time to us, not to others, and caps others at what we left', () => {
    const at = (atMs: number, machineBusyMs: number, ownMs: number) => ({ atMs, machineBusyMs, ownMs, threads: 2 });
    // 1 s on 2 threads: 2,000 ms of capacity; the machine was busy 1,500 ms, 500 of them ours.
    expect(cpuShare(at(0, 1000, 100), at(1000, 2500, 600))).toEqual({ own: 0.25, others: 0.5 });
    // Ticks that overshoot (the kernel's 10 ms steps) never make others more than the rest.
    expect(cpuShare(at(0, 0, 0), at(1000, 2100, 1000))).toEqual({ own: 0.5, others: 0.5 });
    // The kernel counted less than our µs-exact own time: others are 0, not negative.
    expect(cpuShare(at(0, 0, 0), at(1000, 490, 500))!.others).toBe(0);
  });

  it('gives no share for a window the 10 ms ticks could move by more than 2.5% (under 0.4 s)', () => {
    const at = (atMs: number, machineBusyMs: number) => ({ atMs, machineBusyMs, ownMs: 0, threads: 2 });
    expect(cpuShare(at(0, 0), at(15, 20))).toBeNull(); // 20 ms of ticks in 30 ms of capacity: 67% "others"
    expect(cpuShare(at(0, 0), at(399, 0))).toBeNull();
    expect(cpuShare(at(0, 0), at(400, 0))).toEqual({ own: 0, others: 0 });
  });
});

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
    const during = cpuShare(open, cpuSnapshot());
    await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))));
    expect(during.others).toBeGreaterThan(0.5); // every hardware thread had a spinning neighbour
    expect(during.own).toBeLessThan(0.1); // this process only slept

    const mine = cpuSnapshot();
    const end = performance.now() + 400;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    const own = cpuShare(mine, cpuSnapshot());
    expect(x).toBeGreaterThan(0);
    // One busy thread of `threads`: its share of the machine (timer ticks: 10 ms granularity).
    expect(own.own * threads).toBeGreaterThan(0.8);
    expect(own.own * threads).toBeLessThan(1.2);
  });
});

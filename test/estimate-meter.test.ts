import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DRAM_WATTS_PER_GIB, estimateMeter, type EstimateProbes } from '../src/meters/estimate.js';
import { cpuTdpTable, medianWattsPerThread, wattsPerThread } from '../src/meters/cpu-tdp.js';

function scripted(values: { now: number[]; cpu: number[]; rss: number[] }): EstimateProbes {
  return {
    now: () => values.now.shift()!,
    cpuSeconds: () => values.cpu.shift()!,
    rssBytes: () => values.rss.shift()!,
  };
}

/** CPU seconds the kernel has charged this thread (utime + stime in /proc, USER_HZ = 100 ticks per second). */
function threadCpuS(): number {
  const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('estimate meter', () => {
  it('charges CPU seconds at W/thread and mean RSS at 0.375 W per GiB (1024^3 bytes, as CodeCarbon) over the window', async () => {
    const GiB = 1024 ** 3;
    const probes = scripted({ now: [10, 14], cpu: [1, 3], rss: [1 * GiB, 3 * GiB] });
    const meter = estimateMeter({ cpuWatts: 5, probes });
    const window = await meter.start();
    const r = await window.stop();
    expect(r.kind).toBe('estimated');
    expect(r.meter).toBe('estimate');
    expect(r.durationS).toBe(4);
    expect(r.components.cpu).toBeCloseTo(2 * 5); // 2 CPU-seconds x 5 W
    expect(DRAM_WATTS_PER_GIB).toBe(3 / 8);
    expect(r.components.dram).toBeCloseTo(2 * 0.375 * 4, 9); // mean 2 GiB x 0.375 W/GiB x 4 s
    expect(r.joules).toBeCloseTo(10 + 3, 9);
    expect(r.details.meanRssGiB).toBe(2);
    expect(r.details.wattsPerThreadSource).toBe('--cpu-watts');
  });

  it('refuses to stop a window twice', async () => {
    const meter = estimateMeter({ cpuWatts: 1, probes: scripted({ now: [0, 1], cpu: [0, 0], rss: [0, 0] }) });
    const w = await meter.start();
    await w.stop();
    await expect(w.stop()).rejects.toThrow(/already stopped/);
  });

  it('charges the real CPU time a busy loop spends, however loaded the machine is', async () => {
    const meter = estimateMeter({ cpuWatts: 4 });
    // The loop runs until the kernel has charged this thread 150 ms of CPU (not 150 ms of wall
    // time, of which a loaded machine may give it only a part), so the test does not depend on
    // the load; the kernel's own account (/proc, in 10 ms ticks) is independent of the meter's.
    const w = await meter.start();
    const start = threadCpuS();
    let x = 0;
    while (threadCpuS() - start < 0.15) x += Math.sqrt(x + 1);
    const r = await w.stop();
    expect(x).toBeGreaterThan(0);
    // The process's CPU time includes the loop's (other threads may add some; less, beyond one
    // tick, would mean the meter misses CPU time).
    const cpuSeconds = r.details.cpuSeconds as number;
    expect(cpuSeconds).toBeGreaterThan(0.14);
    expect(cpuSeconds).toBeLessThan(0.15 + r.durationS * availableParallelism());
    expect(r.components.cpu).toBeCloseTo(cpuSeconds * 4, 9);
  });
});

describe('CPU TDP table', () => {
  it('derives W/thread from a known CPU', () => {
    const w = wattsPerThread('AMD EPYC 7763 64-Core Processor');
    expect(w.watts).toBeCloseTo(280 / 128);
    expect(w.fallback).toBe(false);
    expect(wattsPerThread('Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz').watts).toBeCloseTo(270 / 80);
  });

  it('falls back to the table median for an unknown CPU and says so', () => {
    const w = wattsPerThread('AMD EPYC');
    expect(w.fallback).toBe(true);
    expect(w.watts).toBe(medianWattsPerThread());
    expect(w.watts).toBeCloseTo(3.4453125, 7); // the figure the README quotes for this VM
    expect(w.source).toMatch(/not in the TDP table/);
    const perThread = cpuTdpTable.map((c) => c.tdpW / c.threads);
    expect(w.watts).toBeGreaterThanOrEqual(Math.min(...perThread));
    expect(w.watts).toBeLessThanOrEqual(Math.max(...perThread));
  });

  it('lets --cpu-watts override the table', () => {
    expect(wattsPerThread('AMD EPYC 7763', 9)).toEqual({ watts: 9, source: '--cpu-watts', fallback: false });
  });
});

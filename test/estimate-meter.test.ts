import { describe, expect, it } from 'vitest';
import { DRAM_WATTS_PER_GB, estimateMeter, type EstimateProbes } from '../src/meters/estimate.js';
import { cpuTdpTable, medianWattsPerThread, wattsPerThread } from '../src/meters/cpu-tdp.js';

function scripted(values: { now: number[]; cpu: number[]; rss: number[] }): EstimateProbes {
  return {
    now: () => values.now.shift()!,
    cpuSeconds: () => values.cpu.shift()!,
    rssBytes: () => values.rss.shift()!,
  };
}

describe('estimate meter', () => {
  it('charges CPU seconds at W/thread and mean RSS at 0.375 W/GB over the window', async () => {
    const probes = scripted({ now: [10, 14], cpu: [1, 3], rss: [1e9, 3e9] });
    const meter = estimateMeter({ cpuWatts: 5, probes });
    const window = await meter.start();
    const r = await window.stop();
    expect(r.kind).toBe('estimated');
    expect(r.meter).toBe('estimate');
    expect(r.durationS).toBe(4);
    expect(r.components.cpu).toBeCloseTo(2 * 5); // 2 CPU-seconds x 5 W
    expect(r.components.dram).toBeCloseTo(2 * DRAM_WATTS_PER_GB * 4); // mean 2 GB x 0.375 W/GB x 4 s
    expect(r.joules).toBeCloseTo(10 + 3);
    expect(r.details.wattsPerThreadSource).toBe('--cpu-watts');
  });

  it('refuses to stop a window twice', async () => {
    const meter = estimateMeter({ cpuWatts: 1, probes: scripted({ now: [0, 1], cpu: [0, 0], rss: [0, 0] }) });
    const w = await meter.start();
    await w.stop();
    await expect(w.stop()).rejects.toThrow(/already stopped/);
  });

  it('charges the real CPU time a busy loop spends', async () => {
    const meter = estimateMeter({ cpuWatts: 4 });
    const w = await meter.start();
    const end = performance.now() + 150;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1); // busy: one thread fully loaded
    const r = await w.stop();
    expect(x).toBeGreaterThan(0);
    // The busy loop kept one thread busy for 150 ms of wall time: the process's CPU time must
    // show it (a little more is other threads; much less would mean the probe misses CPU time).
    const cpuSeconds = r.details.cpuSeconds as number;
    expect(cpuSeconds).toBeGreaterThan(0.12);
    expect(cpuSeconds).toBeLessThan(0.45);
    expect(r.components.cpu).toBeCloseTo(cpuSeconds * 4, 9);
    expect(r.durationS).toBeGreaterThanOrEqual(0.149);
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

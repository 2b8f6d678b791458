import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { probeRapl, type RaplOptions } from '../src/meters/rapl.js';
import { PowercapFixture } from './helpers/powercap.js';
import { expectWithin, sleep } from './helpers/energy.js';

let fixture: PowercapFixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

async function meter(options: RaplOptions) {
  const probe = await probeRapl(options);
  if (!probe.available) throw new Error(probe.reason);
  return probe.meter;
}

describe('RAPL counter wraparound', () => {
  it('adds one counter range per wrap (scripted counter, as Zeus tests it)', async () => {
    fixture = new PowercapFixture([{ id: 'intel-rapl:0', name: 'package-0', watts: 1, maxRangeUj: 999_999 }]);
    // Discovery reads once; then start, one timer tick, stop: 999,000 -> 400,000 -> 1,000.
    const counter = ['999000', '999000', '400000', '1000'];
    const readFile = (path: string) => (path.endsWith('energy_uj') ? counter.shift()! : readFileSync(path, 'utf8'));
    const clock = [10, 11, 12];
    const m = await meter({ root: fixture.root, readFile, now: () => clock.shift()!, sampleIntervalMs: 200 });
    const w = await m.start();
    await sleep(300); // one tick at 200 ms reads 400,000: the first wrap
    const r = await w.stop();
    // The counter runs 0..999,999: 999,000 -> 400,000 is 401,000 uJ, 400,000 -> 1,000 is 601,000 uJ.
    expect(r.components.cpu).toBeCloseTo(1.002, 9);
    expect(r.details.wraps).toBe(2);
    expect(r.durationS).toBe(2);
  });

  it('follows a fast-wrapping counter through several wraps in a window, within 1% of watts x seconds', async () => {
    // A 2 J range at 5 W wraps every 0.4 s; sampled every 100 ms, no wrap is missed.
    const spec = { id: 'intel-rapl:0', name: 'package-0', watts: 5, maxRangeUj: 2_000_000, startUj: 1_900_000 };
    fixture = new PowercapFixture([spec]);
    const m = await meter({ root: fixture.root, readFile: fixture.readFile, sampleIntervalMs: 100 });
    const w = await m.start();
    await sleep(1000);
    const r = await w.stop();
    expect(r.details.wraps).toBeGreaterThanOrEqual(2); // 0.1 J below the wrap at 5 W, then every 0.4 s
    expectWithin(r.components.cpu, 5 * r.durationS);
    expect((r.details.zones as { wraps: number }[])[0]!.wraps).toBe(r.details.wraps);
  });

  it('warns that a wrap may have been missed when samples were further apart than half a wrap', async () => {
    const spec = { id: 'intel-rapl:0', name: 'package-0', watts: 5, maxRangeUj: 2_000_000 };
    fixture = new PowercapFixture([spec]);
    const m = await meter({ root: fixture.root, readFile: fixture.readFile, sampleIntervalMs: 60_000 }); // no tick inside the window
    const w = await m.start();
    await sleep(300);
    const r = await w.stop();
    expect(r.warnings.join('\n')).toMatch(/a wrap may have been missed/);
  });
});

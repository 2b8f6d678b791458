import { afterAll, describe, expect, it } from 'vitest';
import { counterFigures } from '../src/meters/power-series.js';
import { probeRapl, type RaplMeter, type RaplOptions } from '../src/meters/rapl.js';
import { expectWithin, sleep } from './helpers/energy.js';
import { onePackage, powercapTrees } from './helpers/powercap.js';

const trees = powercapTrees();
afterAll(() => trees.closeAll());

async function meter(options: RaplOptions): Promise<RaplMeter> {
  const probe = await probeRapl(options);
  if (!probe.available) throw new Error(probe.reason);
  return probe.meter as RaplMeter;
}

describe.concurrent('RAPL counter wraparound', () => {
  it('adds one counter range per wrap (scripted readings, as Zeus tests it)', () => {
    // The counter runs 0..999,999: 999,000 -> 400,000 is 401,000 uJ, 400,000 -> 1,000 is 601,000 uJ.
    const points = [
      { t: 10, uj: 999_000 },
      { t: 11, uj: 400_000 },
      { t: 12, uj: 1_000 },
    ];
    const f = counterFigures(points, 999_999);
    expect(f.joules).toBeCloseTo(1.002, 9);
    expect(f.wraps).toBe(2);
    expect(f.maxGapS).toBe(1);
    expect(f.steps).toEqual({ start: 10, ends: [11, 12], watts: [0.401, 0.601] });
  });

  it('samples often enough for the counter range and power limit of each zone', async () => {
    // A 2 J range at a 10 W limit wraps in 0.2 s: read every 50 ms.
    const small = await trees.start(
      onePackage(5, { maxRangeUj: 2_000_000, constraints: [{ name: 'long_term', limitW: 10, maxW: 10 }] }),
    );
    expect((await meter({ root: small.root })).sampleMs).toBeCloseTo(50, 3);
    // Without a stated limit the bound is 1,000 W: a real package counter (262 kJ) still only needs 100 ms.
    const real = await trees.start([{ id: 'intel-rapl:0', name: 'package-0', watts: 30 }]);
    expect((await meter({ root: real.root })).sampleMs).toBe(100);
  });

  it('follows a fast-wrapping counter through several wraps in a window, within 1% of watts x seconds', async () => {
    // A 2 J range at 5 W wraps every 0.4 s; sampled every 50 ms (its 10 W limit), no wrap is missed.
    const fixture = await trees.start(
      onePackage(5, {
        maxRangeUj: 2_000_000,
        startUj: 1_900_000,
        constraints: [{ name: 'long_term', limitW: 10, maxW: 10 }],
      }),
    );
    const w = await (await meter({ root: fixture.root })).start();
    await sleep(1000);
    const r = await w.stop();
    expect(r.details.wraps).toBeGreaterThanOrEqual(2);
    expectWithin(r.components.cpu, 5 * r.durationS);
    expect((r.details.zones as { wraps: number }[])[0]!.wraps).toBe(r.details.wraps);
    expect(r.warnings.join('\n')).not.toMatch(/wrap may have been missed/);
  });

  it('warns that a wrap may have been missed when readings were further apart than the wrap time', async () => {
    const fixture = await trees.start(
      onePackage(5, { maxRangeUj: 2_000_000, constraints: [{ name: 'long_term', limitW: 10, maxW: 10 }] }),
    );
    const m = await meter({ root: fixture.root, sampleIntervalMs: 60_000 }); // no reading inside the window
    const w = await m.start();
    await sleep(300);
    const r = await w.stop();
    expect(r.warnings.join('\n')).toMatch(
      /intel-rapl:0 was read 0\.3 s apart, longer than the 0\.2 s its counter takes to wrap at 10 W: a wrap may have been missed/,
    );
  });
});

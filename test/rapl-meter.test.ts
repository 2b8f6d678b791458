import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { probeRapl, type RaplMeter } from '../src/meters/rapl.js';
import type { MeterProbe } from '../src/meters/base.js';
import { onePackage, serverZones, type ZoneSpec, powercapTrees } from './helpers/powercap.js';
import { expectWithin, sleep, staleCounterPct } from './helpers/energy.js';

const trees = powercapTrees();
afterAll(() => trees.closeAll());

function meterOf(probe: MeterProbe): RaplMeter {
  if (!probe.available) throw new Error(`expected RAPL to be available: ${probe.reason}`);
  return probe.meter as RaplMeter;
}

/** The server without psys: packages and DRAM only. */
const noPsys = (): ZoneSpec[] => serverZones().filter((z) => z.name !== 'psys');

describe.concurrent('RAPL meter on a two-socket powercap tree', () => {
  it('sums both packages as cpu and both DRAM zones as dram, within 1% of watts x seconds, with a timeline', async () => {
    const fixture = await trees.start(noPsys());
    const meter = meterOf(await probeRapl({ env: { JOULEBENCH_POWERCAP_ROOT: fixture.root } }));
    expect(meter.kind).toBe('measured');
    expect(meter.components).toEqual(['cpu', 'dram']);
    expect(meter.resolutionS).toBe(0.001);
    const w = await meter.start();
    await sleep(700);
    const r = await w.stop();
    expect(r.meter).toBe('rapl');
    expect(r.durationS).toBeGreaterThan(0.69);
    const gapS = await fixture.maxUpdateGapS();
    const pct = staleCounterPct(gapS, r.durationS);
    expectWithin(r.components.cpu, 50 * r.durationS, pct); // package-0 20 W + package-1 30 W
    expectWithin(r.components.dram, 9 * r.durationS, pct); // 4 W + 5 W
    expect(r.joules).toBeCloseTo(r.components.cpu! + r.components.dram!, 9);
    expect(r.warnings).toEqual([]);
    expect(r.resolutionS).toBe(0.001);
    expect(meter.sampleMs).toBe(100); // a 262 kJ counter wraps in minutes even at 2 x 330 W
    // The power timeline per component: its energy adds up to the reading.
    const energy = (s: { tS: number[]; watts: number[] }) =>
      s.watts.reduce((j, w, i) => j + w * (s.tS[i]! - (i === 0 ? 0 : s.tS[i - 1]!)), 0);
    for (const c of ['cpu', 'dram'] as const) {
      const series = r.timeline![c]!;
      expect(series.tS).toHaveLength(series.watts.length);
      expect(series.watts.length).toBeGreaterThanOrEqual(5);
      expect(Math.abs(energy(series) / r.components[c]! - 1)).toBeLessThan(0.002);
    }
    const cpu = [...r.timeline!.cpu!.watts].sort((a, b) => a - b);
    expect(Math.abs(cpu[Math.floor(cpu.length / 2)]! / 50 - 1) * 100).toBeLessThan(staleCounterPct(gapS, 0.1, 5));
  });

  it('counts each zone once though sysfs shows it nested and again as a top-level link', async () => {
    const fixture = await trees.start(serverZones());
    const meter = meterOf(await probeRapl({ root: fixture.root }));
    const w = await meter.start();
    await sleep(50);
    const zones = (await w.stop()).details.zones as { zone: string; name: string; component: string }[];
    expect(zones.map((z) => `${z.zone} ${z.name} ${z.component}`)).toEqual([
      'intel-rapl:0 package-0 cpu',
      'intel-rapl:0:2 dram dram',
      'intel-rapl:1 package-1 cpu',
      'intel-rapl:1:1 dram dram',
    ]);
  });

  it('leaves out core, uncore (inside the package), psys (the whole platform) and the MMIO copy, and says why', async () => {
    const fixture = await trees.start([
      ...serverZones(),
      { id: 'intel-rapl-mmio:0', name: 'package-0', watts: 20, mirrorOf: 'intel-rapl:0' },
    ]);
    const probe = await probeRapl({ root: fixture.root });
    const meter = meterOf(probe);
    const w = await meter.start();
    const r = await w.stop();
    const excluded = r.details.excluded as { zone: string; name: string; why: string }[];
    expect(excluded.map((e) => e.zone).sort()).toEqual([
      'intel-rapl-mmio:0',
      'intel-rapl:0:0',
      'intel-rapl:0:1',
      'intel-rapl:1:0',
      'intel-rapl:2',
    ]);
    expect(excluded.find((e) => e.name === 'psys')!.why).toMatch(/double-count/);
    expect(excluded.find((e) => e.zone === 'intel-rapl:0:0')!.why).toMatch(/inside intel-rapl:0/);
    expect(excluded.find((e) => e.zone === 'intel-rapl-mmio:0')!.why).toMatch(/already read as intel-rapl:0/);
    expect(probe.devices).toContainEqual(
      expect.stringMatching(/^intel-rapl:0 package-0 -> cpu, \d+\.\d W at start-up \(power limit 330 W\)$/),
    );
    expect(probe.devices.some((d) => d.startsWith('intel-rapl:2 psys (excluded'))).toBe(true);
    expect(meter.describe()).toMatch(/cpu = intel-rapl:0 package-0 \+ intel-rapl:1 package-1; dram = /);
  });

  it('keeps psys beside package + DRAM as a cross-check, and flags it past 10%', async () => {
    const fixture = await trees.start(serverZones()); // psys 120 W vs 59 W of packages and DRAM
    const w = await meterOf(await probeRapl({ root: fixture.root })).start();
    await sleep(300);
    const r = await w.stop();
    expect(r.joules).toBeCloseTo(r.components.cpu! + r.components.dram!, 9); // psys is not added
    expect(r.crossChecks).toHaveLength(1);
    const check = r.crossChecks![0]!;
    expect(check).toMatchObject({ components: ['cpu', 'dram'], flagged: true });
    const pct = staleCounterPct(await fixture.maxUpdateGapS(), r.durationS, 3); // the flag is what counts here
    expectWithin(check.primary.joules, 59 * r.durationS, pct);
    expectWithin(check.secondary.joules, 120 * r.durationS, pct);
    expect(check.difference).toBeCloseTo(120 / 59 - 1, 1);
    expect(r.warnings.join('\n')).toMatch(/intel-rapl:2 psys \(the whole platform\) read \+10\d% of package \+ DRAM/);
  });

  it('keeps package and DRAM figures, without the cross-check, when psys cannot be read at a window end', async () => {
    const fixture = await trees.start(serverZones());
    let psysFails = false;
    const readFile = (path: string) => {
      if (psysFails && path.includes('intel-rapl:2/'))
        throw Object.assign(new Error(`EIO: i/o error, read '${path}'`), { code: 'EIO' });
      return readFileSync(path, 'utf8');
    };
    // The same tree read twice over the same interval: the second meter's psys never fails.
    const failing = meterOf(await probeRapl({ root: fixture.root, readFile }));
    const reference = meterOf(await probeRapl({ root: fixture.root }));
    const [w, ref] = [await failing.start(), await reference.start()];
    await sleep(300);
    psysFails = true; // the window's end reads it through readFile, on this thread
    const r = await w.stop();
    const expected = await ref.stop();
    // Both windows' ends are read a moment apart: compare power, allowing for stale stand-in counters.
    const pct = 2 * staleCounterPct(await fixture.maxUpdateGapS(), expected.durationS, 1);
    expectWithin(r.components.cpu! / r.durationS, expected.components.cpu! / expected.durationS, pct);
    expectWithin(r.components.dram! / r.durationS, expected.components.dram! / expected.durationS, pct);
    expect(expected.crossChecks).toHaveLength(1);
    expect(r.crossChecks).toBeUndefined();
    expect(r.warnings).toContainEqual(
      'rapl: cannot read intel-rapl:2 psys at the window end: the package + DRAM figures are kept, without their cross-check against psys',
    );
  });

  it('keeps two overlapping windows apart (idle baseline around a run)', async () => {
    const fixture = await trees.start(onePackage(40));
    const meter = meterOf(await probeRapl({ root: fixture.root }));
    const baseline = await meter.start();
    await sleep(200);
    const run = await meter.start();
    await sleep(500);
    const r = await run.stop();
    await sleep(100);
    const b = await baseline.stop();
    expect(b.durationS - r.durationS).toBeGreaterThan(0.28);
    const gapS = await fixture.maxUpdateGapS();
    expectWithin(r.components.cpu, 40 * r.durationS, staleCounterPct(gapS, r.durationS));
    expectWithin(b.components.cpu, 40 * b.durationS, staleCounterPct(gapS, b.durationS));
  });

  it('reads exactly the counter values the files hold at the window ends', async () => {
    const fixture = await trees.start([
      { id: 'intel-rapl:0', name: 'package-0', watts: 10 },
      { id: 'intel-rapl:0:2', name: 'dram', watts: 2 },
    ]);
    const meter = meterOf(await probeRapl({ root: fixture.root, sampleIntervalMs: 60_000 }));
    await fixture.write('intel-rapl:0', 5_000_000);
    await fixture.write('intel-rapl:0:2', 100);
    const w = await meter.start();
    await fixture.write('intel-rapl:0', 17_500_000);
    await fixture.write('intel-rapl:0:2', 2_000_100);
    const r = await w.stop();
    expect(r.components).toEqual({ cpu: 12.5, dram: 2 });
    expect(r.joules).toBe(14.5);
  });

  it('refuses to stop a window twice', async () => {
    const fixture = await trees.start(onePackage(10));
    const w = await meterOf(await probeRapl({ root: fixture.root })).start();
    await w.stop();
    await expect(w.stop()).rejects.toThrow(/already stopped/);
  });

  it('warns instead of reporting a silent zero when the counter stops moving', async () => {
    const fixture = await trees.start(onePackage(10));
    const meter = meterOf(await probeRapl({ root: fixture.root }));
    await fixture.write('intel-rapl:0', 123_456_789); // stuck from now on
    const w = await meter.start();
    await sleep(20);
    const r = await w.stop();
    expect(r.components.cpu).toBe(0);
    expect(r.warnings.join('\n')).toMatch(/cpu read 0 J over .* did not advance/);
  });

  it('warns that a window is shorter than 200 x the resolution', async () => {
    const fixture = await trees.start(onePackage(10));
    const meter = meterOf(await probeRapl({ root: fixture.root }));
    // Scripted counter values: on a loaded machine the stand-in's updates may pause for longer than
    // this window, which the meter would rightly also report as a counter that did not advance.
    await fixture.write('intel-rapl:0', 1_000_000);
    const w = await meter.start();
    await sleep(50);
    await fixture.write('intel-rapl:0', 1_500_000);
    const r = await w.stop();
    expect(r.durationS).toBeLessThan(0.2);
    expect(r.warnings).toEqual([
      `window of ${r.durationS.toFixed(3)} s is shorter than 200 × this meter's resolution (0.001 s): resolution alone may put the figure off by more than 1% (see --min-window-seconds, or --idle-seconds for the idle baseline)`,
    ]);
  });
});

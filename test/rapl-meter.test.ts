import { afterEach, describe, expect, it } from 'vitest';
import { probeRapl, type RaplMeter } from '../src/meters/rapl.js';
import type { MeterProbe } from '../src/meters/base.js';
import { PowercapFixture, serverZones } from './helpers/powercap.js';
import { expectWithin, sleep } from './helpers/energy.js';

let fixture: PowercapFixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function meterOf(probe: MeterProbe): RaplMeter {
  if (!probe.available) throw new Error(`expected RAPL to be available: ${probe.reason}`);
  return probe.meter as RaplMeter;
}

describe('RAPL meter on a two-socket powercap tree', () => {
  it('sums both packages as cpu and both DRAM zones as dram, within 1% of watts x seconds', async () => {
    fixture = new PowercapFixture(serverZones());
    const meter = meterOf(
      await probeRapl({ env: { JOULEBENCH_POWERCAP_ROOT: fixture.root }, readFile: fixture.readFile }),
    );
    expect(meter.kind).toBe('measured');
    expect(meter.components).toEqual(['cpu', 'dram']);
    const w = await meter.start();
    await sleep(1000);
    const r = await w.stop();
    expect(r.meter).toBe('rapl');
    expect(r.durationS).toBeGreaterThan(0.99);
    expectWithin(r.components.cpu, 50 * r.durationS); // package-0 20 W + package-1 30 W
    expectWithin(r.components.dram, 9 * r.durationS); // 4 W + 5 W
    expect(r.joules).toBeCloseTo(r.components.cpu! + r.components.dram!, 9);
    expect(r.warnings).toEqual([]);
  });

  it('counts each zone once though sysfs shows it nested and again as a top-level link', async () => {
    fixture = new PowercapFixture(serverZones());
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

  it('leaves out core, uncore (inside the package) and psys (the whole platform), and says why', async () => {
    fixture = new PowercapFixture(serverZones(), { mmio: true });
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
    expect(probe.devices).toContain('intel-rapl:0 package-0 -> cpu');
    expect(probe.devices.some((d) => d.startsWith('intel-rapl:2 psys (excluded'))).toBe(true);
    expect(meter.describe()).toMatch(/cpu = intel-rapl:0 package-0 \+ intel-rapl:1 package-1; dram = /);
  });

  it('keeps two overlapping windows apart (idle baseline around a run)', async () => {
    fixture = new PowercapFixture([{ id: 'intel-rapl:0', name: 'package-0', watts: 40 }]);
    const meter = meterOf(await probeRapl({ root: fixture.root, readFile: fixture.readFile }));
    const baseline = await meter.start();
    await sleep(400);
    const run = await meter.start();
    await sleep(1000);
    const r = await run.stop();
    await sleep(300);
    const b = await baseline.stop();
    expect(b.durationS - r.durationS).toBeGreaterThan(0.6);
    expectWithin(r.components.cpu, 40 * r.durationS);
    expectWithin(b.components.cpu, 40 * b.durationS);
  });

  it('reads the counter files themselves by default', async () => {
    fixture = new PowercapFixture([
      { id: 'intel-rapl:0', name: 'package-0', watts: 0 },
      { id: 'intel-rapl:0:2', name: 'dram', watts: 0 },
    ]);
    fixture.write('intel-rapl:0', 5_000_000);
    fixture.write('intel-rapl:0:2', 100);
    const meter = meterOf(await probeRapl({ root: fixture.root, sampleIntervalMs: 60_000 }));
    const w = await meter.start();
    fixture.write('intel-rapl:0', 17_500_000);
    fixture.write('intel-rapl:0:2', 2_000_100);
    const r = await w.stop();
    expect(r.components).toEqual({ cpu: 12.5, dram: 2 });
    expect(r.joules).toBe(14.5);
  });

  it('refuses to stop a window twice', async () => {
    fixture = new PowercapFixture([{ id: 'intel-rapl:0', name: 'package-0', watts: 10 }]);
    const w = await meterOf(await probeRapl({ root: fixture.root })).start();
    await w.stop();
    await expect(w.stop()).rejects.toThrow(/already stopped/);
  });

  it('warns instead of reporting a silent zero when the counter does not move', async () => {
    fixture = new PowercapFixture([{ id: 'intel-rapl:0', name: 'package-0', watts: 0 }]);
    const w = await meterOf(await probeRapl({ root: fixture.root, readFile: fixture.readFile })).start();
    await sleep(20);
    const r = await w.stop();
    expect(r.components.cpu).toBe(0);
    expect(r.warnings.join('\n')).toMatch(/cpu read 0 J over .* did not advance/);
  });
});

// RAPL zones as real kernels name and number them (drivers/powercap/powercap_sys.c and
// intel_rapl_common.c): hexadecimal zone ids (`intel-rapl:a` is the 11th), `package-P-die-D` on
// multi-die Intel packages, AMD's per-CCD zones on kernels 6.10 / 6.11.0 that all read one
// package counter (fixed by 26096aed255f in 6.12 and 6.11.1), and TPMI. Each tree is the fake
// powercap tree in the kernel's layout (test/helpers/powercap.ts), read through class/powercap.
import { afterAll, describe, expect, it } from 'vitest';
import type { MeterProbe } from '../src/meters/base.js';
import { probeRapl, type RaplMeter } from '../src/meters/rapl.js';
import type { EnergyReading } from '../src/schema/energy.js';
import { expectWithin, sleep, staleCounterPct } from './helpers/energy.js';
import { amdFixedZones, amdPerCcdZones, multiDieZones, powercapTrees, type ZoneSpec } from './helpers/powercap.js';

const trees = powercapTrees();
afterAll(() => trees.closeAll());

function meterOf(probe: MeterProbe): RaplMeter {
  if (!probe.available) throw new Error(`expected RAPL to be available: ${probe.reason}`);
  return probe.meter as RaplMeter;
}

async function read(zones: ZoneSpec[], ms = 400): Promise<{ probe: MeterProbe; r: EnergyReading; pct: number }> {
  const fixture = await trees.start(zones);
  const probe = await probeRapl({ root: fixture.root });
  const w = await meterOf(probe).start();
  await sleep(ms);
  const r = await w.stop();
  return { probe, r, pct: staleCounterPct(await fixture.maxUpdateGapS(), r.durationS, TOLERANCE) };
}

type ZoneDetail = { zone: string; name: string; component: string };

/** What is tested here is which zones count: a zone missed or counted 8 times is far outside 5%. */
const TOLERANCE = 5;

// Each test has its own tree and its own windows: they run side by side.
describe.concurrent('RAPL zones as real kernels lay them out', () => {
  it('finds zones past intel-rapl:9: ids are hexadecimal (intel-rapl:a, intel-rapl:b)', async () => {
    const zones = Array.from({ length: 12 }, (_, i) => ({
      id: `intel-rapl:${i.toString(16)}`,
      name: `package-${i}`,
      watts: 10,
    }));
    const { r, pct } = await read(zones);
    expect((r.details.zones as ZoneDetail[]).map((z) => z.zone)).toEqual(zones.map((z) => z.id));
    expectWithin(r.components.cpu, 120 * r.durationS, pct);
  });

  it('counts every die of a multi-die Intel package (package-P-die-D), each its own counter, and its DRAM', async () => {
    const { r, probe, pct } = await read(multiDieZones([40, 35, 30, 25]));
    expect(probe.devices).toContainEqual(
      expect.stringMatching(/^intel-rapl:1 package-0-die-1 -> cpu, \d+\.\d W at start-up \(power limit 400 W\)$/),
    );
    expect((r.details.zones as ZoneDetail[]).map((z) => `${z.zone} ${z.name}`)).toEqual([
      'intel-rapl:0 package-0-die-0',
      'intel-rapl:0:1 dram',
      'intel-rapl:1 package-0-die-1',
      'intel-rapl:1:1 dram',
      'intel-rapl:2 package-1-die-0',
      'intel-rapl:2:1 dram',
      'intel-rapl:3 package-1-die-1',
      'intel-rapl:3:1 dram',
    ]);
    expect(r.details.mirrored).toEqual([]);
    expectWithin(r.components.cpu, 130 * r.durationS, pct);
    expectWithin(r.components.dram, 12 * r.durationS, pct);
  });

  it('counts AMD per-CCD zones that mirror one package counter once per package, and says so', async () => {
    const { r, probe, pct } = await read(amdPerCcdZones([90, 60]));
    expectWithin(r.components.cpu, 150 * r.durationS, pct); // not 8 x 150 W
    expect((r.details.zones as ZoneDetail[]).map((z) => `${z.zone} ${z.name}`)).toEqual([
      'intel-rapl:0 package-0-die-0',
      'intel-rapl:8 package-1-die-0',
    ]);
    const mirrored = r.details.mirrored as { zone: string; name: string; of: string }[];
    expect(mirrored).toHaveLength(14);
    expect(mirrored).toContainEqual({ zone: 'intel-rapl:f', name: 'package-1-die-7', of: 'intel-rapl:8' });
    expect(mirrored).toContainEqual({ zone: 'intel-rapl:1', name: 'package-0-die-1', of: 'intel-rapl:0' });
    expect(probe.devices.find((d) => d.startsWith('intel-rapl:a '))).toMatch(
      /package-1-die-2 \(excluded: reads the same counter as intel-rapl:8 .*counted once/,
    );
    expect(r.details.method).toMatch(/counted once/);
  });

  it('reads the same figure from the fixed AMD layout (one zone per package)', async () => {
    const { r, pct } = await read(amdFixedZones([90, 60]));
    expect((r.details.zones as ZoneDetail[]).map((z) => z.zone)).toEqual(['intel-rapl:0', 'intel-rapl:1']);
    expectWithin(r.components.cpu, 150 * r.durationS, pct);
    expect(r.components.dram).toBeUndefined(); // AMD has no DRAM domain
  });

  it('reads TPMI zones (control type intel-rapl-tpmi): packages, their DRAM, psys at the top level', async () => {
    const { r, pct } = await read([
      { id: 'intel-rapl-tpmi:0', name: 'package-0', watts: 60 },
      { id: 'intel-rapl-tpmi:0:0', name: 'dram', watts: 6 },
      { id: 'intel-rapl-tpmi:1', name: 'package-1', watts: 50 },
      { id: 'intel-rapl-tpmi:1:0', name: 'dram', watts: 5 },
      { id: 'intel-rapl-tpmi:2', name: 'psys', watts: 150 },
    ]);
    expectWithin(r.components.cpu, 110 * r.durationS, pct);
    expectWithin(r.components.dram, 11 * r.durationS, pct);
  });

  it('reads mainline TPMI zones (control type intel-rapl, no core or uncore) and leaves out the MMIO copy', async () => {
    const { r, pct } = await read([
      { id: 'intel-rapl:0', name: 'package-0', watts: 60 },
      { id: 'intel-rapl:0:0', name: 'dram', watts: 6 },
      { id: 'intel-rapl:1', name: 'psys', watts: 90 },
      { id: 'intel-rapl-mmio:0', name: 'package-0', watts: 60, mirrorOf: 'intel-rapl:0' },
    ]);
    expectWithin(r.components.cpu, 60 * r.durationS, pct);
    const excluded = (r.details.excluded as { zone: string }[]).map((e) => e.zone);
    expect(excluded).toEqual(expect.arrayContaining(['intel-rapl-mmio:0', 'intel-rapl:1']));
  });
});

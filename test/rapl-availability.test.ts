import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeRapl } from '../src/meters/rapl.js';
import { onePackage, serverZones, powercapTrees } from './helpers/powercap.js';
import { sleep } from './helpers/energy.js';

const trees = powercapTrees();
afterAll(() => trees.closeAll());

function reasonOf(probe: Awaited<ReturnType<typeof probeRapl>>): string {
  if (probe.available) throw new Error('expected RAPL to be unavailable');
  return probe.reason;
}

describe.concurrent('RAPL availability', () => {
  it('says there is no powercap tree', async () => {
    const reason = reasonOf(await probeRapl({ env: { JOULEBENCH_POWERCAP_ROOT: '/nonexistent/powercap' } }));
    expect(reason).toMatch(/no powercap tree at \/nonexistent\/powercap \(ENOENT\)/);
  });

  it('says the tree has no RAPL zones', async () => {
    const fixture = await trees.start([]);
    mkdirSync(join(fixture.root, 'dtpm')); // another control type, not RAPL
    expect(reasonOf(await probeRapl({ root: fixture.root }))).toMatch(/no RAPL zones/);
  });

  it('explains a root-only counter (EACCES) with the remedy instead of crashing', async () => {
    const fixture = await trees.start(serverZones());
    // Tests run as root, which reads any file whatever its mode: stage EACCES through the reader.
    const readFile = (path: string) => {
      if (path.endsWith('energy_uj'))
        throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
      return readFileSync(path, 'utf8');
    };
    const probe = await probeRapl({ root: fixture.root, readFile });
    const reason = reasonOf(probe);
    expect(reason).toMatch(/permission denied reading .*intel-rapl:0\/energy_uj/);
    expect(reason).toContain(`sudo chmod o+r ${fixture.root}/intel-rapl:*/energy_uj`);
    expect(reason).toMatch(/run as root/i);
    expect(probe.devices).toContain('intel-rapl:0 package-0 (unreadable: EACCES)');
    expect(probe.devices).toContain('intel-rapl:2 psys (unreadable: EACCES)');
  });

  it('is unavailable when a package counter cannot be read (a partial CPU figure would undercount)', async () => {
    const fixture = await trees.start([
      { id: 'intel-rapl:0', name: 'package-0', watts: 20 },
      { id: 'intel-rapl:1', name: 'package-1', watts: 20, unreadable: true }, // energy_uj is a directory
    ]);
    expect(reasonOf(await probeRapl({ root: fixture.root }))).toMatch(
      /cannot read .*intel-rapl:1\/energy_uj \(EISDIR\)/,
    );
  });

  it('measures the CPU without an unreadable DRAM zone, and says DRAM is missing', async () => {
    const fixture = await trees.start([
      { id: 'intel-rapl:0', name: 'package-0', watts: 20 },
      { id: 'intel-rapl:0:2', name: 'dram', watts: 4, unreadable: true },
    ]);
    const probe = await probeRapl({ root: fixture.root });
    if (!probe.available) throw new Error(probe.reason);
    expect(probe.meter.components).toEqual(['cpu']);
    const w = await probe.meter.start();
    await sleep(20);
    const r = await w.stop();
    expect(r.components.dram).toBeUndefined();
    expect(r.warnings.join('\n')).toMatch(
      /DRAM zone intel-rapl:0:2 is unreadable \(EISDIR\); DRAM energy is not included/,
    );
  });

  it('is unavailable with only a psys zone (it would count everything, GPU included)', async () => {
    const fixture = await trees.start([{ id: 'intel-rapl:0', name: 'psys', watts: 60 }]);
    expect(reasonOf(await probeRapl({ root: fixture.root }))).toMatch(/no RAPL package zone/);
  });

  it('checks every counter at start-up: a package that does not advance makes RAPL unavailable', async () => {
    const fixture = await trees.start(serverZones());
    await fixture.write('intel-rapl:1', 77_000_000);
    expect(reasonOf(await probeRapl({ root: fixture.root }))).toBe(
      'intel-rapl:1 package-1: counter did not advance in 0.5 s (start-up check)',
    );
  });

  it('checks every counter at start-up: implausible power (above twice the limit) makes RAPL unavailable', async () => {
    const fixture = await trees.start(onePackage(900)); // limit 250 W: 900 W cannot be real
    expect(reasonOf(await probeRapl({ root: fixture.root }))).toMatch(
      /^intel-rapl:0 package-0: \d+\.\d W at start-up is not plausible \(power limit 250 W; expected below 500 W\)$/,
    );
  });

  it('leaves out a DRAM zone that fails its start-up check, and says so', async () => {
    const fixture = await trees.start([
      { id: 'intel-rapl:0', name: 'package-0', watts: 20 },
      { id: 'intel-rapl:0:0', name: 'dram', watts: 3 },
    ]);
    await fixture.write('intel-rapl:0:0', 5);
    const probe = await probeRapl({ root: fixture.root });
    if (!probe.available) throw new Error(probe.reason);
    expect(probe.meter.components).toEqual(['cpu']);
    expect(probe.devices).toContain('intel-rapl:0:0 dram (counter did not advance in 0.5 s (start-up check))');
    const r = await (await probe.meter.start()).stop();
    expect(r.warnings.join('\n')).toMatch(/DRAM zone intel-rapl:0:0 is unreadable \(counter did not advance/);
  });
});

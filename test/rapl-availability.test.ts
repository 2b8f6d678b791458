import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeRapl } from '../src/meters/rapl.js';
import { PowercapFixture, serverZones } from './helpers/powercap.js';
import { sleep } from './helpers/energy.js';

let fixture: PowercapFixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function reasonOf(probe: Awaited<ReturnType<typeof probeRapl>>): string {
  if (probe.available) throw new Error('expected RAPL to be unavailable');
  return probe.reason;
}

describe('RAPL availability', () => {
  it('says there is no powercap tree', async () => {
    const reason = reasonOf(await probeRapl({ env: { JOULEBENCH_POWERCAP_ROOT: '/nonexistent/powercap' } }));
    expect(reason).toMatch(/no powercap tree at \/nonexistent\/powercap \(ENOENT\)/);
  });

  it('says the tree has no RAPL zones', async () => {
    fixture = new PowercapFixture([]);
    mkdirSync(join(fixture.root, 'dtpm')); // another control type, not RAPL
    expect(reasonOf(await probeRapl({ root: fixture.root }))).toMatch(/no RAPL zones/);
  });

  it('explains a root-only counter (EACCES) with the remedy instead of crashing', async () => {
    fixture = new PowercapFixture(serverZones());
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
  });

  it('is unavailable when a package counter cannot be read (a partial CPU figure would undercount)', async () => {
    fixture = new PowercapFixture([
      { id: 'intel-rapl:0', name: 'package-0', watts: 20 },
      { id: 'intel-rapl:1', name: 'package-1', watts: 20, unreadable: true }, // energy_uj is a directory
    ]);
    expect(reasonOf(await probeRapl({ root: fixture.root }))).toMatch(
      /cannot read .*intel-rapl:1\/energy_uj \(EISDIR\)/,
    );
  });

  it('measures the CPU without an unreadable DRAM zone, and says DRAM is missing', async () => {
    fixture = new PowercapFixture([
      { id: 'intel-rapl:0', name: 'package-0', watts: 20 },
      { id: 'intel-rapl:0:2', name: 'dram', watts: 4, unreadable: true },
    ]);
    const probe = await probeRapl({ root: fixture.root, readFile: fixture.readFile });
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
    fixture = new PowercapFixture([{ id: 'intel-rapl:0', name: 'psys', watts: 60 }]);
    expect(reasonOf(await probeRapl({ root: fixture.root }))).toMatch(/no RAPL package zone/);
  });
});

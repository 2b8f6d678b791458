import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import koffi from 'koffi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterProbe } from '../src/meters/base.js';
import { probeNvml, type NvmlMeter, type NvmlOptions } from '../src/meters/nvml.js';
import { expectWithin, sleep } from './helpers/energy.js';
import {
  buildNvmlStandin,
  configureStandin,
  hasCompiler,
  noCompilerMessage,
  standinUuid,
} from './helpers/nvml-standin.js';

let lib = '';
const options = (env: Record<string, string> = {}): NvmlOptions => ({ env: { JOULEBENCH_NVML_LIB: lib, ...env } });

function meterOf(probe: MeterProbe): NvmlMeter {
  if (!probe.available) throw new Error(`expected NVML to be available: ${probe.reason}`);
  return probe.meter as NvmlMeter;
}

/** Every nvmlInit_v2 the meter made must have been matched by nvmlShutdown. */
function openInits(): number {
  return koffi.load(lib).func('int standinInitCount()')() as number;
}

type DeviceDetail = { index: number; name: string; uuid: string; method: string; joules: number; samples?: number };

describe.skipIf(!hasCompiler)(
  `NVML meter against a stand-in libnvidia-ml${hasCompiler ? '' : ` (SKIPPED: ${noCompilerMessage})`}`,
  () => {
    beforeAll(() => {
      lib = buildNvmlStandin();
    });
    afterAll(() => rmSync(dirname(lib), { recursive: true, force: true })); // the loaded copy stays mapped

    it('reads one GPU energy counter within 1% of watts x seconds', async () => {
      configureStandin({ watts: [70] });
      const meter = meterOf(await probeNvml(options()));
      expect(meter.describe()).toMatch(/GPU 0 NVIDIA Stand-in 70W via energy counter/);
      const w = await meter.start();
      await sleep(1000);
      const r = await w.stop();
      expect(r).toMatchObject({ meter: 'nvml', kind: 'measured', warnings: [] });
      expectWithin(r.components.gpu, 70 * r.durationS);
      expect(r.joules).toBe(r.components.gpu);
      expect(r.details.driverVersion).toBe('580.00.standin');
      expect(r.details.library).toBe(lib);
      expect(r.details.devices).toEqual([
        {
          index: 0,
          name: 'NVIDIA Stand-in 70W',
          uuid: standinUuid(0),
          method: 'energy-counter',
          joules: r.components.gpu,
        },
      ]);
      expect(openInits()).toBe(0);
    });

    it('sums two GPUs, sampling power where the energy counter is NOT_SUPPORTED, and says which method each used', async () => {
      configureStandin({ watts: [70, 150], noCounter: [1] });
      const meter = meterOf(await probeNvml(options()));
      const w = await meter.start();
      await sleep(1000);
      const r = await w.stop();
      expectWithin(r.components.gpu, 220 * r.durationS);
      const [d0, d1] = r.details.devices as DeviceDetail[];
      expect(d0).toMatchObject({ index: 0, uuid: standinUuid(0), method: 'energy-counter' });
      expect(d1).toMatchObject({
        index: 1,
        name: 'NVIDIA Stand-in 150W',
        uuid: standinUuid(1),
        method: 'sampled-power',
        sampleMs: 100,
      });
      expectWithin(d0!.joules, 70 * r.durationS);
      expectWithin(d1!.joules, 150 * r.durationS);
      expect(d1!.samples).toBeGreaterThanOrEqual(9); // every 100 ms over 1 s, plus both ends
      expect(r.warnings).toEqual([
        expect.stringMatching(/GPU 1 \(NVIDIA Stand-in 150W\) has no energy counter: .*sampled every 100 ms/),
      ]);
    });

    it('integrates sampled power on two GPUs without counters, within 1%', async () => {
      configureStandin({ watts: [250, 40], noCounter: [0, 1] });
      const meter = meterOf(await probeNvml(options()));
      const w = await meter.start();
      await sleep(1000);
      const r = await w.stop();
      expectWithin(r.components.gpu, 290 * r.durationS);
      expect((r.details.devices as DeviceDetail[]).map((d) => d.method)).toEqual(['sampled-power', 'sampled-power']);
    });

    it('keeps overlapping windows apart and balances every nvmlInit_v2 with nvmlShutdown', async () => {
      configureStandin({ watts: [100], noCounter: [] });
      const meter = meterOf(await probeNvml(options()));
      const baseline = await meter.start();
      await sleep(300);
      const run = await meter.start();
      expect(openInits()).toBe(2);
      await sleep(700);
      const r = await run.stop();
      const b = await baseline.stop();
      expectWithin(r.components.gpu, 100 * r.durationS);
      expectWithin(b.components.gpu, 100 * b.durationS);
      expect(b.durationS - r.durationS).toBeGreaterThan(0.25);
      await expect(run.stop()).rejects.toThrow(/already stopped/);
      expect(openInits()).toBe(0);
    });

    it('counts only the GPUs CUDA_VISIBLE_DEVICES selects, by index or UUID', async () => {
      configureStandin({ watts: [70, 150, 300] });
      const byIndex = meterOf(await probeNvml(options({ CUDA_VISIBLE_DEVICES: '2,0' })));
      expect(byIndex.gpus.map((g) => g.index)).toEqual([2, 0]);
      const byUuid = meterOf(await probeNvml(options({ CUDA_VISIBLE_DEVICES: standinUuid(1) })));
      expect(byUuid.gpus.map((g) => g.uuid)).toEqual([standinUuid(1)]);
      const w = await byUuid.start();
      await sleep(500);
      const r = await w.stop();
      expectWithin(r.components.gpu, 150 * r.durationS); // GPU 1 alone
      expect((r.details.devices as DeviceDetail[]).map((d) => d.index)).toEqual([1]);
    });

    it('warns when indices select among different GPU models (CUDA and NVML may number them differently)', async () => {
      configureStandin({ watts: [70, 150] });
      const probe = await probeNvml(options({ CUDA_VISIBLE_DEVICES: '1' }));
      const w = await meterOf(probe).start();
      const r = await w.stop();
      expect(r.warnings.join('\n')).toMatch(/CUDA_DEVICE_ORDER=PCI_BUS_ID/);
      expect(probe.devices).toEqual([
        `GPU 0: NVIDIA Stand-in 70W (${standinUuid(0)}) — energy counter, hidden by CUDA_VISIBLE_DEVICES`,
        `GPU 1: NVIDIA Stand-in 150W (${standinUuid(1)}) — energy counter`,
      ]);
    });

    it('is unavailable when CUDA_VISIBLE_DEVICES hides every GPU', async () => {
      configureStandin({ watts: [70, 150] });
      const empty = await probeNvml(options({ CUDA_VISIBLE_DEVICES: '' }));
      expect(empty).toMatchObject({ available: false, reason: expect.stringMatching(/CUDA_VISIBLE_DEVICES is empty/) });
      expect(empty.devices).toHaveLength(2);
      const bad = await probeNvml(options({ CUDA_VISIBLE_DEVICES: '7' }));
      expect(bad).toMatchObject({
        available: false,
        reason: expect.stringMatching(/selects none of the 2 GPU.*'7' is no GPU index here \(0-1\)/),
      });
    });

    it('says why a GPU cannot be metered at all, and when NVML sees no GPU or no driver', async () => {
      configureStandin({ watts: [70, 150], noPower: [1] });
      expect(await probeNvml(options())).toMatchObject({
        available: false,
        reason: expect.stringMatching(
          /GPU 1 \(NVIDIA Stand-in 150W\): neither energy counter nor power readable .*Not Supported/,
        ),
      });
      configureStandin({ watts: [] });
      expect(await probeNvml(options())).toMatchObject({
        available: false,
        reason: expect.stringMatching(/sees no GPU/),
      });
      configureStandin({ watts: [70], initError: 9 });
      expect(await probeNvml(options())).toMatchObject({
        available: false,
        reason: expect.stringMatching(/nvmlInit_v2 failed: Driver Not Loaded \(NVML error 9\)/),
      });
    });
  },
);

describe('NVML library loading', () => {
  it('says which library could not be loaded', async () => {
    const probe = await probeNvml({ env: { JOULEBENCH_NVML_LIB: '/nonexistent/libnvidia-ml.so.1' } });
    expect(probe).toMatchObject({
      available: false,
      reason: expect.stringMatching(/JOULEBENCH_NVML_LIB.*\/nonexistent\/libnvidia-ml\.so\.1: .*No such file/),
    });
  });

  it('says when a file is not a loadable library', async () => {
    const probe = await probeNvml({ libraryPath: import.meta.filename });
    expect(probe).toMatchObject({
      available: false,
      reason: expect.stringMatching(/could not be loaded.*nvml-meter\.test\.ts: .*(ELF|header|short)/i),
    });
  });

  it('says when a library lacks the NVML functions', async () => {
    const probe = await probeNvml({ libraryPath: 'libc.so.6' });
    expect(probe).toMatchObject({ available: false, reason: expect.stringMatching(/libc\.so\.6: .*nvmlInit_v2/) });
  });

  it('tries the driver sonames by default and names them', async () => {
    const probe = await probeNvml({ env: {} });
    // On a machine with an NVIDIA driver the real library loads; everywhere else it is not found.
    if (!probe.available) expect(probe.reason).toMatch(/libnvidia-ml\.so\.1|NVML|GPU/);
  });
});

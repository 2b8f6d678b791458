import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import koffi from 'koffi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterProbe } from '../src/meters/base.js';
import { probeNvml, type NvmlMeter, type NvmlOptions } from '../src/meters/nvml.js';
import type { SampleGaps } from '../src/meters/power-series.js';
import { expectWithin, sleep } from './helpers/energy.js';
import { repoRoot, tempDir } from './helpers/env.js';
import {
  buildNvmlStandin,
  configureStandin,
  hasCompiler,
  noCompilerMessage,
  standinUuid,
} from './helpers/nvml-standin.js';

let lib = '';
beforeAll(() => {
  if (hasCompiler) lib = buildNvmlStandin();
});
afterAll(() => {
  if (lib) rmSync(dirname(lib), { recursive: true, force: true }); // the loaded copy stays mapped
});
const options = (env: Record<string, string> = {}, more: Partial<NvmlOptions> = {}): NvmlOptions => ({
  env: { JOULEBENCH_NVML_LIB: lib, ...env },
  ...more,
});

function meterOf(probe: MeterProbe): NvmlMeter {
  if (!probe.available) throw new Error(`expected NVML to be available: ${probe.reason}`);
  return probe.meter as NvmlMeter;
}

/** nvmlInit_v2 calls still open, and made in all, in this process. */
const standin = () => {
  const l = koffi.load(lib);
  return {
    open: l.func('int standinInitCount()')() as number,
    calls: l.func('int standinInitCalls()')() as number,
  };
};

type DeviceDetail = {
  index: number;
  name: string;
  uuid: string;
  method: string;
  joules: number;
  samples?: number;
  persistenceMode: string;
};

describe.skipIf(!hasCompiler)(
  `NVML meter against a stand-in libnvidia-ml${hasCompiler ? '' : ` (SKIPPED: ${noCompilerMessage})`}`,
  () => {
    it('reads one GPU energy counter within 1% of watts x seconds', async () => {
      configureStandin({ watts: [70], persistence: [0], stepMs: 0 }); // a counter that never steps: exact
      const meter = meterOf(await probeNvml(options()));
      expect(meter.describe()).toMatch(/GPU 0 NVIDIA Stand-in 70W via energy counter/);
      const w = await meter.start();
      await sleep(300);
      const r = await w.stop();
      expect(r).toMatchObject({ meter: 'nvml', kind: 'measured' });
      // (The stand-in's "update period" is the start-up check's polling interval, a few ms: no other warning.)
      expect(r.warnings.filter((w) => !/shorter than 200 ×/.test(w))).toEqual([]);
      expectWithin(r.components.gpu, 70 * r.durationS);
      expect(r.joules).toBe(r.components.gpu);
      expect(r.details.driverVersion).toBe('580.00.standin');
      expect(r.details.library).toBe(lib);
      expect(r.details.devices).toEqual([
        expect.objectContaining({
          index: 0,
          name: 'NVIDIA Stand-in 70W',
          uuid: standinUuid(0),
          method: 'energy-counter',
          joules: r.components.gpu,
          persistenceMode: 'enabled',
          powerLimitW: 400,
        }),
      ]);
    });

    it('measures the energy counter update period at start-up (100 ms steps) and makes it the resolution', async () => {
      configureStandin({ watts: [70], persistence: [0] }); // the stand-in's counter steps every 100 ms
      const probe = await probeNvml(options());
      const meter = meterOf(probe);
      expect(meter.resolutionS).toBeGreaterThan(0.09);
      expect(meter.resolutionS).toBeLessThan(0.13);
      expect(probe.devices[0]).toMatch(
        /— energy counter, updates every (9\d|1[0-2]\d) ms \(measured\), \d+\.\d W at start-up \(power limit 400 W\), persistence mode on$/,
      );
      const w = await meter.start();
      await sleep(300);
      const r = await w.stop();
      expect(r.resolutionS).toBe(meter.resolutionS);
      expect(r.warnings.join('\n')).toMatch(/shorter than 200 × this meter's resolution/);
    });

    it('sums two GPUs, sampling power where the energy counter is NOT_SUPPORTED, and says which method each used', async () => {
      configureStandin({ watts: [70, 150], noCounter: [1], persistence: [0, 1], stepMs: 0 });
      const meter = meterOf(await probeNvml(options()));
      expect(meter.resolutionS).toBe(0.1); // the power sampling period
      const w = await meter.start();
      await sleep(350);
      const r = await w.stop();
      expectWithin(r.components.gpu, 220 * r.durationS);
      const [d0, d1] = r.details.devices as DeviceDetail[];
      expect(d0).toMatchObject({ index: 0, uuid: standinUuid(0), method: 'energy-counter' });
      expect(d1).toMatchObject({
        index: 1,
        name: 'NVIDIA Stand-in 150W',
        uuid: standinUuid(1),
        method: 'sampled-power',
      });
      expect(r.details.sampleMs).toBe(100);
      expectWithin(d0!.joules, 70 * r.durationS);
      expectWithin(d1!.joules, 150 * r.durationS);
      expect(d1!.samples).toBeGreaterThanOrEqual(4); // every 100 ms over 0.35 s, plus both ends
      expect(r.warnings).toEqual([
        expect.stringMatching(/GPU 1 \(NVIDIA Stand-in 150W\) has no energy counter: .*sampled every 100 ms/),
        expect.stringMatching(/shorter than 200 × this meter's resolution/),
      ]);
    });

    it('integrates sampled power on two GPUs without counters, within 1%, and draws the timeline', async () => {
      configureStandin({ watts: [250, 40], noCounter: [0, 1], persistence: [0, 1] });
      const meter = meterOf(await probeNvml(options()));
      const w = await meter.start();
      await sleep(350);
      const r = await w.stop();
      expectWithin(r.components.gpu, 290 * r.durationS);
      expect((r.details.devices as DeviceDetail[]).map((d) => d.method)).toEqual(['sampled-power', 'sampled-power']);
      const gpu = r.timeline!.gpu!;
      expect(gpu.watts.length).toBeGreaterThanOrEqual(4);
      for (const w of gpu.watts) expect(w).toBeCloseTo(290, 1);
      expect(gpu.tS.at(-1)).toBeCloseTo(r.durationS, 3);
    });

    it('keeps NVML initialised across windows (overlapping ones included) instead of once per window', async () => {
      configureStandin({ watts: [100], persistence: [0], stepMs: 0 });
      const meter = meterOf(await probeNvml(options()));
      const before = standin();
      expect(before.open).toBeGreaterThanOrEqual(1);
      const baseline = await meter.start();
      await sleep(150);
      const run = await meter.start();
      await sleep(250);
      const r = await run.stop();
      const b = await baseline.stop();
      expectWithin(r.components.gpu, 100 * r.durationS);
      expectWithin(b.components.gpu, 100 * b.durationS);
      expect(b.durationS - r.durationS).toBeGreaterThan(0.12);
      await expect(run.stop()).rejects.toThrow(/already stopped/);
      expect(standin()).toEqual(before); // no nvmlInit_v2 and no nvmlShutdown per window
    });

    it('records each GPU persistence mode and warns when it is off', async () => {
      configureStandin({ watts: [70, 80], persistence: [1], stepMs: 0 });
      const probe = await probeNvml(options());
      expect(probe.devices[0]).toMatch(/persistence mode off$/);
      const w = await meterOf(probe).start();
      await sleep(250);
      const r = await w.stop();
      expect((r.details.devices as DeviceDetail[]).map((d) => d.persistenceMode)).toEqual(['disabled', 'enabled']);
      expect(r.warnings.filter((w) => !/shorter than 200 ×/.test(w))).toEqual([
        expect.stringMatching(
          /^nvml: persistence mode is off on GPU 0 .*the driver tears GPU state down.*nvidia-smi -pm 1/,
        ),
      ]);
    });

    it('meters the GPUs CUDA_VISIBLE_DEVICES selects when NVML refuses a hidden one (NO_PERMISSION)', async () => {
      configureStandin({ watts: [70, 150, 300], noPermission: [1], persistence: [0, 2], stepMs: 0 });
      const probe = await probeNvml(options({ CUDA_VISIBLE_DEVICES: `${standinUuid(2)},0` }));
      const meter = meterOf(probe);
      expect(meter.gpus.map((g) => g.index)).toEqual([2, 0]);
      expect(probe.devices[1]).toBe(
        'GPU 1: not accessible (nvmlDeviceGetHandleByIndex_v2 failed: Insufficient Permissions (NVML error 4)), hidden by CUDA_VISIBLE_DEVICES',
      );
      const w = await meter.start();
      await sleep(250);
      const r = await w.stop();
      expectWithin(r.components.gpu, 370 * r.durationS);
    });

    it('is a clear error when NVML refuses a GPU that the selection includes', async () => {
      configureStandin({ watts: [70, 150], noPermission: [1], stepMs: 0 });
      for (const env of [{}, { CUDA_VISIBLE_DEVICES: '0,1' }]) {
        expect(await probeNvml(options(env))).toMatchObject({
          available: false,
          reason: expect.stringMatching(
            /^GPU 1 is selected \(CUDA_VISIBLE_DEVICES.*\) but NVML refuses access to it \(.*Insufficient Permissions \(NVML error 4\)\)/,
          ),
        });
      }
    });

    it('keeps the energy counter and the sampled power of each GPU, and flags them when they differ by more than 10%', async () => {
      configureStandin({ watts: [100, 60], persistence: [0, 1], stepMs: 0 });
      const agree = meterOf(await probeNvml(options()));
      let w = await agree.start();
      await sleep(350);
      let r = await w.stop();
      expect(r.crossChecks).toEqual([
        expect.objectContaining({ components: ['gpu'], what: 'GPU 0 (NVIDIA Stand-in 100W)', flagged: false }),
        expect.objectContaining({ components: ['gpu'], what: 'GPU 1 (NVIDIA Stand-in 60W)', flagged: false }),
      ]);
      const check = r.crossChecks![0]!;
      expect(check.primary.source).toBe('energy counter');
      expectWithin(check.primary.joules, 100 * r.durationS);
      expect(check.secondary.source).toMatch(/power .* sampled every 100 ms/);
      expect(Math.abs(check.difference)).toBeLessThan(0.02);
      process.env.NVML_STANDIN_POWER_SCALE = '1.25'; // the power sensor reads 25% high
      const disagree = meterOf(await probeNvml(options()));
      w = await disagree.start();
      await sleep(300);
      r = await w.stop();
      delete process.env.NVML_STANDIN_POWER_SCALE;
      expect(r.crossChecks![0]).toMatchObject({ flagged: true });
      expect(r.crossChecks![0]!.difference).toBeCloseTo(0.25, 1);
      expectWithin(r.components.gpu, 160 * r.durationS); // the counter is what counts
      expect(r.warnings.join('\n')).toMatch(
        /GPU 0 \(NVIDIA Stand-in 100W\): its sampled power integrates to \+2\d% of its energy counter/,
      );
    });

    it('reports the gap failed power readings leave, with its length; flags the window where its figure spans it', async () => {
      configureStandin({ watts: [250, 40], noCounter: [0], persistence: [0, 1], stepMs: 0 });
      const meter = meterOf(await probeNvml(options()));
      const failPower = koffi.load(lib).func('void standinFailPower(int)');
      const w = await meter.start();
      await sleep(200);
      failPower(1);
      try {
        await sleep(700);
      } finally {
        failPower(0);
      }
      await sleep(200);
      const r = await w.stop();
      expectWithin(r.components.gpu, 290 * r.durationS, 2); // constant power: here the straight line is right
      expect(r.warnings).toContainEqual(
        expect.stringMatching(
          /^nvml: \d+ power reading\(s\) failed during the window \(gaps of over 5 sampling periods/,
        ),
      );
      const gap = (gpu: string, then: string) =>
        new RegExp(
          `^nvml: GPU ${gpu}: no power reading for \\d\\.\\d\\d s \\(1 gap longer than 5 × the 100 ms sampling ` +
            `period, \\d+% of the window\\); ${then}`,
        );
      expect(r.warnings).toContainEqual(
        expect.stringMatching(
          gap('0 \\(NVIDIA Stand-in 250W\\)', 'its figure bridges it with a straight line — flagged'),
        ),
      );
      expect(r.warnings).toContainEqual(
        expect.stringMatching(gap('1 \\(NVIDIA Stand-in 40W\\)', 'only its power timeline and cross-check bridge it')),
      );
      const [d0, d1] = r.details.devices as (DeviceDetail & { gaps: SampleGaps })[];
      for (const d of [d0!, d1!]) {
        expect(d.gaps.count).toBe(1);
        expect(d.gaps.longestS).toBeGreaterThan(0.69); // 700 ms failing, and up to a period on either side
        expect(d.gaps.longestS).toBeLessThan(1.5); // a late timer on a busy machine
      }
      expect(r.details.gapsFlagged).toBe(true);
    });

    it('checks each counter at start-up: it must advance, at a plausible power', async () => {
      configureStandin({ watts: [0], stepMs: 0 });
      expect(await probeNvml(options({}, { probeTimeoutMs: 200 }))).toMatchObject({
        available: false,
        reason: expect.stringMatching(/^GPU 0 \(NVIDIA Stand-in 0W\): energy counter did not advance in 0\.2 s/),
      });
      configureStandin({ watts: [70], limitW: 30, stepMs: 0 });
      expect(await probeNvml(options())).toMatchObject({
        available: false,
        reason: expect.stringMatching(
          /^GPU 0 \(NVIDIA Stand-in 70W\): (69|70|71)\.\d W at start-up is not plausible \(power limit 30 W; expected 0–60 W\)/,
        ),
      });
    });

    it('counts only the GPUs CUDA_VISIBLE_DEVICES selects, by index or UUID', async () => {
      configureStandin({ watts: [70, 150, 300], persistence: [0, 1, 2], stepMs: 0 });
      const byIndex = meterOf(await probeNvml(options({ CUDA_VISIBLE_DEVICES: '2,0' })));
      expect(byIndex.gpus.map((g) => g.index)).toEqual([2, 0]);
      const byUuid = meterOf(await probeNvml(options({ CUDA_VISIBLE_DEVICES: standinUuid(1) })));
      expect(byUuid.gpus.map((g) => g.uuid)).toEqual([standinUuid(1)]);
      const w = await byUuid.start();
      await sleep(250);
      const r = await w.stop();
      expectWithin(r.components.gpu, 150 * r.durationS); // GPU 1 alone
      expect((r.details.devices as DeviceDetail[]).map((d) => d.index)).toEqual([1]);
    });

    it('warns when indices select among different GPU models (CUDA and NVML may number them differently)', async () => {
      configureStandin({ watts: [70, 150], persistence: [0, 1], stepMs: 0 });
      const probe = await probeNvml(options({ CUDA_VISIBLE_DEVICES: '1' }));
      const w = await meterOf(probe).start();
      const r = await w.stop();
      expect(r.warnings.join('\n')).toMatch(/CUDA_DEVICE_ORDER=PCI_BUS_ID/);
      expect(probe.devices[0]).toMatch(
        new RegExp(`^GPU 0: NVIDIA Stand-in 70W \\(${standinUuid(0)}\\) — .*, hidden by CUDA_VISIBLE_DEVICES$`),
      );
      expect(probe.devices[1]).toMatch(new RegExp(`^GPU 1: NVIDIA Stand-in 150W \\(${standinUuid(1)}\\) — energy`));
    });

    it('is unavailable when CUDA_VISIBLE_DEVICES hides every GPU', async () => {
      configureStandin({ watts: [70, 150], stepMs: 0 });
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
      configureStandin({ watts: [70, 150], noPower: [1], stepMs: 0 });
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
    });
  },
);

/** Runs `script` (ES module source) under tsx in a node process of its own; returns what it printed. */
async function inOwnProcess(script: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } },
  );
  return stdout;
}

describe.skipIf(!hasCompiler).concurrent('NVML in a process of its own', () => {
  it('initialises NVML once per process and shuts it down when the process exits', async () => {
    const log = join(tempDir('joulebench-nvml-log-'), 'calls.log');
    await inOwnProcess(
      `import { probeNvml } from ${JSON.stringify(join(repoRoot, 'src/meters/nvml.ts'))};
       const probe = await probeNvml({ env: { JOULEBENCH_NVML_LIB: ${JSON.stringify(lib)} } });
       if (!probe.available) throw new Error(probe.reason);
       for (let i = 0; i < 3; i++) { const w = await probe.meter.start(); await w.stop(); }
       const again = await probeNvml({ env: { JOULEBENCH_NVML_LIB: ${JSON.stringify(lib)} } });
       if (!again.available) throw new Error(again.reason);`,
      { NVML_STANDIN_WATTS: '70', NVML_STANDIN_STEP_MS: '1', NVML_STANDIN_LOG: log },
    );
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['init 1', 'shutdown 0']);
  });

  it('says when nvmlInit_v2 fails (NVML stays initialised once it is, so only a fresh process shows it)', async () => {
    const out = await inOwnProcess(
      `import { probeNvml } from ${JSON.stringify(join(repoRoot, 'src/meters/nvml.ts'))};
       const probe = await probeNvml({ env: { JOULEBENCH_NVML_LIB: ${JSON.stringify(lib)} } });
       process.stdout.write(probe.available ? 'available' : probe.reason);`,
      { NVML_STANDIN_INIT_ERROR: '9' },
    );
    expect(out).toMatch(/nvmlInit_v2 failed: Driver Not Loaded \(NVML error 9\)/);
  });
});

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

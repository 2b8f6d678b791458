import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterProbe } from '../src/meters/base.js';
import { probeNvidiaSmi, type NvidiaSmiMeter } from '../src/meters/nvidia-smi.js';
import { expectWithin, sleep } from './helpers/energy.js';
import { installSmiStandin, waitForExit, type SmiStandin } from './helpers/nvidia-smi-standin.js';
import { standinUuid } from './helpers/nvml-standin.js';

let smi: SmiStandin;
beforeAll(() => {
  smi = installSmiStandin([70, 150]);
});
afterAll(() => smi.remove());

function meterOf(probe: MeterProbe): NvidiaSmiMeter {
  if (!probe.available) throw new Error(`expected nvidia-smi to be available: ${probe.reason}`);
  return probe.meter as NvidiaSmiMeter;
}

type DeviceDetail = { index: number; uuid: string; method: string; joules: number; samples: number };

describe('nvidia-smi fallback meter', () => {
  it('integrates power.draw.instant of every GPU from ONE nvidia-smi per window, within 1%, and kills it at stop', async () => {
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env() }));
    expect(meter.field).toBe('power.draw.instant');
    const before = smi.runs().length;
    const w = await meter.start();
    await sleep(1000);
    const r = await w.stop();
    expect(r).toMatchObject({ meter: 'nvidia-smi', kind: 'measured' });
    expectWithin(r.components.gpu, 220 * r.durationS);
    const devices = r.details.devices as DeviceDetail[];
    expect(devices.map((d) => [d.index, d.uuid, d.method])).toEqual([
      [0, standinUuid(0), 'sampled-power'],
      [1, standinUuid(1), 'sampled-power'],
    ]);
    expectWithin(devices[1]!.joules, 150 * r.durationS);
    expect(devices[0]!.samples).toBeGreaterThanOrEqual(8); // every 100 ms over 1 s, minus bash start-up jitter
    expect(r.details.method).toMatch(/integrated sampled power/);
    expect(r.warnings[0]).toMatch(/sampled every 100 ms and integrated, not read from an energy counter/);
    const runs = smi.runs().slice(before);
    expect(runs).toEqual([{ pid: expect.any(Number), fields: 'index,uuid,power.draw.instant', interval: '100' }]);
    expect(await waitForExit(runs[0]!.pid)).toBe(true);
    await expect(w.stop()).rejects.toThrow(/already stopped/);
  });

  it('counts only the GPUs CUDA_VISIBLE_DEVICES selects', async () => {
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env({ CUDA_VISIBLE_DEVICES: standinUuid(1) }) }));
    expect(meter.gpus.map((g) => g.index)).toEqual([1]);
    const w = await meter.start();
    await sleep(1000);
    const r = await w.stop();
    expectWithin(r.components.gpu, 150 * r.durationS);
    const hidden = await probeNvidiaSmi({ env: smi.env({ CUDA_VISIBLE_DEVICES: '' }) });
    expect(hidden).toMatchObject({ available: false, reason: expect.stringMatching(/CUDA_VISIBLE_DEVICES is empty/) });
    expect(hidden.devices).toHaveLength(2);
  });

  it('keeps overlapping windows apart, each with its own nvidia-smi', async () => {
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env() }));
    const baseline = await meter.start();
    await sleep(300);
    const run = await meter.start();
    await sleep(1000);
    const r = await run.stop();
    const b = await baseline.stop();
    expectWithin(r.components.gpu, 220 * r.durationS);
    expectWithin(b.components.gpu, 220 * b.durationS);
  });

  it('falls back to power.draw on drivers without power.draw.instant, and warns it is a 1-second average', async () => {
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_NO_INSTANT: '1' }) }));
    expect(meter.field).toBe('power.draw');
    const w = await meter.start();
    await sleep(20);
    const r = await w.stop();
    expect(r.warnings.join('\n')).toMatch(/power.draw is a 1-second average/);
    expect(r.warnings.join('\n')).toMatch(/shorter than the 100 ms sampling period/);
  });

  it('fails the window, rather than inventing energy, when nvidia-smi dies inside it', async () => {
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_DIE_AFTER: '3' }) }));
    const w = await meter.start();
    await sleep(600);
    await expect(w.stop()).rejects.toThrow(
      /nvidia-smi exited \(code 15\): Unable to determine the device handle.* during the energy window/,
    );
  });

  it('says why it is unavailable: not on PATH, driver unreachable, power not reported', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'joulebench-nopath-'));
    expect(await probeNvidiaSmi({ env: { PATH: empty } })).toMatchObject({
      available: false,
      reason: 'nvidia-smi not found on PATH',
    });
    rmSync(empty, { recursive: true });
    expect(await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_FAIL: '1' }) })).toMatchObject({
      available: false,
      reason: expect.stringMatching(
        /nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/,
      ),
    });
    const na = await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_NA: '1' }) });
    expect(na).toMatchObject({
      available: false,
      reason: expect.stringMatching(/GPU 0 \(NVIDIA Stand-in 70W\) reports power.draw.instant as '\[N\/A\]'/),
    });
    expect(na.devices[0]).toBe(`GPU 0: NVIDIA Stand-in 70W (${standinUuid(0)}) — power.draw.instant [N/A]`);
  });
});

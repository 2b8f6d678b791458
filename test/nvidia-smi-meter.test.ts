import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MeterProbe } from '../src/meters/base.js';
import { probeNvidiaSmi, type NvidiaSmiMeter } from '../src/meters/nvidia-smi.js';
import type { SampleGaps } from '../src/meters/power-series.js';
import { expectWithin, sleep } from './helpers/energy.js';
import { installSmiStandin, waitForExit, type SmiStandin } from './helpers/nvidia-smi-standin.js';
import { standinUuid } from './helpers/nvml-standin.js';

const made: SmiStandin[] = [];
afterAll(() => {
  for (const s of made) s.remove();
});

/** A stand-in of each test's own: the tests run side by side and count their own nvidia-smi runs. */
function standin(): SmiStandin {
  const smi = installSmiStandin([70, 150]);
  made.push(smi);
  return smi;
}

function meterOf(probe: MeterProbe): NvidiaSmiMeter {
  if (!probe.available) throw new Error(`expected nvidia-smi to be available: ${probe.reason}`);
  return probe.meter as NvidiaSmiMeter;
}

type DeviceDetail = { index: number; uuid: string; method: string; joules: number; samples: number };

function busy(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  expect(x).toBeGreaterThan(0);
}

describe.concurrent('nvidia-smi fallback meter', () => {
  it('integrates power.draw.instant of every GPU within 1%, from ONE nvidia-smi for all windows, stopped at close', async () => {
    const smi = standin();
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env() }));
    expect(meter.field).toBe('power.draw.instant');
    expect(meter.resolutionS).toBe(0.1);
    const before = smi.runs().length;
    const readings = [];
    for (let i = 0; i < 2; i++) {
      const w = await meter.start();
      await sleep(350);
      readings.push(await w.stop());
    }
    const r = readings[1]!;
    expect(r).toMatchObject({ meter: 'nvidia-smi', kind: 'measured' });
    for (const reading of readings) expectWithin(reading.components.gpu, 220 * reading.durationS);
    const devices = r.details.devices as DeviceDetail[];
    expect(devices.map((d) => [d.index, d.uuid, d.method])).toEqual([
      [0, standinUuid(0), 'sampled-power'],
      [1, standinUuid(1), 'sampled-power'],
    ]);
    expectWithin(devices[1]!.joules, 150 * r.durationS);
    expect(devices[0]!.samples).toBeGreaterThanOrEqual(2); // every 100 ms over 0.35 s, minus bash's jitter
    expect(r.details.method).toMatch(/integrated sampled power/);
    expect(r.details.clock).toMatch(/nvidia-smi's own timestamp/);
    expect(r.warnings[0]).toMatch(/sampled every 100 ms and integrated, not read from an energy counter/);
    const runs = smi.runs().slice(before);
    expect(runs).toEqual([
      { pid: expect.any(Number), fields: 'timestamp,index,uuid,power.draw.instant', interval: '100' },
    ]);
    await meter.close();
    expect(await waitForExit(runs[0]!.pid)).toBe(true);
  });

  it("times each sample by nvidia-smi's own timestamp, not by when the busy main thread got to read it", async () => {
    const smi = standin();
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env() }));
    const w = await meter.start();
    busy(600); // samples keep coming every 100 ms; nobody on the main thread reads them meanwhile
    await sleep(100);
    const r = await w.stop();
    await meter.close();
    expectWithin(r.components.gpu, 220 * r.durationS, 2);
    const steps = r.timeline!.gpu!.tS.map((t, i, all) => t - (i === 0 ? 0 : all[i - 1]!));
    expect(r.timeline!.gpu!.tS.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...steps)).toBeLessThan(0.45); // no 0.6 s hole followed by a burst
  });

  it('keeps overlapping windows apart on the one sampler', async () => {
    const smi = standin();
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env() }));
    const before = smi.runs().length;
    const baseline = await meter.start();
    await sleep(150);
    const run = await meter.start();
    await sleep(300);
    const r = await run.stop();
    const b = await baseline.stop();
    await meter.close();
    expectWithin(r.components.gpu, 220 * r.durationS);
    expectWithin(b.components.gpu, 220 * b.durationS);
    expect(smi.runs().length - before).toBe(1);
  });

  it('counts only the GPUs CUDA_VISIBLE_DEVICES selects', async () => {
    const smi = standin();
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env({ CUDA_VISIBLE_DEVICES: standinUuid(1) }) }));
    expect(meter.gpus.map((g) => g.index)).toEqual([1]);
    const w = await meter.start();
    await sleep(250);
    const r = await w.stop();
    await meter.close();
    expectWithin(r.components.gpu, 150 * r.durationS);
    expect(r.warnings.join('\n')).not.toMatch(/could not be read|no power reading/); // GPU 0's lines are not ours
    expect(r.details.gapsFlagged).toBe(false);
    const hidden = await probeNvidiaSmi({ env: smi.env({ CUDA_VISIBLE_DEVICES: '' }) });
    expect(hidden).toMatchObject({ available: false, reason: expect.stringMatching(/CUDA_VISIBLE_DEVICES is empty/) });
    expect(hidden.devices).toHaveLength(2);
  });

  it('falls back to power.draw on drivers without power.draw.instant, and warns it is a 1-second average', async () => {
    const smi = standin();
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_NO_INSTANT: '1' }) }));
    expect(meter.field).toBe('power.draw');
    const w = await meter.start();
    await sleep(20);
    const r = await w.stop();
    await meter.close();
    expect(r.warnings.join('\n')).toMatch(/power.draw is a 1-second average/);
    expect(r.warnings.join('\n')).toMatch(/shorter than 200 × this meter's resolution/);
  });

  it('fails the window, rather than inventing energy, when nvidia-smi dies inside it, and restarts it for the next', async () => {
    const smi = standin();
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_DIE_AFTER: '4' }) }));
    const w = await meter.start();
    await sleep(700);
    await expect(w.stop()).rejects.toThrow(
      /^nvidia-smi exited \(code 15\) during the energy window: Unable to determine the device handle/,
    );
    const before = smi.runs().length;
    const next = await meter.start(); // a fresh nvidia-smi
    await sleep(200);
    const r = await next.stop();
    await meter.close();
    expectWithin(r.components.gpu, 220 * r.durationS, 3);
    expect(smi.runs().length - before).toBe(1);
  });

  it('fails the window when nvidia-smi stops printing inside it', async () => {
    const smi = standin();
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_STALL_AFTER: '2' }), stallS: 0.3 }));
    const w = await meter.start();
    await sleep(750);
    await expect(w.stop()).rejects.toThrow(
      /^nvidia-smi stopped printing: its last sample of GPU 0 came [\d.]+ s before/,
    );
    await meter.close();
  });

  it('counts the lines it cannot read ([Unknown Error], cut short) and reports the gap they leave, with its length', async () => {
    const smi = standin();
    const meter = meterOf(await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_BAD_ROUNDS: '4-11' }) }));
    const w = await meter.start();
    await sleep(1600);
    const r = await w.stop();
    await meter.close();
    expectWithin(r.components.gpu, 220 * r.durationS, 2); // constant power: here the straight line is right
    const unread = r.warnings.find((w) => w.includes('could not be read'));
    expect(unread).toMatch(
      /^nvidia-smi: \d+ line\(s\) could not be read as a power sample \(the last: '.*(\[Unknown Error\]|GPU-5a1e0000)'\); skipped$/,
    );
    const lines = Number(/(\d+) line/.exec(unread!)![1]);
    expect(lines).toBeGreaterThanOrEqual(8); // 8 rounds of 2 GPUs, all inside the window unless bash was slow
    expect(lines).toBeLessThanOrEqual(16);
    for (const name of ['GPU 0 \\(NVIDIA Stand-in 70W\\)', 'GPU 1 \\(NVIDIA Stand-in 150W\\)'])
      expect(r.warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^nvidia-smi: ${name}: no power reading for \\d\\.\\d\\d s \\(1 gap longer than 5 × the 100 ms sampling ` +
              'period, \\d+% of the window\\); its figure bridges it with a straight line — flagged: over 10%',
          ),
        ),
      );
    const devices = r.details.devices as (DeviceDetail & { gaps: SampleGaps })[];
    for (const d of devices) {
      expect(d.gaps.count).toBe(1);
      expect(d.gaps.longestS).toBeGreaterThan(0.8); // rounds 3 and 12 are 9 periods apart
      expect(d.gaps.longestS).toBeLessThan(1.6);
    }
    expect(r.details.gapsFlagged).toBe(true);
  });

  it('checks the power it reads at start-up against each GPU power limit', async () => {
    const smi = standin();
    const probe = await probeNvidiaSmi({ env: smi.env({ NVSMI_STANDIN_LIMIT: '50' }) });
    expect(probe).toMatchObject({
      available: false,
      reason: expect.stringMatching(
        /^GPU 1 \(NVIDIA Stand-in 150W\): 150\.00 W at start-up is not plausible \(power limit 50 W/,
      ),
    });
  });

  it('says why it is unavailable: not on PATH, driver unreachable, power not reported', async () => {
    const smi = standin();
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
    expect(na.devices[0]).toBe(
      `GPU 0: NVIDIA Stand-in 70W (${standinUuid(0)}) — power.draw.instant [N/A] (power limit 400 W)`,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMeters } from '../src/meters/index.js';
import { cli } from './helpers/env.js';
import { installSmiStandin, type SmiStandin } from './helpers/nvidia-smi-standin.js';
import { PowercapFixture, serverZones } from './helpers/powercap.js';

let powercap: PowercapFixture;
let smi: SmiStandin;
beforeAll(async () => {
  powercap = await PowercapFixture.start(serverZones());
  smi = installSmiStandin([70, 150]);
});
afterAll(async () => {
  await powercap.close();
  smi.remove();
});

/** The command reads the real environment, as it would on a user's machine. */
async function runCommand(args: string[]): Promise<string> {
  const env = {
    ...smi.env(),
    JOULEBENCH_POWERCAP_ROOT: powercap.root,
    JOULEBENCH_NVML_LIB: '/nonexistent/libnvidia-ml.so.1',
    CUDA_VISIBLE_DEVICES: undefined,
  };
  const r = await cli(['meters', ...args], env);
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('joulebench meters', () => {
  it('lists every meter, available or not and why, with the devices each sees and what auto picks', async () => {
    const out = await runCommand([]);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^rapl +measured +available \(resolution 1 ms; windows of at least 1 s by default\)$/);
    expect(out).toMatch(/- intel-rapl:0 package-0 -> cpu, \d+\.\d W at start-up \(power limit 330 W\)\n/);
    expect(out).toMatch(
      /- intel-rapl:1:1 dram -> dram, \d+\.\d W at start-up \(no power limit in sysfs: bound 1000 W\)\n/,
    );
    expect(out).toMatch(/- intel-rapl:2 psys \(excluded: platform counter/);
    expect(out).toMatch(
      /\nnvml +measured +unavailable: NVML library could not be loaded \(JOULEBENCH_NVML_LIB\): \/nonexistent\/libnvidia-ml\.so\.1/,
    );
    expect(out).toMatch(
      /\nnvidia-smi +measured +available \(resolution 100 ms; windows of at least 20 s by default\)\n +- GPU 0: NVIDIA Stand-in 70W \(GPU-5a1e0000-0000-4000-8000-000000000000\) — power\.draw\.instant 70\.00 \(power limit 400 W\)\n/,
    );
    expect(out).toMatch(
      /\nestimate +estimated +available \(resolution 0\.001 ms; windows of at least 1 s by default\)\n +- CPU /,
    );
    expect(out).toMatch(/--meter auto uses: rapl \(Linux powercap: .*\) — measured \+ nvidia-smi \(/);
    expect(out).toMatch(/Meter auto: rapl\+nvidia-smi measures cpu, dram, gpu; not used — nvml: /);
  });

  it('prints the same as JSON', async () => {
    const parsed = JSON.parse(await runCommand(['--json'])) as {
      meters: { name: string; available: boolean; reason?: string; devices: string[] }[];
      auto: string;
    };
    expect(parsed.auto).toBe('rapl+nvidia-smi');
    expect(parsed.meters.map((m) => [m.name, m.available])).toEqual([
      ['rapl', true],
      ['nvml', false],
      ['nvidia-smi', true],
      ['estimate', true],
    ]);
    expect(parsed.meters[1]!.reason).toMatch(/nonexistent/);
    expect(parsed.meters[2]!.devices).toHaveLength(2);
  });

  it('describes meters without a working one as unavailable, each with its reason', async () => {
    const listings = await describeMeters({
      env: {
        JOULEBENCH_POWERCAP_ROOT: '/nonexistent',
        JOULEBENCH_NVML_LIB: '/nonexistent/lib.so',
        PATH: '/nonexistent',
      },
    });
    expect(listings.filter((l) => !l.available).map((l) => [l.name, l.kind, l.reason?.slice(0, 24)])).toEqual([
      ['rapl', 'measured', 'no powercap tree at /non'],
      ['nvml', 'measured', 'NVML library could not b'],
      ['nvidia-smi', 'measured', 'nvidia-smi not found on '],
    ]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/util/errors.js';
import { selectMeter } from '../src/meters/index.js';
import { expectWithin, sleep, staleCounterPct } from './helpers/energy.js';
import { installSmiStandin, type SmiStandin } from './helpers/nvidia-smi-standin.js';
import { buildNvmlStandin, configureStandin, hasCompiler, noCompilerMessage } from './helpers/nvml-standin.js';
import { PowercapFixture, serverZones } from './helpers/powercap.js';

/** Nothing to measure with: no powercap tree, no NVML, no nvidia-smi on PATH. */
const bare = {
  JOULEBENCH_POWERCAP_ROOT: '/nonexistent/powercap',
  JOULEBENCH_NVML_LIB: '/nonexistent/libnvidia-ml.so.1',
  PATH: mkdtempSync(join(tmpdir(), 'joulebench-nopath-')),
};

let powercap: PowercapFixture;
let smi: SmiStandin;
let nvmlLib = '';
beforeAll(async () => {
  powercap = await PowercapFixture.start(serverZones()); // cpu 20 + 30 W, dram 4 + 5 W (psys 120 W)
  smi = installSmiStandin([70, 150]);
  if (hasCompiler) nvmlLib = buildNvmlStandin();
  configureStandin({ watts: [70], persistence: [0], stepMs: 0 });
});
afterAll(async () => {
  await powercap.close();
  smi.remove();
  rmSync(bare.PATH, { recursive: true });
  if (nvmlLib) rmSync(dirname(nvmlLib), { recursive: true });
});

async function userError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).message;
}

describe('--meter auto', () => {
  it('falls back to the estimate with one warning that gives every meter its reason', async () => {
    const { meter, notes } = await selectMeter('auto', { env: bare });
    expect(meter.name).toBe('estimate');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^WARNING: no energy sensor could be read \(rapl: no powercap tree at \/nonexistent\/powercap.*; nvml: .*\/nonexistent\/libnvidia-ml\.so\.1.*; nvidia-smi: nvidia-smi not found on PATH\); figures are ESTIMATED/,
    );
  });

  it('combines RAPL with nvidia-smi when NVML cannot be loaded, within 1% per component', async () => {
    const env = {
      ...smi.env(),
      JOULEBENCH_POWERCAP_ROOT: powercap.root,
      JOULEBENCH_NVML_LIB: bare.JOULEBENCH_NVML_LIB,
    };
    const { meter, notes } = await selectMeter('auto', { env });
    expect(meter.name).toBe('rapl+nvidia-smi');
    expect(notes).toEqual([
      expect.stringMatching(
        /^Meter auto: rapl\+nvidia-smi measures cpu, dram, gpu; not used — nvml: NVML library could not be loaded/,
      ),
    ]);
    const w = await meter.start();
    await sleep(600);
    const r = await w.stop();
    expect(r.kind).toBe('measured');
    const pct = staleCounterPct(await powercap.maxUpdateGapS(), r.durationS);
    expectWithin(r.components.cpu, 50 * r.durationS, pct);
    expectWithin(r.components.dram, 9 * r.durationS, pct);
    expectWithin(r.components.gpu, 220 * r.durationS);
    expect(Object.keys(r.details.parts as object)).toEqual(['rapl', 'nvidia-smi']);
    expect(r.warnings).toEqual([
      expect.stringMatching(/^rapl: intel-rapl:2 psys \(the whole platform\) read/),
      expect.stringMatching(/^nvidia-smi: GPU energy is power.draw.instant sampled/),
      expect.stringMatching(/^nvidia-smi: window of .* shorter than 200 × this meter's resolution/),
    ]);
    expect(meter.resolutionS).toBe(0.1); // the coarser part's
    expect(Object.keys(r.timeline!)).toEqual(['cpu', 'dram', 'gpu']);
    await meter.close();
  });

  it('uses the GPU meter alone, and says CPU and DRAM are not measured and why', async () => {
    const { meter, notes } = await selectMeter('auto', {
      env: smi.env({
        JOULEBENCH_POWERCAP_ROOT: bare.JOULEBENCH_POWERCAP_ROOT,
        JOULEBENCH_NVML_LIB: bare.JOULEBENCH_NVML_LIB,
      }),
    });
    expect(meter.name).toBe('nvidia-smi');
    expect(notes[0]).toMatch(/measures gpu; not used — rapl: no powercap tree/);
  });
});

describe.skipIf(!hasCompiler)(`--meter auto with NVML${hasCompiler ? '' : ` (SKIPPED: ${noCompilerMessage})`}`, () => {
  it('combines RAPL and NVML, and never starts nvidia-smi for GPUs NVML already measures', async () => {
    const env = { ...smi.env(), JOULEBENCH_POWERCAP_ROOT: powercap.root, JOULEBENCH_NVML_LIB: nvmlLib };
    const runsBefore = smi.runs().length;
    const { meter, notes } = await selectMeter('auto', { env });
    expect(meter.name).toBe('rapl+nvml');
    expect(meter.kind).toBe('measured');
    expect(meter.components).toEqual(['cpu', 'dram', 'gpu']);
    expect(notes).toEqual([]);
    const w = await meter.start();
    await sleep(600);
    const r = await w.stop();
    expect(r).toMatchObject({ meter: 'rapl+nvml', kind: 'measured' });
    expect(r.warnings.filter((w) => !/shorter than 200 ×/.test(w))).toEqual([
      expect.stringMatching(/^rapl: intel-rapl:2 psys/),
    ]);
    expect(r.crossChecks!.map((c) => c.components)).toEqual([['cpu', 'dram'], ['gpu']]);
    const pct = staleCounterPct(await powercap.maxUpdateGapS(), r.durationS);
    expectWithin(r.components.cpu, 50 * r.durationS, pct);
    expectWithin(r.components.dram, 9 * r.durationS, pct);
    expectWithin(r.components.gpu, 70 * r.durationS);
    expectWithin(r.joules, 129 * r.durationS, pct);
    const parts = r.details.parts as Record<string, { devices?: unknown[]; zones?: unknown[] }>;
    expect(parts.rapl!.zones).toHaveLength(4);
    expect(parts.nvml!.devices).toHaveLength(1);
    expect(smi.runs().length).toBe(runsBefore);
  });

  it('takes a forced comma list of meters over disjoint components', async () => {
    const env = { ...bare, JOULEBENCH_POWERCAP_ROOT: powercap.root, JOULEBENCH_NVML_LIB: nvmlLib };
    const { meter, notes } = await selectMeter('rapl, nvml', { env });
    expect(meter.name).toBe('rapl+nvml');
    expect(notes).toEqual([]);
    const partly = await selectMeter('nvml,estimate', { env, cpuWatts: 2 });
    expect(partly.meter).toMatchObject({ name: 'nvml+estimate', kind: 'estimated' });
    expect(partly.notes).toEqual([expect.stringMatching(/^Energy figures are ESTIMATED in part/)]);
  });
});

describe('forced --meter', () => {
  it('is a UserError, naming the reason, when the meter is unavailable', async () => {
    expect(await userError(selectMeter('rapl', { env: bare }))).toMatch(
      /^--meter rapl is unavailable: no powercap tree at \/nonexistent\/powercap/,
    );
    expect(await userError(selectMeter('nvidia-smi', { env: bare }))).toBe(
      '--meter nvidia-smi is unavailable: nvidia-smi not found on PATH',
    );
    const both = await userError(selectMeter('rapl,nvml', { env: bare }));
    expect(both).toMatch(/--meter rapl is unavailable: .*; --meter nvml is unavailable: /);
  });

  it('refuses two meters for the same component before probing anything', async () => {
    const runsBefore = smi.runs().length;
    expect(await userError(selectMeter('nvml,nvidia-smi', { env: smi.env() }))).toMatch(
      /nvml and nvidia-smi both measure gpu, which would count it twice/,
    );
    expect(await userError(selectMeter('rapl,estimate', { env: bare }))).toMatch(/rapl and estimate both measure cpu/);
    expect(smi.runs().length).toBe(runsBefore);
  });

  it('rejects unknown names with a suggestion, duplicates, and auto inside a list', async () => {
    expect(await userError(selectMeter('nmvl', { env: bare }))).toMatch(
      /Unknown meter 'nmvl'\. Did you mean: nvml\b.*Valid meters: auto, estimate, rapl, nvml, nvidia-smi/,
    );
    expect(await userError(selectMeter('rapl,rapl', { env: bare }))).toMatch(/rapl is named twice/);
    expect(await userError(selectMeter('auto,rapl', { env: bare }))).toMatch(/auto already combines/);
    expect(await userError(selectMeter('rapl,', { env: bare }))).toMatch(/empty meter name/);
  });

  it('keeps the estimate forced as before, labelled ESTIMATED', async () => {
    const { meter, notes } = await selectMeter('estimate', { env: bare, cpuWatts: 3 });
    expect(meter.kind).toBe('estimated');
    expect(notes).toEqual([
      expect.stringMatching(/^Energy figures are ESTIMATED \(estimate \(process CPU time x 3\.00 W\/thread/),
    ]);
  });
});

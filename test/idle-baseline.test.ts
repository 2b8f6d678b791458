import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureIdle, netOf } from '../src/meters/idle.js';
import { UserError } from '../src/util/errors.js';
import { defineMeter, type Meter } from '../src/meters/base.js';
import type { EnergyReading } from '../src/schema/energy.js';
import { RunRecordSchema } from '../src/schema/result-record.js';
import { idleSecondsFor, resolveRunOptions } from '../src/schema/run-options.js';
import { cli, quickRun, smallModel, tempDir } from './helpers/env.js';
import { onePackage, PowercapFixture } from './helpers/powercap.js';

/** A meter whose components draw constant, known power over real time; `warnings` are its figures' own. */
function constantPower(watts: { cpu: number; gpu: number }, warnings: string[] = [], resolutionS?: number): Meter {
  return defineMeter({
    name: 'constant',
    kind: 'measured',
    components: ['cpu', 'gpu'],
    describe: () => 'constant',
    zeroReason: 'constant',
    ...(resolutionS !== undefined ? { resolutionS } : {}),
    prepare: async () => ({
      cancel: () => {},
      open: () => {
        const t0 = performance.now();
        return {
          async stop() {
            const durationS = (performance.now() - t0) / 1000;
            return {
              durationS,
              components: { cpu: watts.cpu * durationS, gpu: watts.gpu * durationS },
              details: {},
              warnings,
            };
          },
        };
      },
    }),
  });
}

const idleOf = (warnings: string[]) => ({ meter: 'm', seconds: 10, watts: { gpu: 75 }, totalWatts: 75, warnings });

describe('idle baseline', () => {
  it('measures idle watts per component over the baseline window', async () => {
    const idle = await measureIdle(constantPower({ cpu: 20, gpu: 75 }), 0.3);
    expect(idle.seconds).toBeGreaterThanOrEqual(0.29);
    expect(idle.watts.cpu).toBeCloseTo(20, 6);
    expect(idle.watts.gpu).toBeCloseTo(75, 6);
    expect(idle.totalWatts).toBeCloseTo(95, 6);
  });

  it("keeps the warnings the meter gave in the baseline's window: gaps, zeros, a short window", async () => {
    const gap = 'nvml: GPU 0: no power reading for 0.8 s of the window';
    const idle = await measureIdle(constantPower({ cpu: 0, gpu: 75 }, [gap], 0.01), 0.3);
    expect(idle.warnings).toEqual([
      gap,
      expect.stringMatching(/^window of \d\.\d+ s is shorter than 200 × this meter's resolution \(0\.01 s\)/),
      expect.stringMatching(/^cpu read 0 J over \d\.\d+ s: constant$/),
    ]);
  });

  it("lasts max(10 s, 200 × the meter's resolution) by default, as set otherwise, and none with the estimate", () => {
    const defaults = resolveRunOptions({});
    expect(idleSecondsFor(defaults, true, 0.001)).toBe(10); // RAPL
    expect(idleSecondsFor(defaults, true, 0.1)).toBeCloseTo(20, 9); // nvidia-smi, NVML power at 100 ms
    expect(idleSecondsFor(defaults, true, null)).toBe(10);
    expect(idleSecondsFor(defaults, false, 0.000001)).toBe(0); // the estimate
    expect(idleSecondsFor(resolveRunOptions({ idleSeconds: 5 }), true, 0.1)).toBe(5); // shorter: its window warns
    expect(idleSecondsFor(resolveRunOptions({ idleSeconds: 0 }), true, 0.1)).toBe(0);
  });

  it('stops the run with one line when the meter fails during the baseline', async () => {
    const failing = defineMeter({
      name: 'failing',
      kind: 'measured',
      components: ['gpu'],
      describe: () => 'failing',
      zeroReason: 'failing',
      prepare: async () => ({
        cancel: () => {},
        open: () => ({
          stop: async () => {
            throw new Error('nvidia-smi exited (code 15) during the energy window');
          },
        }),
      }),
    });
    const err = await measureIdle(failing, 0.01).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      'the idle baseline could not be measured: nvidia-smi exited (code 15) during the energy window. ' +
        'Run again, or skip the baseline with --idle-seconds 0',
    );
  });

  it('net joules = gross - idle watts x window duration', () => {
    const reading: EnergyReading = {
      meter: 'm',
      kind: 'measured',
      durationS: 4,
      components: { gpu: 500 },
      joules: 500,
      details: {},
      warnings: [],
    };
    expect(netOf(reading, idleOf([]))).toEqual({ netJoules: 500 - 75 * 4, warnings: [] });
  });

  it("carries the baseline's warnings into every net figure, except those the window gives itself", () => {
    const reading: EnergyReading = {
      meter: 'm',
      kind: 'measured',
      durationS: 4,
      components: { gpu: 500 },
      joules: 500,
      details: {},
      warnings: ['nvml: persistence mode is off on GPU 0'],
    };
    const idle = idleOf(['nvml: persistence mode is off on GPU 0', 'nvml: GPU 0: 3 power reading(s) failed']);
    expect(netOf(reading, idle).warnings).toEqual(['idle baseline: nvml: GPU 0: 3 power reading(s) failed']);
  });

  it('keeps a negative net figure and says why, never clamping it silently', () => {
    const reading: EnergyReading = {
      meter: 'm',
      kind: 'measured',
      durationS: 2,
      components: { gpu: 140 },
      joules: 140,
      details: {},
      warnings: [],
    };
    const r = netOf(reading, idleOf([]));
    expect(r.netJoules).toBe(-10);
    expect(r.warnings).toEqual([expect.stringMatching(/net energy is negative \(-10\.000 J\)/)]);
  });
});

describe('bench with an idle baseline shorter than 200 × the meter resolution', () => {
  it("logs the baseline window's warnings and every record keeps them", async () => {
    const fixture = await PowercapFixture.start(onePackage(45));
    try {
      const out = tempDir('joulebench-idle-');
      // RAPL's ~1 ms: 0.02 s is a tenth of 200 × its resolution; the run goes on, and says so.
      const r = await cli(
        ['bench', ...smallModel, ...quickRun, '--meter', 'rapl', '--idle-seconds', '0.02', '--out', out],
        {
          JOULEBENCH_POWERCAP_ROOT: fixture.root,
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const short = /^idle baseline: window of 0\.\d+ s is shorter than 200 × this meter's resolution \(0\.001 s\)/;
      expect(r.stderr.split('\n').map((l) => l.replace(/^warning: /, ''))).toContainEqual(expect.stringMatching(short));
      const runs = join(out, 'runs');
      const file = readdirSync(runs).find((f) => f.endsWith('.jsonl'))!;
      const records = readFileSync(join(runs, file), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => RunRecordSchema.parse(JSON.parse(l)));
      expect(records).toHaveLength(2);
      for (const rec of records) {
        if (rec.status !== 'ok') throw new Error(`expected an ok record: ${JSON.stringify(rec)}`);
        expect(rec.energy.idleSeconds).toBeGreaterThanOrEqual(0.019); // 20 ms asked: Node timers may fire up to 1 ms early against the monotonic clock
        expect(rec.energy.warnings).toContainEqual(expect.stringMatching(short));
      }
    } finally {
      fixture.close();
    }
  }, 60_000);
});

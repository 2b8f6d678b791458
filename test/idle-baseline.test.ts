import { describe, expect, it } from 'vitest';
import { measureIdle, netOf } from '../src/meters/idle.js';
import { UserError } from '../src/util/errors.js';
import { defineMeter, type Meter } from '../src/meters/base.js';
import type { EnergyReading } from '../src/schema/energy.js';

/** A meter whose components draw constant, known power over real time. */
function constantPower(watts: { cpu: number; gpu: number }): Meter {
  return defineMeter({
    name: 'constant',
    kind: 'measured',
    components: ['cpu', 'gpu'],
    describe: () => 'constant',
    zeroReason: 'constant',
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
              warnings: [],
            };
          },
        };
      },
    }),
  });
}

describe('idle baseline', () => {
  it('measures idle watts per component over the baseline window', async () => {
    const idle = await measureIdle(constantPower({ cpu: 20, gpu: 75 }), 0.3);
    expect(idle.seconds).toBeGreaterThanOrEqual(0.29);
    expect(idle.watts.cpu).toBeCloseTo(20, 6);
    expect(idle.watts.gpu).toBeCloseTo(75, 6);
    expect(idle.totalWatts).toBeCloseTo(95, 6);
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
    const idle = { meter: 'm', seconds: 10, watts: { gpu: 75 }, totalWatts: 75 };
    expect(netOf(reading, idle)).toEqual({ netJoules: 500 - 75 * 4 });
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
    const r = netOf(reading, { meter: 'm', seconds: 10, watts: { gpu: 75 }, totalWatts: 75 });
    expect(r.netJoules).toBe(-10);
    expect(r.warning).toMatch(/net energy is negative \(-10\.000 J\)/);
  });
});

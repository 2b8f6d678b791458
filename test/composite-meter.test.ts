import { describe, expect, it } from 'vitest';
import { defineMeter } from '../src/meters/base.js';
import { compositeMeter } from '../src/meters/composite.js';
import { estimateMeter } from '../src/meters/estimate.js';
import type { Component, ComponentJoules, EnergyKind } from '../src/schema/energy.js';

/** A meter that reports fixed joules, and counts its windows. */
function fake(
  name: string,
  kind: EnergyKind,
  joules: ComponentJoules,
  opts: { failStart?: boolean; warnings?: string[] } = {},
) {
  const counts = { started: 0, stopped: 0, cancelled: 0 };
  const meter = defineMeter({
    name,
    kind,
    components: Object.keys(joules) as Component[],
    describe: () => `${name} (fake)`,
    zeroReason: 'fake',
    prepare: async () => {
      if (opts.failStart) throw new Error(`${name} cannot start`);
      return {
        cancel: () => counts.cancelled++,
        open: () => {
          counts.started++;
          return {
            stop: async () => {
              counts.stopped++;
              return {
                durationS: name.length,
                components: joules,
                details: { source: name },
                warnings: opts.warnings ?? [],
              };
            },
          };
        },
      };
    },
  });
  return { meter, counts };
}

describe('composite meter', () => {
  it('merges parts over disjoint components into one reading, keeping each part details', async () => {
    const rapl = fake('rapl', 'measured', { cpu: 30, dram: 5 }, { warnings: ['rapl: DRAM zone unreadable'] });
    const nvml = fake('nvml', 'measured', { gpu: 200 }, { warnings: ['GPU 1 has no energy counter'] });
    const meter = compositeMeter([rapl.meter, nvml.meter]);
    expect(meter.name).toBe('rapl+nvml');
    expect(meter.kind).toBe('measured');
    expect(meter.components).toEqual(['cpu', 'dram', 'gpu']);
    expect(meter.describe()).toBe('rapl (fake) + nvml (fake)');
    const r = await (await meter.start()).stop();
    expect(r).toMatchObject({
      meter: 'rapl+nvml',
      kind: 'measured',
      components: { cpu: 30, dram: 5, gpu: 200 },
      joules: 235,
      durationS: 4,
    });
    expect(r.details.parts).toEqual({
      rapl: { kind: 'measured', durationS: 4, components: { cpu: 30, dram: 5 }, source: 'rapl' },
      nvml: { kind: 'measured', durationS: 4, components: { gpu: 200 }, source: 'nvml' },
    });
    expect(r.warnings).toEqual(['rapl: DRAM zone unreadable', 'nvml: GPU 1 has no energy counter']);
  });

  it('is estimated as soon as one part is', async () => {
    const meter = compositeMeter([
      fake('nvml', 'measured', { gpu: 1 }).meter,
      fake('estimate', 'estimated', { cpu: 1, dram: 1 }).meter,
    ]);
    expect(meter.kind).toBe('estimated');
    expect((await (await meter.start()).stop()).kind).toBe('estimated');
  });

  it('refuses two parts that measure the same component', () => {
    expect(() =>
      compositeMeter([fake('nvml', 'measured', { gpu: 1 }).meter, fake('nvidia-smi', 'measured', { gpu: 1 }).meter]),
    ).toThrow(/nvml and nvidia-smi both measure gpu/);
  });

  it('opens no window, and releases the parts it prepared, when another part fails to prepare', async () => {
    const rapl = fake('rapl', 'measured', { cpu: 1 });
    const meter = compositeMeter([rapl.meter, fake('nvidia-smi', 'measured', { gpu: 1 }, { failStart: true }).meter]);
    await expect(meter.start()).rejects.toThrow(/nvidia-smi cannot start/);
    expect(rapl.counts).toEqual({ started: 0, stopped: 0, cancelled: 1 });
  });

  it("opens the estimate's window with a slow part's, not before the slow part's set-up", async () => {
    const slow = defineMeter({
      name: 'slow',
      kind: 'measured',
      components: ['gpu'],
      describe: () => 'slow',
      zeroReason: 'slow',
      async prepare() {
        await new Promise((r) => setTimeout(r, 300)); // e.g. nvidia-smi's first sample
        return {
          cancel: () => {},
          open: () => {
            const t0 = performance.now();
            return {
              stop: async () => {
                const durationS = (performance.now() - t0) / 1000;
                return { durationS, components: { gpu: durationS }, details: {}, warnings: [] };
              },
            };
          },
        };
      },
    });
    const w = await compositeMeter([estimateMeter({ cpuWatts: 1 }), slow]).start();
    await new Promise((r) => setTimeout(r, 50));
    const r = await w.stop();
    const parts = r.details.parts as Record<string, { durationS: number }>;
    expect(parts.estimate!.durationS).toBeLessThan(0.2); // not stretched by the 300 ms set-up
    expect(Math.abs(parts.estimate!.durationS - parts.slow!.durationS)).toBeLessThan(0.01);
  });

  it('takes the coarsest resolution of its parts, merges their timelines and cross-checks, and closes every part', async () => {
    const closed: string[] = [];
    const part = (name: string, component: Component, resolutionS: number | null) =>
      defineMeter({
        name,
        kind: 'measured',
        components: [component],
        resolutionS,
        describe: () => name,
        zeroReason: 'fake',
        close: async () => {
          closed.push(name);
        },
        prepare: async () => ({
          cancel: () => {},
          open: () => ({
            stop: async () => ({
              durationS: 30,
              components: { [component]: 30 },
              details: {},
              warnings: [],
              timeline: { [component]: { tS: [30], watts: [1] } },
              crossChecks: [
                {
                  components: [component],
                  what: name,
                  primary: { source: 'a', joules: 30 },
                  secondary: { source: 'b', joules: 30 },
                  difference: 0,
                  flagged: false,
                },
              ],
            }),
          }),
        }),
      });
    const meter = compositeMeter([part('rapl', 'cpu', 0.001), part('nvml', 'gpu', 0.1), part('x', 'dram', null)]);
    expect(meter.resolutionS).toBe(0.1);
    const r = await (await meter.start()).stop();
    expect(r.resolutionS).toBe(0.1);
    expect(Object.keys(r.timeline!)).toEqual(['cpu', 'gpu', 'dram']);
    expect(r.crossChecks!.map((c) => c.what)).toEqual(['rapl', 'nvml', 'x']);
    await meter.close();
    expect(closed.sort()).toEqual(['nvml', 'rapl', 'x']);
  });

  it('refuses to stop a window twice', async () => {
    const w = await compositeMeter([fake('rapl', 'measured', { cpu: 1 }).meter]).start();
    await w.stop();
    await expect(w.stop()).rejects.toThrow(/already stopped/);
  });
});

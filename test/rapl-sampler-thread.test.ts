// Sampling that inference cannot stop: onnxruntime-node runs session.run synchronously on the
// main thread, so a sampler on that thread's timers sees nothing while a model runs and misses
// the counter wraps that happen meanwhile. The RAPL sampler runs in a worker thread; these
// windows block the main thread across several wraps of a fast-wrapping counter (a 20 J range at
// 45 W wraps every 0.44 s), and must still read within 1% of watts x duration.
import { afterEach, describe, expect, it } from 'vitest';
import type { Meter } from '../src/meters/base.js';
import { probeRapl } from '../src/meters/rapl.js';
import { expectWithin, staleCounterPct } from './helpers/energy.js';
import { onePackage, PowercapFixture } from './helpers/powercap.js';
import { slowSession } from './helpers/slow-onnx.js';

let fixture: PowercapFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/**
 * A 45 W package whose counter wraps every 0.44 s (so any window longer than that spans a wrap);
 * its power limit (50 W) bounds the sampling interval.
 */
async function fastWrappingPackage(): Promise<Meter> {
  fixture = await PowercapFixture.start(
    onePackage(45, {
      maxRangeUj: 20_000_000,
      startUj: 10_000_000,
      constraints: [{ name: 'long_term', limitW: 50, maxW: 50 }],
    }),
  );
  const probe = await probeRapl({ root: fixture.root });
  if (!probe.available) throw new Error(probe.reason);
  return probe.meter;
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  expect(x).toBeGreaterThan(0);
}

describe('RAPL sampling while the main thread is blocked', () => {
  it('reads a window in which a busy loop holds the main thread for 900 ms, across counter wraps', async () => {
    const meter = await fastWrappingPackage();
    const w = await meter.start();
    busy(900);
    const r = await w.stop();
    expect(r.durationS).toBeGreaterThan(0.89);
    expect(r.details.wraps).toBeGreaterThanOrEqual(2);
    expectWithin(r.components.cpu, 45 * r.durationS, staleCounterPct(await fixture!.maxUpdateGapS(), r.durationS));
    expect(r.warnings.join('\n')).not.toMatch(/wrap may have been missed/);
  });

  it('reads a window spanning one real onnxruntime session.run of about 0.6 s, across a counter wrap', async () => {
    const session = await slowSession(0.6);
    const meter = await fastWrappingPackage();
    try {
      // The main thread's own timer shows how long session.run held it.
      let last = performance.now();
      let longestGapMs = 0;
      const timer = setInterval(() => {
        const t = performance.now();
        longestGapMs = Math.max(longestGapMs, t - last);
        last = t;
      }, 5);
      const w = await meter.start();
      await session.run();
      await new Promise((resolve) => setTimeout(resolve, 10));
      const r = await w.stop();
      clearInterval(timer);
      expect(longestGapMs).toBeGreaterThan(250);
      expect(r.details.wraps).toBeGreaterThanOrEqual(1);
      expectWithin(r.components.cpu, 45 * r.durationS, staleCounterPct(await fixture!.maxUpdateGapS(), r.durationS));
    } finally {
      await session.release();
    }
  });
});

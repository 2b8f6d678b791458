// Steady windows: a window repeats whole passes over the samples until it lasts at least
// --min-window-seconds (default: the larger of 1 s and 200 × the meter's resolution, so the
// counter's resolution alone costs at most 1%), counting inferences exactly and scoring only the
// first pass. One pass of a small model takes milliseconds, far below what a counter resolves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateMeter } from '../src/meters/estimate.js';
import { buildBoard } from '../src/report/board.js';
import type { PipelineCall } from '../src/model/pipeline.js';
import { RunRecordSchema, type OkRecord } from '../src/schema/result-record.js';
import { DEFAULT_RUN_OPTIONS, minWindowSecondsFor, resolveRunOptions } from '../src/schema/run-options.js';
import { PlanSchema } from '../src/schema/run-plan.js';
import { measureWindow } from '../src/run/window.js';
import { expectWithin, sleep, staleCounterPct } from './helpers/energy.js';
import { cli, tempDir } from './helpers/env.js';
import { onePackage, PowercapFixture } from './helpers/powercap.js';

/** A pipeline that takes ~5 ms per call and echoes its input. */
function echoPipe(calls: string[]): PipelineCall {
  return async (input) => {
    calls.push(String(input));
    await sleep(5);
    return `out:${input}`;
  };
}

describe('steady windows', () => {
  it('repeats whole passes until the window lasts the minimum; counts every call; keeps the first pass outputs', async () => {
    const calls: string[] = [];
    const m = await measureWindow(echoPipe(calls), ['a', 'b', 'c'], {}, estimateMeter({ cpuWatts: 1 }), undefined, 0.2);
    expect(m.reading.durationS).toBeGreaterThanOrEqual(0.2);
    expect(m.passes).toBeGreaterThanOrEqual(2);
    expect(calls).toHaveLength(3 * m.passes);
    expect(calls.slice(-3)).toEqual(['a', 'b', 'c']); // whole passes only
    expect(m.outputs).toEqual(['out:a', 'out:b', 'out:c']);
    expect(m.latenciesMs).toHaveLength(3 * m.passes);
    // The pass that reached the minimum was the last: one pass fewer would have been too short.
    expect(m.reading.durationS * ((m.passes - 1) / m.passes)).toBeLessThan(0.2 + 0.05);
  });

  it('runs exactly one pass with a minimum of 0', async () => {
    const calls: string[] = [];
    const m = await measureWindow(echoPipe(calls), ['a', 'b'], {}, estimateMeter({ cpuWatts: 1 }), undefined, 0);
    expect(m.passes).toBe(1);
    expect(calls).toEqual(['a', 'b']);
  });

  it('defaults to the larger of 1 s and 200 × the meter resolution, unless the run sets it', () => {
    const defaults = resolveRunOptions({});
    expect(defaults.minWindowSeconds).toBeNull();
    expect(minWindowSecondsFor(defaults, 0.001)).toBe(1); // RAPL, ~1 ms
    expect(minWindowSecondsFor(defaults, 0.1)).toBeCloseTo(20, 9); // nvidia-smi, NVML at 100 ms
    expect(minWindowSecondsFor(defaults, 0.000001)).toBe(1); // the estimate (CPU time in µs)
    expect(minWindowSecondsFor(defaults, null)).toBe(1);
    expect(minWindowSecondsFor(resolveRunOptions({ minWindowSeconds: 0 }), 0.1)).toBe(0);
    expect(minWindowSecondsFor(resolveRunOptions({ minWindowSeconds: 5 }), 0.1)).toBe(5);
    expect(() => resolveRunOptions({ minWindowSeconds: -1 })).toThrow();
  });

  it('resumes plans written before the setting existed with one pass per window, as they ran', () => {
    const { minWindowSeconds: _, ...oldSettings } = DEFAULT_RUN_OPTIONS;
    const plan = PlanSchema.parse({
      planVersion: 1,
      runId: 'old',
      createdAt: '2026-11-01T00:00:00Z',
      source: 'task classification',
      settings: oldSettings,
      targets: [],
      units: [],
      shard: null,
    });
    expect(plan.settings.minWindowSeconds).toBe(0);
  });
});

describe('bench with default windows on a RAPL tree at 45 W', () => {
  let fixture: PowercapFixture;
  let records: OkRecord[];
  let stderr: string;
  beforeAll(async () => {
    fixture = await PowercapFixture.start(onePackage(45));
    const out = tempDir('joulebench-steady-');
    // Default settings throughout, except the idle baseline (10 s, not what this test is about).
    const r = await cli(['bench', '--task', 'classification', '--meter', 'rapl', '--idle-seconds', '0', '--out', out], {
      JOULEBENCH_POWERCAP_ROOT: fixture.root,
    });
    stderr = r.stderr;
    expect(r.status, r.stderr).toBe(0);
    const runs = join(out, 'runs');
    const file = readdirSync(runs).find((f) => f.endsWith('.jsonl'))!;
    records = readFileSync(join(runs, file), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => RunRecordSchema.parse(JSON.parse(l)))
      .filter((rec): rec is OkRecord => rec.status === 'ok');
  }, 120_000);
  afterAll(() => fixture.close());

  it('makes every window last at least 1 s and read within 1% of 45 W x its duration', async () => {
    expect(records.length).toBe(DEFAULT_RUN_OPTIONS.repetitions);
    const gapS = await fixture.maxUpdateGapS();
    for (const r of records) {
      expect(r.durationS).toBeGreaterThanOrEqual(1);
      expectWithin(r.energy.joules, 45 * r.durationS, staleCounterPct(gapS, r.durationS));
      expect(r.energy.resolutionS).toBe(0.001);
      expect(r.settings.minWindowSeconds).toBeNull();
    }
    expect(stderr).toMatch(/each window lasts at least 1 s \(200 × the meter's 0\.001 s resolution, or 1 s\)/);
    expect(stderr).toMatch(/^1 model\(s\) measured, /m); // a meter that measures: "measured", not "ran"
  });

  it('counts every inference of every pass, scores the first pass, and keeps a power timeline', () => {
    for (const r of records) {
      expect(r.passes).toBeGreaterThanOrEqual(2);
      expect(r.inferences).toBe(r.dataset.selection.n * r.passes!);
      expect(r.joulesPer1kInferences).toBeCloseTo((r.energy.joules / r.inferences) * 1000, 9);
      expect(r.throughput).toBeCloseTo(r.inferences / r.durationS, 6);
      expect(r.quality).toEqual(records[0]!.quality);
      const cpu = r.energy.timeline!.cpu!;
      expect(cpu.watts.length).toBeGreaterThan(5);
      expect(cpu.watts.length).toBeLessThanOrEqual(256);
      expect(cpu.tS.at(-1)).toBeCloseTo(r.durationS, 3);
      // Each point spans ~100 ms of counter readings: the median is at 45 W, the energy is the figure's.
      const sorted = [...cpu.watts].sort((a, b) => a - b);
      expect(Math.abs(sorted[Math.floor(sorted.length / 2)]! / 45 - 1)).toBeLessThan(0.05);
      const energy = cpu.watts.reduce((j, w, i) => j + w * (cpu.tS[i]! - (i === 0 ? 0 : cpu.tS[i - 1]!)), 0);
      expect(Math.abs(energy / r.energy.joules - 1)).toBeLessThan(0.002);
    }
  });

  it('keeps repetitions that ran different numbers of passes in one leaderboard row', async () => {
    const [a] = records;
    const b: OkRecord = {
      ...a!,
      settings: { ...a!.settings, repetition: 2 },
      passes: a!.passes! + 1,
      inferences: (a!.inferences / a!.passes!) * (a!.passes! + 1),
    };
    const rows = (await buildBoard([a!, b])).tasks[0]!.groups[0]!.rows;
    expect(rows.map((r) => r.repetitions)).toEqual([2]);
  });

  it('takes --min-window-seconds as a bench flag, and refuses a negative one', async () => {
    expect((await cli(['bench', '--help'])).stdout).toMatch(/--min-window-seconds <s>/);
    const bad = await cli(['bench', '--task', 'classification', '--min-window-seconds', '-1']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).not.toMatch(/^\s+at /m);
  });
});

// Repetitions until stable (--target-ci): stop as soon as the 95% CI of J/1k is within the target
// fraction of the mean, or at --max-repetitions; the last record says which; resume keeps the rule.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineMeter, type Meter } from '../src/meters/base.js';
import { runBenchmark } from '../src/run/benchmark.js';
import { relativeHalfWidth, stopAfter } from '../src/run/stopping.js';
import { RunRecordSchema, type OkRecord } from '../src/schema/result-record.js';
import { hubDir, tempDir } from './helpers/env.js';

const rule = (targetCi: number | null, repetitions = 3, maxRepetitions = 6) => ({
  repetitions,
  targetCi,
  maxRepetitions,
});

describe('the stopping rule', () => {
  it('never stops before the minimum, stops when the CI is within the target, else at the maximum', () => {
    expect(stopAfter([10, 10.1], rule(0.02))).toBeNull();
    expect(stopAfter([10, 10.05, 9.95], rule(0.02))).toBe('ci-reached'); // ±1.2 %
    expect(stopAfter([10, 14, 7], rule(0.02))).toBeNull();
    expect(stopAfter([10, 14, 7, 12, 8, 11], rule(0.02))).toBe('max-repetitions');
    expect(stopAfter([10, 10.05, 9.95], rule(null))).toBeNull(); // no target: the fixed count decides
  });

  it('measures the CI half-width relative to the mean (Student t)', () => {
    // mean 10, sd 0.1, n 3: half-width 4.303 × 0.1 / √3 = 0.2484
    expect(relativeHalfWidth([10, 10.1, 9.9])).toBeCloseTo(0.024843, 5);
    expect(relativeHalfWidth([10, 10.1])).toBeNull();
  });
});

/** A meter whose windows read the next of these joules, in turn: a meter of known noise. */
function scriptedMeter(joules: readonly number[]): Meter {
  let i = 0;
  return defineMeter({
    name: 'scripted',
    kind: 'measured',
    components: ['cpu'],
    describe: () => 'scripted (test)',
    zeroReason: 'scripted',
    prepare: async () => ({
      cancel: () => {},
      open: () => {
        const t0 = performance.now();
        return {
          stop: async () => ({
            durationS: (performance.now() - t0) / 1000,
            components: { cpu: joules[i++ % joules.length]! },
            details: {},
            warnings: [],
          }),
        };
      },
    }),
  });
}

/** Windows of exactly 1 s reading these joules in turn; with an idle baseline, its window reads the first. */
function oneSecondMeter(joules: readonly number[]): Meter {
  let i = 0;
  return defineMeter({
    name: 'scripted',
    kind: 'measured',
    components: ['cpu'],
    describe: () => 'scripted 1 s windows (test)',
    zeroReason: 'scripted',
    prepare: async () => ({
      cancel: () => {},
      open: () => ({
        stop: async () => ({ durationS: 1, components: { cpu: joules[i++]! }, details: {}, warnings: [] }),
      }),
    }),
  });
}

async function bench(
  out: string,
  meter: Meter,
  more: Record<string, unknown> = {},
  log: (line: string) => void = () => {},
) {
  return runBenchmark(
    {
      task: 'classification',
      models: ['joulebench-fixtures/sentiment-bow-en'],
      options: {
        samples: 4,
        warmup: 0,
        repetitions: 3,
        targetCi: 0.02,
        idleSeconds: 0,
        maxRepetitions: 6,
        minWindowSeconds: 0,
        ...more,
      },
      hub: hubDir,
      offline: true,
      strict: false,
      out,
      runId: 'stable',
    },
    { meter, log },
  );
}

function records(out: string): OkRecord[] {
  return readFileSync(join(out, 'runs', 'stable.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => RunRecordSchema.parse(JSON.parse(l)) as OkRecord);
}

describe('bench --target-ci', () => {
  it('stops at the minimum on a low-noise meter, saying the CI was reached', async () => {
    const out = tempDir();
    const result = await bench(out, scriptedMeter([1.0, 1.001, 0.999]));
    expect(result.exitCode).toBe(0);
    const rs = records(out);
    expect(rs.map((r) => r.settings.repetition)).toEqual([1, 2, 3]);
    expect(rs.map((r) => r.stoppedBecause)).toEqual([undefined, undefined, 'ci-reached']);
    // Every window records the machine's load at its ends (contention shows in the leaderboard).
    for (const r of rs) {
      expect(r.loadAverage).toEqual({ open: expect.any(Number), close: expect.any(Number) });
      // The CPU shares too, where the window was long enough for the kernel's 10 ms ticks to tell.
      if (r.durationS >= 0.45) expect(r.cpuShare).toEqual({ own: expect.any(Number), others: expect.any(Number) });
    }
  });

  it('runs to --max-repetitions on a noisy meter, and the leaderboard row says it missed the target', async () => {
    const out = tempDir();
    await bench(out, scriptedMeter([1, 1.6, 0.5, 1.3, 0.7, 1.5]));
    const rs = records(out);
    expect(rs.map((r) => r.settings.repetition)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rs.at(-1)!.stoppedBecause).toBe('max-repetitions');
    const { buildBoard } = await import('../src/report/board.js');
    const group = (await buildBoard(rs)).tasks[0]!.groups[0]!;
    expect(group.rows[0]!.ciTargetMissed).toBe(true);
    expect(group.notes.join(' ')).toMatch(
      /stopped at --max-repetitions \(6\) before its 95% CI reached --target-ci 0\.02/,
    );
  });

  // Idle 0.9 W; windows of 1.0 ± 0.001 J: gross ±0.25 % stops at 3, net 0.1 ± 0.001 J (±2.5 %) does not.
  const idleThenSteady = [0.9, 1.0, 1.001, 0.999, 1.0, 1.0005, 0.9995, 1.0];

  it('judges the CI on net J/1k when the run has an idle baseline (the figure the leaderboard ranks)', async () => {
    const out = tempDir();
    await bench(out, oneSecondMeter(idleThenSteady), { idleSeconds: 0.05 });
    const rs = records(out);
    expect(rs.map((r) => r.energy.netJoules)).toEqual(rs.map(() => expect.closeTo(0.1, 2)));
    // n = 4: 0.1, 0.101, 0.099, 0.1 -> half-width 3.182 × 0.000816 / 2 = 1.3 % of the mean.
    expect(rs.map((r) => [r.settings.repetition, r.stoppedBecause])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
      [4, 'ci-reached'],
    ]);
  });

  it('a resumed unit with only extra repetitions left still gets an idle baseline, and the log says the range', async () => {
    const out = tempDir();
    await bench(out, oneSecondMeter(idleThenSteady), { idleSeconds: 0.05 });
    const file = join(out, 'runs', 'stable.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`); // killed after the minimum, before it stopped
    const log: string[] = [];
    await runBenchmark(
      { models: [], options: {}, hub: hubDir, offline: true, strict: false, out, resume: 'stable' },
      { meter: oneSecondMeter([0.9, 1.0, 1.0, 1.0]), log: (l) => log.push(l) },
    );
    expect(log.join('\n')).toMatch(/Idle baseline: measuring/);
    expect(log.join('\n')).toContain('0 to 3 repetition(s) left; 3 already recorded');
    const extra = records(out).slice(3);
    expect(extra.map((r) => [r.settings.repetition, r.energy.netJoules])).toEqual([[4, expect.closeTo(0.1, 6)]]);
    expect(extra.at(-1)!.stoppedBecause).toBe('ci-reached');
  });

  it('resumes by the rule: an interrupted unit goes on from its last repetition, a stopped one does not', async () => {
    const out = tempDir();
    await bench(out, scriptedMeter([1, 1.6, 0.5, 1.3, 0.7, 1.5]));
    const file = join(out, 'runs', 'stable.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(file, `${lines.slice(0, 4).join('\n')}\n`); // killed after repetition 4
    await runBenchmark(
      { models: [], options: {}, hub: hubDir, offline: true, strict: false, out, resume: 'stable' },
      { meter: scriptedMeter([0.7, 1.5]), log: () => {} },
    );
    expect(records(out).map((r) => [r.settings.repetition, r.stoppedBecause])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
      [4, undefined],
      [5, undefined],
      [6, 'max-repetitions'],
    ]);
    const again = await runBenchmark(
      { models: [], options: {}, hub: hubDir, offline: true, strict: false, out, resume: 'stable' },
      { meter: scriptedMeter([1]), log: () => {} },
    );
    expect(again.records).toEqual([]);
    expect(records(out)).toHaveLength(6);
  });
});

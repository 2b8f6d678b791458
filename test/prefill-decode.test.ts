// Prefill vs decode energy: each repetition of a generative task adds a window of the same inputs
// generating one token (max_new_tokens = 1); decode = full − prefill, both derived; a split the
// data cannot resolve is said to be so, never printed as a negative or noisy decode.
import { describe, expect, it } from 'vitest';
import { TokenStream } from '../src/model/token-stream.js';
import { splitEnergy } from '../src/records/energy-split.js';
import { okRecord as buildOkRecord, type RunFacts, type UnitFacts } from '../src/records/build.js';
import { buildBoard } from '../src/report/board.js';
import { markdownSections } from '../src/report/render/markdown.js';
import { measureRepetition, prefillOptions } from '../src/run/repetition.js';
import { OkRecordSchema, type OkRecord } from '../src/schema/result-record.js';
import { DEFAULT_RUN_OPTIONS } from '../src/schema/run-options.js';
import { generatingPipe, scriptedMeter } from './helpers/generation.js';
import { okRecord } from './helpers/records.js';

const generation = { callOptions: { max_new_tokens: 10, min_new_tokens: 10, do_sample: false }, generative: true };

describe('prefill window', () => {
  it('cuts the generation to one new token and lowers its minimum to match', () => {
    expect(prefillOptions(generation.callOptions)).toEqual({ max_new_tokens: 1, min_new_tokens: 1, do_sample: false });
    expect(prefillOptions({ max_new_tokens: 15, min_length: 0 })).toEqual({ max_new_tokens: 1, min_length: 0 });
  });

  it('runs the same inputs after the full window, under the same window rule; other tasks get none', async () => {
    const pipe = generatingPipe();
    const meter = scriptedMeter([
      { joules: 10, durationS: 1 },
      { joules: 4, durationS: 0.4 },
    ]);
    const w = await measureRepetition(pipe, ['a', 'b', 'c', 'd'], generation, meter, new TokenStream(), 0);
    expect(meter.opened).toBe(2);
    expect(w.full.outputTokens).toBe(40);
    expect(w.prefill!.outputTokens).toBe(4);
    expect(w.prefill!.callOptions).toMatchObject({ max_new_tokens: 1, min_new_tokens: 1 });
    expect(w.full.requests).toHaveLength(4); // the prefill window's requests do not replace them
    expect([w.full.reading.joules, w.prefill!.reading.joules]).toEqual([10, 4]);
    const other = await measureRepetition(
      generatingPipe(),
      ['a'],
      { callOptions: { max_new_tokens: 1 }, generative: false },
      scriptedMeter([{ joules: 1, durationS: 1 }]),
      undefined,
      0,
    );
    expect(other.prefill).toBeUndefined();
  });
});

describe('prefill / decode arithmetic', () => {
  const run: RunFacts = {
    runId: 'r',
    options: { ...DEFAULT_RUN_OPTIONS, minWindowSeconds: 0 },
    hardware: okRecord({}).hardware,
    software: okRecord({}).software,
  };
  const subject = {
    task: { name: 'generation', version: 1, callOptions: generation.callOptions },
    entry: {
      id: 'org/m',
      task: 'generation',
      hfId: 'org/m',
      revision: 'main',
      dtype: 'fp32' as const,
      parameters: 1,
      licence: 'mit',
      kind: 'pretrained' as const,
      note: 'n',
    },
    spec: { id: 'org/data', split: 'test', config: 'default', fields: {}, description: 'd' },
  };
  const unit = (inferences: number): UnitFacts => ({
    source: { where: 'local-hub', dir: '/m', files: {} },
    dataset: { id: 'org/data', split: 'test', config: 'default', source: 'local-hub', sha256: 'ab', rows: [] } as never,
    selection: { method: 'first', n: inferences },
    inferences,
    loadS: 0,
    idle: { meter: 'scripted', seconds: 1, watts: { cpu: 2 }, totalWatts: 2, warnings: [] },
  });

  it('scales the prefill window to the full window and charges decode to the tokens after the first', async () => {
    // Each decoding step takes ~0.5 ms, so the 60 ms windows run different numbers of passes:
    // full 10 J over 1 s, prefill 1 J over 0.2 s, as the meter reads them.
    const busy = () => {
      const until = performance.now() + 0.5;
      while (performance.now() < until);
    };
    const meter = scriptedMeter([
      { joules: 10, durationS: 1 },
      { joules: 1, durationS: 0.2 },
    ]);
    const w = await measureRepetition(
      generatingPipe(busy),
      ['a', 'b', 'c', 'd'],
      generation,
      meter,
      new TokenStream(),
      0.06,
    );
    const m = { ...w.full, prefill: w.prefill };
    const r = buildOkRecord(run, subject, 1, m, {}, unit(4));
    const full = 4 * w.full.passes;
    const prefill = 4 * w.prefill!.passes;
    expect(prefill).toBeGreaterThan(full); // one-token calls are faster: more passes to fill the window
    expect(r.inferences).toBe(full);
    expect(r.outputTokens).toBe(10 * full);
    expect(r.energy.prefillJoules).toBeCloseTo((1 / prefill) * full, 12);
    expect(r.energy.prefillJoulesPerToken).toBeCloseTo(1 / prefill, 12); // one first token per inference
    expect(r.energy.decodeJoules).toBeCloseTo(10 - full / prefill, 12);
    expect(r.energy.decodeJoulesPerToken).toBeCloseTo((10 - full / prefill) / (9 * full), 12);
    expect(r.energy.split).toEqual({ kind: 'derived', decodePositive: true });
    expect(r.prefill).toMatchObject({ inferences: prefill, joules: 1, outputTokens: prefill, durationS: 0.2 });
    expect(r.prefill!.netJoules).toBeCloseTo(1 - 2 * 0.2, 12); // the idle baseline applies to it too
    expect(r.prefill!.callOptions).toMatchObject({ max_new_tokens: 1 });
  });

  it('leaves decode out of a record where it comes out at or below zero', () => {
    const s = splitEnergy(
      { joules: 1, inferences: 10, outputTokens: 100 },
      { joules: 1.2, inferences: 10, outputTokens: 10 },
    );
    expect(s.decodePositive).toBe(false);
    expect(s.prefillJoules).toBeCloseTo(1.2, 12);
    expect(s.decodeJoules).toBeUndefined();
    expect(s.decodeJoulesPerToken).toBeUndefined();
  });
});

describe('the record field', () => {
  it('says whether decode came out above zero, and reads records written with the old name', () => {
    const written = okRecord({ task: 'generation' });
    for (const [split, positive] of [
      [{ kind: 'derived', decodePositive: false }, false],
      [{ kind: 'derived', resolved: true }, true], // before the rename
      [{ kind: 'derived', resolved: false }, false],
    ] as const) {
      const parsed = OkRecordSchema.parse({ ...written, energy: { ...written.energy, split } });
      expect(parsed.energy.split).toEqual({ kind: 'derived', decodePositive: positive });
    }
  });
});

/** Repetitions of one row with these full and prefill J/1k (10 inferences, 100 tokens each). */
function splitRecords(model: string, full: number[], prefill: number[]): OkRecord[] {
  return full.map((j, i) => {
    const r = okRecord({ task: 'generation', model, joulesPer1k: j, repetition: i + 1, quality: {} });
    return {
      ...r,
      outputTokens: 100,
      prefill: {
        callOptions: { max_new_tokens: 1 },
        durationS: 0.1,
        inferences: 20,
        passes: 2,
        joules: (prefill[i]! * 20) / 1000,
        outputTokens: 20,
        warnings: [],
      },
    };
  });
}

describe('the leaderboard split', () => {
  it('gives decode per 1k and per token where the prefill CI lies below the full CI', async () => {
    const records = splitRecords('org/a', [100, 101, 99], [30, 31, 29]);
    const row = (await buildBoard(records)).tasks[0]!.groups[0]!.rows[0]!;
    expect(row.split!.resolved).toBe(true);
    expect(row.split!.prefillPer1k.mean).toBeCloseTo(30, 9);
    expect(row.split!.decodePer1k!.mean).toBeCloseTo(70, 9);
    expect(row.split!.decodePerToken).toBeCloseTo((70 * 10) / 1000 / 90, 12); // 100 tokens, 10 first ones
    expect(row.joulesPerResponse).toBeCloseTo(0.1, 12);
    expect(markdownSections(await buildBoard(records))).toMatch(/\| 30 \/ 70 \|/);
  });

  it('says "split not resolved" where the CIs overlap, or with fewer than 3 repetitions', async () => {
    const overlapping = splitRecords('org/a', [100, 60, 140], [90, 50, 130]);
    const few = splitRecords('org/b', [100, 101], [30, 31]);
    const board = await buildBoard([...overlapping, ...few]);
    const rows = board.tasks[0]!.groups[0]!.rows;
    const a = rows.find((r) => r.model === 'org/a')!;
    const b = rows.find((r) => r.model === 'org/b')!;
    expect(a.split).toMatchObject({ resolved: false, decodePer1k: null, decodePerToken: null });
    expect(a.split!.reason).toMatch(/CI overlaps/);
    expect(b.split!.reason).toMatch(/fewer than 3 repetitions/);
    const md = markdownSections(board);
    expect(md).toMatch(/\| 90 \/ split not resolved \|/);
    expect(md).toMatch(/\| 30\.5 \/ split not resolved \|/);
    expect(md).not.toMatch(/\| -?\d[\d.]* \/ -/);
  });
});

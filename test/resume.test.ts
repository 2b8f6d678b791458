// Long runs that survive: a real bench process on the mirror's models is interrupted (SIGINT
// and SIGKILL) mid-run and resumed; the final records must be exactly the plan's matrix.
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectMeter } from '../src/meters/index.js';
import { readPlan } from '../src/records/plan-file.js';
import { watchWindows } from '../src/run/interrupts.js';
import { RunRecordSchema, type RunRecord } from '../src/schema/result-record.js';
import {
  cli,
  finished,
  hubDir,
  pausedAt,
  quickRun,
  resumePrefix,
  smallModel,
  startCli,
  tempDir,
  type CliResult,
} from './helpers/env.js';

const GEN = [
  'bench',
  '--task',
  'generation',
  '--samples',
  '40',
  '--repetitions',
  '3',
  '--warmup',
  '1',
  '--min-window-seconds',
  '0',
];
const LOCAL_GEN_MODELS = ['karpathy/stories260K', 'karpathy/stories260K:q8'];

function runFiles(out: string): { records: string; plan: string; runId: string } {
  const plan = readdirSync(join(out, 'runs')).find((f) => f.endsWith('.plan.json'))!;
  const runId = plan.replace('.plan.json', '');
  return { records: join(out, 'runs', `${runId}.jsonl`), plan: join(out, 'runs', plan), runId };
}

function readLines(path: string): RunRecord[] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => RunRecordSchema.parse(JSON.parse(l)));
}

async function waitForOkRecords(out: string, n: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const runs = join(out, 'runs');
    if (existsSync(runs)) {
      const file = readdirSync(runs).find((f) => f.endsWith('.jsonl'));
      if (file && (readFileSync(join(runs, file), 'utf8').match(/"status":"ok"/g) ?? []).length >= n) return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('bench produced no record in time');
}

/** Every local model × repetition exactly once, and each offline model skipped exactly once. */
function expectCompleteMatrix(records: RunRecord[]): void {
  const ok = records.filter((r) => r.status === 'ok').map((r) => `${r.model}#${r.settings.repetition}`);
  expect([...ok].sort()).toEqual(LOCAL_GEN_MODELS.flatMap((m) => [1, 2, 3].map((r) => `${m}#${r}`)).sort());
  const skipped = records.filter((r) => r.status === 'skipped').map((r) => r.model);
  expect(new Set(skipped).size).toBe(skipped.length);
  expect(records.filter((r) => r.status === 'error')).toEqual([]);
}

async function interruptAndResume(
  signal: NodeJS.Signals,
): Promise<{ first: CliResult; resumed: CliResult; out: string; killedText: string }> {
  const out = tempDir();
  const child = startCli([...GEN, '--out', out]);
  const done = finished(child);
  await waitForOkRecords(out, 1);
  child.kill(signal);
  const first = await done;
  const { records } = runFiles(out);
  const killedText = readFileSync(records, 'utf8');
  const whole = killedText.split('\n').slice(0, -1); // a torn last line (kill -9 mid-write) aside
  const before = whole.filter((l) => RunRecordSchema.parse(JSON.parse(l)).status === 'ok').length;
  expect(before).toBeGreaterThanOrEqual(1);
  expect(before).toBeLessThan(6); // really interrupted mid-run
  const resumed = await cli(['bench', '--resume', 'latest', '--out', out]);
  return { first, resumed, out, killedText };
}

describe('interrupted runs resume', () => {
  it('SIGINT: exits non-zero saying how to resume; the resumed run completes the matrix without duplicates', async () => {
    const { first, resumed, out } = await interruptAndResume('SIGINT');
    const { records, runId } = runFiles(out);
    expect(first.status).toBe(130);
    expect(first.stderr).toContain(`Resume with: ${resumePrefix} ${runId} --out ${out} --hub ${hubDir} --cache `);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain(`Resuming ${runId}`);
    expectCompleteMatrix(readLines(records));
  });

  it('SIGKILL: nothing runs at the kill, yet every finished record survives and resume completes the matrix', async () => {
    const { first, resumed, out, killedText } = await interruptAndResume('SIGKILL');
    expect(first.status).toBeNull(); // killed by the signal
    // At most one torn line, the last: every earlier line is a whole record.
    const lines = killedText.split('\n');
    const tail = lines.pop()!;
    for (const l of lines) RunRecordSchema.parse(JSON.parse(l));
    if (tail !== '') expect(resumed.stderr).toMatch(/ended in an incomplete record .*: moved to .*\.torn-/);
    // The killed process could not release its lock: the resume takes it over, saying so.
    expect(resumed.stderr).toMatch(
      /^Note: run '\S+' was locked, but pid \d+ on .* no longer runs: taking the lock over/m,
    );
    expect(resumed.status).toBe(0);
    expectCompleteMatrix(readLines(runFiles(out).records));
  });
});

describe('what an interrupt says about the energy window', () => {
  it('SIGINT after a window closed, before its record: "no energy window was open"; the resume runs that repetition', async () => {
    const out = tempDir();
    const child = startCli(['bench', ...smallModel, ...quickRun, '--run-id', 'scoring', '--out', out], {
      JOULEBENCH_TEST_PAUSE: 'window-closed',
    });
    const done = finished(child);
    await pausedAt(child, 'window-closed');
    child.kill('SIGINT');
    const r = await done;
    expect(r.status).toBe(130);
    expect(r.stderr).toContain(
      `\nInterrupted (SIGINT): no energy window was open; finished records are kept in ${join(out, 'runs', 'scoring.jsonl')}.\n`,
    );
    expect(r.stderr).not.toContain('dropped');
    expect(existsSync(join(out, 'runs', 'scoring.lock'))).toBe(false);
    const resumed = await cli(['bench', '--resume', 'scoring', '--out', out]);
    expect(resumed.stderr).toContain('2 repetition(s) left; 0 already recorded');
    expect(resumed.status).toBe(0);
  });

  it('the run counts its open windows: open from start() until stop() is called', async () => {
    const { meter, windowOpen } = watchWindows((await selectMeter('estimate', {})).meter);
    expect(windowOpen()).toBe(false);
    const window = await meter.start();
    expect(windowOpen()).toBe(true);
    const stopping = window.stop();
    expect(windowOpen()).toBe(false);
    expect((await stopping).meter).toBe('estimate');
    (await meter.prepare()).open();
    expect(windowOpen()).toBe(true);
  });
});

describe('interrupted before the run started', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s once the lock is taken: one line, the lock and the folders it made are gone, exit %i',
    async (signal, code) => {
      const out = join(tempDir(), 'results');
      const child = startCli(['bench', ...smallModel, ...quickRun, '--run-id', 'early', '--out', out], {
        JOULEBENCH_TEST_PAUSE: 'run-locked',
      });
      const done = finished(child);
      await pausedAt(child, 'run-locked');
      expect(existsSync(join(out, 'runs', 'early.lock'))).toBe(true);
      child.kill(signal);
      const r = await done;
      expect(r.status).toBe(code);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('Interrupted'))).toEqual([
        `Interrupted (${signal}) before the run started: nothing recorded`,
      ]);
      expect(existsSync(out)).toBe(false); // nor a lock file left inside it
    },
  );
});

describe('resume safety', () => {
  async function finishedRun(
    args: string[] = [],
    env: Record<string, string> = {},
  ): Promise<{ out: string; runId: string; records: string; plan: string }> {
    const out = tempDir();
    const r = await cli(
      [
        'bench',
        '--task',
        'classification',
        '--samples',
        '6',
        '--repetitions',
        '3',
        '--warmup',
        '1',
        '--min-window-seconds',
        '0',
        '--out',
        out,
        ...args,
      ],
      env,
    );
    expect(r.status).toBe(0);
    return { out, ...runFiles(out) };
  }

  it('detects a torn last line, reports it, sets it aside and re-runs that cell', async () => {
    const { out, runId, records } = await finishedRun();
    const lines = readFileSync(records, 'utf8').trimEnd().split('\n');
    const last = lines.pop()!; // an ok record of repetition 3
    writeFileSync(records, `${lines.join('\n')}\n${last.slice(0, 100)}`); // power cut mid-write
    const r = await cli(['bench', '--resume', runId, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /ended in an incomplete record \(100 bytes, interrupted write\?\): moved to .*\.torn-.*; that cell runs again/,
    );
    const after = readLines(records); // every line parses: nothing was glued to the fragment
    const ok = after.filter((x) => x.status === 'ok').map((x) => x.settings.repetition);
    expect(ok.sort()).toEqual([1, 2, 3]);
    expect(readdirSync(join(out, 'runs')).some((f) => f.includes('.torn-'))).toBe(true);
  });

  it('a complete last record that lost only its newline is set aside and its cell re-run, never lost', async () => {
    const { out, runId, records } = await finishedRun();
    const text = readFileSync(records, 'utf8');
    writeFileSync(records, text.slice(0, -1)); // the final "\n" never reached the disk
    const r = await cli(['bench', '--resume', runId, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/ended in an incomplete record/);
    expect(r.stderr).toContain('1 repetition(s) left');
    // The summary is the whole run's, not only the repetition this session ran.
    expect(r.stdout).toMatch(/sentiment-bow-en \|.* \| 6 × 3 \|/);
    const ok = readLines(records)
      .filter((x) => x.status === 'ok')
      .map((x) => x.settings.repetition);
    expect(ok.sort()).toEqual([1, 2, 3]);
  });

  it("a resume of a complete run says so and prints the whole run's summary; it runs and writes nothing", async () => {
    const { out, runId, records } = await finishedRun(smallModel.slice(2)); // its one model: every cell ok
    const before = readFileSync(records, 'utf8');
    const r = await cli(['bench', '--resume', runId, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`Run ${runId} is complete: nothing left to run\n`);
    expect(r.stderr).not.toMatch(/Resuming|Idle baseline|loading model/);
    expect(r.stdout).toMatch(/sentiment-bow-en \|.* \| 6 × 3 \|/);
    expect(r.stderr).toMatch(/^1 model\(s\) ran, 0 skipped \(not available offline\), 0 failed\. Records: /m);
    expect(readFileSync(records, 'utf8')).toBe(before);
  });

  it('a resume of a run whose models are still unavailable is not complete: it reports them and writes nothing', async () => {
    const { out, runId, records } = await finishedRun();
    const before = readFileSync(records, 'utf8');
    const r = await cli(['bench', '--resume', runId, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('0 repetition(s) left');
    expect(r.stderr).not.toContain('is complete');
    expect(readFileSync(records, 'utf8')).toBe(before);
  });

  it('refuses to resume with another resolved meter or on another machine, before running anything', async () => {
    const { out, runId, records, plan } = await finishedRun();
    const written = JSON.parse(readFileSync(plan, 'utf8'));
    expect(written.measuredOn).toEqual({
      meter: 'estimate',
      meterKind: 'estimated',
      hardware: expect.stringMatching(/threads\), .* GB RAM/),
    });
    writeFileSync(records, `${readFileSync(records, 'utf8').split('\n').slice(0, 2).join('\n')}\n`); // work left
    const before = readFileSync(records, 'utf8');
    const resumeWith = async (measuredOn: object) => {
      writeFileSync(plan, JSON.stringify({ ...written, measuredOn: { ...written.measuredOn, ...measuredOn } }));
      return cli(['bench', '--resume', runId, '--out', out]);
    };
    const meter = await resumeWith({ meter: 'rapl', meterKind: 'measured' }); // auto found RAPL when it began
    expect(meter.status).toBe(2);
    expect(meter.stderr.trim().split('\n').at(-1)).toBe(
      `joulebench: Cannot resume ${runId}: it was measured with the rapl meter (measured), this machine now resolves estimate (estimated); resume with --meter rapl where that meter works`,
    );
    const machine = await resumeWith({ hardware: 'Other CPU (64 threads), 512 GB RAM' });
    expect(machine.status).toBe(2);
    expect(machine.stderr).toMatch(
      new RegExp(
        `^joulebench: Cannot resume ${runId}: it was measured on Other CPU \\(64 threads\\), 512 GB RAM, this is .*; resume it there, or start a new run here$`,
        'm',
      ),
    );
    expect(readFileSync(records, 'utf8')).toBe(before);
  });

  it('refuses to resume with different settings, naming the setting', async () => {
    const { out, runId } = await finishedRun();
    const r = await cli(['bench', '--resume', runId, '--samples', '7', '--out', out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`^joulebench: Cannot resume ${runId}: samples is 6 in its plan, not 7\\.`, 'm'),
    );
    const t = await cli(['bench', '--resume', runId, '--task', 'generation', '--out', out]);
    expect(t.stderr).toMatch(/runs the plan as it was made; drop --task/);
  });

  it('refuses to resume when the dataset or a model file changed since the plan', async () => {
    const hub = tempDir();
    mkdirSync(join(hub, 'datasets', 'stanfordnlp'), { recursive: true });
    cpSync(join(hubDir, 'datasets', 'stanfordnlp', 'sst2'), join(hub, 'datasets', 'stanfordnlp', 'sst2'), {
      recursive: true,
    });
    mkdirSync(join(hub, 'models'));
    cpSync(join(hubDir, 'models', 'joulebench-fixtures'), join(hub, 'models', 'joulebench-fixtures'), {
      recursive: true,
    });
    const { out, runId } = await finishedRun(['--hub', hub, '--repetitions', '2']);
    const plan = readPlan(runFiles(out).plan);
    expect(
      plan.units.find((u) => u.model === 'joulebench-fixtures/sentiment-bow-en')!.modelFiles!['onnx/model.onnx'],
    ).toBe('c0455a4ac2dd32b42c7e69cd31097a862ae0d8822a533e858a4dd694ae17198e');
    appendFileSync(join(hub, 'models', 'joulebench-fixtures', 'sentiment-bow-en', 'config.json'), ' ');
    const m = await cli(['bench', '--resume', runId, '--hub', hub, '--out', out]);
    expect(m.stderr).toMatch(
      new RegExp(
        `^joulebench: Cannot resume ${runId}: model joulebench-fixtures/sentiment-bow-en file config.json differs from the plan \\(changed\\)$`,
        'm',
      ),
    );
    appendFileSync(join(hub, 'datasets', 'stanfordnlp', 'sst2', 'validation.jsonl'), '{"text":"extra","label":1}\n');
    const d = await cli(['bench', '--resume', runId, '--hub', hub, '--out', out]);
    expect(d.status).not.toBe(0);
    expect(d.stderr).toMatch(
      new RegExp(
        `^joulebench: Cannot resume ${runId}: dataset stanfordnlp/sst2 \\(validation\\) changed since the plan`,
        'm',
      ),
    );
  });

  it('unknown run id and bad --shard values are one-line errors', async () => {
    const out = tempDir();
    const u = await cli(['bench', '--resume', 'nope', '--out', out]);
    expect(u.status).not.toBe(0);
    expect(u.stderr.trim()).toBe(`joulebench: --resume nope: no such run in ${join(out, 'runs')} (no runs there)`);
    for (const [shard, msg] of [
      ['3/2', 'i must be between 1 and n'],
      ['x', 'expected i/n with whole numbers'],
    ]) {
      const r = await cli(['bench', '--task', 'classification', '--shard', shard!, '--out', out]);
      expect(r.status).not.toBe(0);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('joulebench:')),
      ).toEqual([expect.stringContaining(msg!)]);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });
});

describe('shards across machines', () => {
  it('two shards of a suite split the work exactly and merge into one leaderboard', async () => {
    const outs = [tempDir(), tempDir()];
    const results = await Promise.all(
      outs.map((out, i) =>
        cli([
          'bench',
          '--suite',
          'quick',
          '--samples',
          '3',
          '--repetitions',
          '2',
          '--warmup',
          '0',
          '--min-window-seconds',
          '0',
          '--shard',
          `${i + 1}/2`,
          '--run-id',
          'team',
          '--out',
          out,
        ]),
      ),
    );
    for (const r of results) expect(r.status).toBe(0);
    const shardRecords = outs.map((out, i) => {
      const files = readdirSync(join(out, 'runs'));
      expect(files).toContain(`team-shard${i + 1}of2.jsonl`);
      return readLines(join(out, 'runs', `team-shard${i + 1}of2.jsonl`));
    });
    const models = shardRecords.map((rs) => new Set(rs.map((r) => `${r.task}/${r.model}`)));
    for (const m of models[0]!) expect(models[1]!.has(m)).toBe(false); // disjoint
    const plan = readPlan(join(outs[0]!, 'runs', 'team-shard1of2.plan.json'));
    expect(models[0]!.size + models[1]!.size).toBe(plan.units.length); // together: the whole plan
    const board = tempDir();
    const lb = await cli(['leaderboard', '--in', outs[0]!, '--in', outs[1]!, '--out', board]);
    expect(lb.status).toBe(0);
    for (const m of [
      'joulebench-fixtures/sentiment-bow-en',
      'karpathy/stories260K',
      'joulebench-fixtures/tiny-random-bart',
    ]) {
      expect(lb.stdout).toContain(m);
    }
  });
});

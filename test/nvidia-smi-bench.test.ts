// nvidia-smi failing during a run: when it exits or stops printing inside a window, that model's
// record is an error that says why, and the run goes on (a fresh nvidia-smi for the next window);
// during the idle baseline it is one clear line. Never an internal error with a stack trace.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunRecordSchema, type RunRecord } from '../src/schema/result-record.js';
import { cli, tempDir } from './helpers/env.js';
import { installSmiStandin, type SmiStandin } from './helpers/nvidia-smi-standin.js';

let smi: SmiStandin;
beforeAll(() => {
  smi = installSmiStandin([70]);
});
afterAll(() => smi.remove());

const GEN = ['bench', '--task', 'generation', '--samples', '4', '--warmup', '1', '--meter', 'nvidia-smi'];

function recordsIn(out: string): RunRecord[] {
  const runs = join(out, 'runs');
  const file = readdirSync(runs).find((f) => f.endsWith('.jsonl'))!;
  return readFileSync(join(runs, file), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => RunRecordSchema.parse(JSON.parse(l)));
}

describe('bench --meter nvidia-smi when nvidia-smi fails', () => {
  it("makes the model's record an error with the reason, and goes on with the next model", async () => {
    const out = tempDir('joulebench-smi-dies-');
    // Each window lasts 0.6 s (6 rounds of ~0.11 s), and a generation repetition has two (its energy window,
    // then its prefill window): nvidia-smi dies after its 15th round (~1.7 s), inside the second repetition.
    const r = await cli(
      [...GEN, '--repetitions', '2', '--idle-seconds', '0', '--min-window-seconds', '0.6', '--out', out],
      smi.env({ NVSMI_STANDIN_DIE_AFTER: '15' }),
    );
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(r.status).toBe(1);
    const records = recordsIn(out).filter((rec) => rec.model.startsWith('karpathy/stories260K'));
    const first = records.filter((rec) => rec.model === 'karpathy/stories260K');
    expect(first.map((rec) => rec.status)).toEqual(['ok', 'error']);
    expect(first[1]).toMatchObject({
      stage: 'measure',
      message: expect.stringMatching(/^nvidia-smi exited \(code 15\) during the energy window: Unable to determine/),
    });
    // The next model still ran, on a fresh nvidia-smi.
    expect(records.filter((rec) => rec.model === 'karpathy/stories260K:q8')[0]?.status).toBe('ok');
  }, 60_000);

  it('says in one line that the idle baseline failed, with no stack trace', async () => {
    const out = tempDir('joulebench-smi-idle-');
    const r = await cli(
      [...GEN, '--repetitions', '1', '--idle-seconds', '0.5', '--min-window-seconds', '0', '--out', out],
      smi.env({ NVSMI_STANDIN_DIE_AFTER: '2' }),
    );
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /^joulebench: the idle baseline could not be measured: nvidia-smi exited \(code 15\) during the energy window: .*--idle-seconds 0/m,
    );
  }, 60_000);
});

import { appendFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, hubDir, tempDir } from './helpers/env.js';

describe('verify', () => {
  it('confirms matching inputs, then flags a changed dataset and a changed model file', async () => {
    const hub = tempDir();
    mkdirSync(join(hub, 'datasets', 'stanfordnlp'), { recursive: true });
    cpSync(join(hubDir, 'datasets', 'stanfordnlp', 'sst2'), join(hub, 'datasets', 'stanfordnlp', 'sst2'), {
      recursive: true,
    });
    cpSync(join(hubDir, 'models', 'joulebench-fixtures'), join(hub, 'models', 'joulebench-fixtures'), {
      recursive: true,
    });
    const out = tempDir();
    const run = await cli([
      'bench',
      '--task',
      'classification',
      '--samples',
      '4',
      '--repetitions',
      '2',
      '--warmup',
      '0',
      '--min-window-seconds',
      '0',
      '--hub',
      hub,
      '--out',
      out,
    ]);
    expect(run.status).toBe(0);

    const same = await cli(['verify', join(out, 'runs'), '--hub', hub]);
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/^ok {6}dataset stanfordnlp\/sst2 \(validation\) \(2 record\(s\)\): sha256 matches/m);
    expect(same.stdout).toMatch(
      /^ok {6}model joulebench-fixtures\/sentiment-bow-en \(2 record\(s\)\): 5 file\(s\) match/m,
    );
    expect(same.stdout).toContain('2 record(s) checked: 2 input(s) match, 0 differ, 0 not available here to check.');

    appendFileSync(join(hub, 'datasets', 'stanfordnlp', 'sst2', 'validation.jsonl'), '{"text":"x","label":0}\n');
    appendFileSync(join(hub, 'models', 'joulebench-fixtures', 'sentiment-bow-en', 'onnx', 'model.onnx'), 'x');
    const changed = await cli(['verify', join(out, 'runs'), '--hub', hub]);
    expect(changed.status).toBe(1);
    expect(changed.stdout).toMatch(
      /^DIFFERS dataset stanfordnlp\/sst2 \(validation\) \(2 record\(s\)\): sha256 811e2ce2d43e… in the records/m,
    );
    expect(changed.stdout).toMatch(
      /^DIFFERS model joulebench-fixtures\/sentiment-bow-en \(2 record\(s\)\): onnx\/model.onnx changed in /m,
    );

    const elsewhere = await cli(['verify', join(out, 'runs'), '--hub', tempDir()]);
    expect(elsewhere.status).toBe(0);
    expect(elsewhere.stdout).toContain('0 input(s) match, 0 differ, 2 not available here to check.');
  });
});

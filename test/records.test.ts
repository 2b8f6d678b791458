import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../src/records/reader.js';
import { RecordWriter } from '../src/records/writer.js';
import { defaultRecordInputs } from '../src/report/run-leaderboard.js';
import { okRecord, skippedRecord } from './helpers/records.js';
import { tempDir } from './helpers/env.js';

describe('record files', () => {
  it('appends one validated JSON line per record, readable back', async () => {
    const dir = tempDir();
    const writer = new RecordWriter(join(dir, 'run.jsonl'));
    writer.append(okRecord({ model: 'a' }));
    writer.append(skippedRecord({ model: 'b' }));
    writer.close();
    const lines = readFileSync(join(dir, 'run.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const { records, warnings } = await readRecords([dir]);
    expect(warnings).toEqual([]);
    expect(records.map((r) => [r.model, r.status])).toEqual([
      ['a', 'ok'],
      ['b', 'skipped'],
    ]);
  });

  it('refuses to write a record that breaks the schema', () => {
    const writer = new RecordWriter(join(tempDir(), 'run.jsonl'));
    const bad = { ...okRecord({}), joulesPer1kInferences: 'lots' } as unknown as ReturnType<typeof okRecord>;
    expect(() => writer.append(bad)).toThrow();
  });

  it('skips a torn or foreign line with a warning naming file and line', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.jsonl');
    const writer = new RecordWriter(path);
    writer.append(okRecord({ model: 'a' }));
    writer.close();
    appendFileSync(path, '{"status":"ok","runId":\n');
    appendFileSync(path, '{"hello":"world"}\n');
    const { records, warnings } = await readRecords([dir]);
    expect(records).toHaveLength(1);
    expect(warnings[0]).toBe(`${path}:2: not valid JSON (truncated or corrupt line), skipped`);
    expect(warnings[1]).toMatch(new RegExp(`^${path}:3: not a joulebench record`));
  });

  it('finds *.jsonl files recursively and ignores other files', async () => {
    const dir = tempDir();
    const w1 = new RecordWriter(join(dir, 'a.jsonl'));
    w1.append(okRecord({ model: 'a' }));
    mkdirSync(join(dir, 'published', 'h100'), { recursive: true });
    const w2 = new RecordWriter(join(dir, 'published', 'h100', 'b.jsonl'));
    w2.append(okRecord({ model: 'b' }));
    writeFileSync(join(dir, 'leaderboard.md'), '# not records');
    const { records, files } = await readRecords([dir]);
    expect(files).toHaveLength(2);
    expect(records.map((r) => r.model).sort()).toEqual(['a', 'b']);
  });

  it('reads a file named explicitly whatever its name', async () => {
    const path = join(tempDir(), 'records.txt');
    new RecordWriter(path).append(okRecord({ model: 'a' }));
    const { records, files } = await readRecords([path]);
    expect(files).toEqual([path]);
    expect(records.map((r) => r.model)).toEqual(['a']);
  });

  it("defaults to results/'s folders but examples/, and its *.jsonl files, never the outputs written there", () => {
    const results = tempDir();
    for (const d of ['runs', 'examples', 'site', 'published']) mkdirSync(join(results, d));
    for (const f of ['a.jsonl', 'leaderboard.json', 'leaderboard.csv', 'leaderboard.md', 'compare-x.md'])
      writeFileSync(join(results, f), '');
    expect(defaultRecordInputs(results).sort()).toEqual(
      ['a.jsonl', 'published', 'runs', 'site'].map((name) => join(results, name)),
    );
  });

  it('counts a measurement found in two files once, saying so', async () => {
    const dir = tempDir();
    for (const name of ['a.jsonl', 'copy-of-a.jsonl']) {
      const w = new RecordWriter(join(dir, name));
      w.append(okRecord({ model: 'm', repetition: 1 }));
      w.append(okRecord({ model: 'm', repetition: 2 }));
      w.close();
    }
    const { records, warnings } = await readRecords([dir]);
    expect(records.map((r) => r.settings.repetition)).toEqual([1, 2]);
    expect(warnings).toEqual([
      `${join(dir, 'copy-of-a.jsonl')}: m repetition 1 of run run-1 is also in ${join(dir, 'a.jsonl')}; counted once`,
      `${join(dir, 'copy-of-a.jsonl')}: m repetition 2 of run run-1 is also in ${join(dir, 'a.jsonl')}; counted once`,
    ]);
  });

  it('refuses a path that does not exist instead of ignoring it', async () => {
    await expect(readRecords([join(tempDir(), 'typo')])).rejects.toThrow(
      /^No such file or folder: .*typo \(records come from `npm run bench`\)$/,
    );
  });
});

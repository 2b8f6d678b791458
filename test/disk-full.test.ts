// A disk that fills up mid-run, for real (a small tmpfs; needs root and mount): the run stops
// with one line and exit 4, the record file ends with its last complete record, progress never
// claims a repetition that was not kept, a resume on the still-full disk says the same and
// touches nothing (not even to set a torn line aside), and once space is freed it completes.
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repairTornTail } from '../src/run/resume.js';
import { RunRecordSchema } from '../src/schema/result-record.js';
import { WriteError } from '../src/util/errors.js';
import { cli, hubDir, resumePrefix, smallModel, tempDir, type CliResult } from './helpers/env.js';
import { mountSmallDisk, smallDiskAvailable, type SmallDisk } from './helpers/tmpfs.js';

const PAGE = 4096;

/** Every file of the runs folder with its bytes: what "touching nothing" compares. */
function snapshot(runs: string): Record<string, string> {
  return Object.fromEntries(readdirSync(runs).map((f) => [f, readFileSync(join(runs, f), 'latin1')]));
}

function okReps(path: string): number[] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => RunRecordSchema.parse(JSON.parse(l)))
    .flatMap((r) => (r.status === 'ok' ? [r.settings.repetition!] : []));
}

function errorLines(r: CliResult): string[] {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return r.stderr.split('\n').filter((l) => l.startsWith('joulebench:'));
}

describe.runIf(smallDiskAvailable)('a full disk (real tmpfs)', () => {
  const disks: SmallDisk[] = [];
  afterAll(() => {
    for (const d of disks) d.unmount();
  });

  it('stops with one line and exit 4, keeps every complete record, and resumes once space is freed', async () => {
    const disk = mountSmallDisk(128);
    disks.push(disk);
    const out = disk.dir;
    const runs = join(out, 'runs');
    // Five pages: the plan, the lock, and three for records (a record is ~2.8 KB): the disk fills mid-run.
    disk.fill(5 * PAGE);
    const bench = [
      'bench',
      ...smallModel,
      '--samples',
      '4',
      '--repetitions',
      '8',
      '--warmup',
      '0',
      '--min-window-seconds',
      '0',
      '--out',
      out,
    ];
    const env = { JOULEBENCH_CACHE: tempDir() }; // one cache throughout: the resume command names it
    const first = await cli([...bench, '--run-id', 'full'], env);
    const records = join(runs, 'full.jsonl');
    const kept = okReps(records); // every line parses: nothing glued
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(8);
    expect(kept).toEqual(kept.map((_, i) => i + 1));
    const resume = `${resumePrefix} full --out ${out} --hub ${hubDir} --cache ${env.JOULEBENCH_CACHE}`;
    const line = `joulebench: disk full writing ${records}: ${kept.length} record(s) kept; free space, then resume with: ${resume}`;
    expect(first.status).toBe(4);
    expect(errorLines(first)).toEqual([line]);
    // Progress claimed exactly the repetitions that were kept.
    expect(first.stderr.match(/ rep \d+\/8: /g)).toHaveLength(kept.length);
    const files = snapshot(runs);
    expect(Object.keys(files).sort()).toEqual(['full.jsonl', 'full.plan.json']); // no lock, no .partial

    // Still full: the same line, nothing touched.
    const again = await cli(['bench', '--resume', 'full', '--out', out], env);
    expect(again.status).toBe(4);
    expect(errorLines(again)).toEqual([line]);
    expect(snapshot(runs)).toEqual(files);

    // A torn last line (kill -9 mid-write) on the full disk: setting it aside needs space, so
    // nothing moves and no empty .torn-* file appears.
    appendFileSync(records, '{"status":"ok","schemaVer');
    disk.fill(PAGE); // room for the lock only
    const torn = snapshot(runs);
    const full = await cli(['bench', '--resume', 'full', '--out', out]);
    expect(full.status).toBe(4);
    expect(errorLines(full)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^joulebench: disk full writing ${records}\\.torn-\\S+: ${kept.length} record\\(s\\) kept; free space, then resume with: `,
        ),
      ),
    ]);
    expect(snapshot(runs)).toEqual(torn);

    disk.free();
    const done = await cli(['bench', '--resume', 'full', '--out', out]);
    expect(done.status).toBe(0);
    expect(done.stderr).toMatch(/ended in an incomplete record \(25 bytes, interrupted write\?\): moved to /);
    expect(okReps(records).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('repairTornTail on a full disk throws a WriteError and leaves both files as they were', () => {
    const disk = mountSmallDisk(64);
    disks.push(disk);
    const path = join(disk.dir, 'run.jsonl');
    appendFileSync(path, '{"complete":true}\n{"torn"');
    disk.fill(0);
    expect(() => repairTornTail(path)).toThrow(WriteError);
    expect(readdirSync(disk.dir).sort()).toEqual(['filler', 'run.jsonl']);
    expect(readFileSync(path, 'utf8')).toBe('{"complete":true}\n{"torn"');
  });
});

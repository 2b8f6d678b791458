// Flags with bounds and paths that cannot escape: every value that used to pass the flag check
// and crash later (a ZodError, a RangeError, a hang in /proc, files outside <out>/runs) is now
// one line and exit 2 before anything is written; values that are legal but unwise say so.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunRecordSchema, type OkRecord } from '../src/schema/result-record.js';
import { cli, quickRun, repoRoot, smallModel, tempDir, type CliResult } from './helpers/env.js';
import { mountSmallDisk, smallDiskAvailable, type SmallDisk } from './helpers/tmpfs.js';

function expectOneLine(r: CliResult, pattern: RegExp, status = 2): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('WARNING: no energy sensor'));
  expect(lines).toEqual([expect.stringMatching(pattern)]);
  expect(r.status).toBe(status);
}

/** Every file under dir, relative: a refused command must leave this empty. */
function filesUnder(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]) : [];
}

const hw = availableParallelism();

describe('numbers within safe ranges', () => {
  it.each([
    [['--samples', '1e20'], /--samples <n>' argument '1e20' is invalid\. expected an integer from 1 to 1000000/],
    [['--samples', '1000001'], /argument '1000001' is invalid\. expected an integer from 1 to 1000000/],
    [['--samples', ''], /--samples <n>' argument '' is invalid/],
    [['--samples', '0'], /--samples <n>' argument '0' is invalid\. expected an integer from 1 to 1000000/],
    [['--warmup', '1e20'], /--warmup <n>' argument '1e20' is invalid\. expected an integer from 0 to 1000000/],
    [['--warmup', ''], /--warmup <n>' argument '' is invalid/],
    [
      ['--repetitions', '1e20'],
      /--repetitions <n>' argument '1e20' is invalid\. expected an integer from 1 to 1000000/,
    ],
    [
      ['--sample-seed', '1e20'],
      /--sample-seed <n>' argument '1e20' is invalid\. expected an integer from 0 to 4294967295/,
    ],
    [['--sample-seed', '4294967296'], /argument '4294967296' is invalid/],
    // Past a day is a typo, and past 24.8 days Node's timers overflow to 1 ms: a silently short baseline.
    [
      ['--idle-seconds', '3000000'],
      /--idle-seconds <s>' argument '3000000' is invalid\. expected seconds from 0 to 86400/,
    ],
    [
      ['--min-window-seconds', '1e9'],
      /--min-window-seconds <s>' argument '1e9' is invalid\. expected seconds from 0 to 86400/,
    ],
    [['--batch-size', '1e300'], /--batch-size <n>' argument '1e300' is invalid/],
    [
      ['--threads', String(hw * 4 + 1)],
      new RegExp(
        `--threads <n>' argument '${hw * 4 + 1}' is invalid\\. expected an integer from 1 to ${hw * 4} \\(4 × this machine's ${hw} hardware threads\\)`,
      ),
    ],
  ])('%j is refused before anything is written', async (flags, pattern) => {
    const out = join(tempDir(), 'out');
    expectOneLine(await cli(['bench', ...smallModel, ...flags, '--out', out]), pattern);
    expect(existsSync(out)).toBe(false);
  });

  it("a suite's settings are held to the same bounds", async () => {
    const suite = join(tempDir(), 'big.json');
    writeFileSync(
      suite,
      JSON.stringify({
        name: 'big',
        description: 'too many repetitions',
        entries: [{ task: 'classification' }],
        settings: { repetitions: 2_000_000 },
      }),
    );
    const out = join(tempDir(), 'out');
    expectOneLine(
      await cli(['bench', '--suite', suite, '--out', out]),
      /^joulebench: Invalid suite .*big\.json: field 'settings\.repetitions': Too big: expected number to be <=1000000$/,
    );
    expect(existsSync(out)).toBe(false);
    writeFileSync(
      suite,
      JSON.stringify({
        name: 'big',
        description: 'x',
        entries: [{ task: 'classification' }],
        settings: { threads: hw * 4 + 1 },
      }),
    );
    expectOneLine(
      await cli(['bench', '--suite', suite, '--out', out]),
      new RegExp(`^joulebench: Setting threads = ${hw * 4 + 1} is more than 4 × this machine's ${hw} hardware threads`),
    );
    expect(existsSync(out)).toBe(false);
  });

  it('threads above the hardware threads warn; a batch larger than the samples is clamped with a note', async () => {
    const out = tempDir();
    const r = await cli([
      'bench',
      ...smallModel,
      ...quickRun,
      '--threads',
      String(hw + 1),
      '--batch-size',
      '1000000000',
      '--out',
      out,
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      `warning: threads = ${hw + 1} is more than this machine's ${hw} hardware threads: onnxruntime's threads will compete for cores`,
    );
    expect(r.stderr).toContain(
      'Note: --batch-size 1000000000 is more than the 4 samples of a repetition: batch size 4 is used (and recorded)',
    );
    const runs = join(out, 'runs');
    const file = readdirSync(runs).find((f) => f.endsWith('.jsonl'))!;
    const ok = readFileSync(join(runs, file), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => RunRecordSchema.parse(JSON.parse(l)))
      .filter((x): x is OkRecord => x.status === 'ok');
    expect(ok.map((x) => [x.settings.batchSize, x.settings.threads])).toEqual([
      [4, hw + 1],
      [4, hw + 1],
    ]);
  });
});

describe('run ids that cannot escape <out>/runs', () => {
  it.each(['../../escaped', 'foo/bar', '', '.hidden', 'a'.repeat(101), 'sp ace'])(
    '--run-id %j is refused',
    async (id) => {
      const root = tempDir();
      const out = join(root, 'deep', 'out');
      expectOneLine(
        await cli(['bench', ...smallModel, '--run-id', id, '--out', out]),
        /--run-id <id>' argument .* is invalid\. expected 1 to 100 of A-Z a-z 0-9 \. _ -, not starting with '\.'/,
      );
      expect(filesUnder(root)).toEqual([]);
    },
  );

  it('--resume takes a run id or latest, nothing else', async () => {
    const out = tempDir();
    expectOneLine(
      await cli(['bench', '--resume', '../x', '--out', out]),
      /--resume <run-id>' argument '\.\.\/x' is invalid/,
    );
  });
});

describe('--out', () => {
  const disks: SmallDisk[] = [];
  afterAll(() => {
    for (const d of disks) d.unmount();
  });

  it.each(['/proc/joulebench-results', '/sys/x', '/dev/x/y'])(
    '%s is refused at once (it used to hang)',
    async (out) => {
      await cli(['bench', '--help']); // the command's modules loaded: what is timed is the check
      const t0 = performance.now();
      const r = await cli(['bench', ...smallModel, '--out', out]);
      expect(performance.now() - t0).toBeLessThan(1000);
      expectOneLine(
        r,
        new RegExp(`^joulebench: --out ${out}: inside /(proc|sys|dev), a kernel filesystem, not a place for results$`),
      );
    },
  );

  it('a symlink into /proc is refused too', async () => {
    const link = join(tempDir(), 'proc-link');
    const { symlinkSync } = await import('node:fs');
    symlinkSync('/proc/self', link);
    expectOneLine(await cli(['bench', ...smallModel, '--out', join(link, 'x')]), /inside \/proc, a kernel filesystem/);
  });

  it('--out "" is refused', async () => {
    expectOneLine(
      await cli(['bench', ...smallModel, '--out', '']),
      /--out <dir>' argument '' is invalid\. expected a folder/,
    );
  });

  it('no --out folder is created when the command fails on a later check', async () => {
    const root = tempDir();
    const out = join(root, 'new', 'results');
    for (const args of [
      ['--task', 'nope'],
      ['--task', 'classification', '--meter', 'nope'],
      ['--task', 'classification', '--shard', '3/2'],
      ['--task', 'classification', '--device', 'tpu'],
    ]) {
      const r = await cli(['bench', ...args, '--out', out]);
      expect(r.status).toBe(2);
    }
    expect(filesUnder(root)).toEqual([]);
  });

  it.runIf(smallDiskAvailable)('a read-only --out is reported as EROFS, existing or not', async () => {
    const disk = mountSmallDisk(64, 'ro');
    disks.push(disk);
    for (const out of [disk.dir, join(disk.dir, 'results')]) {
      expectOneLine(
        await cli(['bench', ...smallModel, '--out', out]),
        new RegExp(`^joulebench: Cannot write results to ${join(out, 'runs')}: EROFS$`),
      );
    }
  });

  it.runIf(smallDiskAvailable)(
    'a disk with no room for the folder is ENOSPC (exit 4, a full disk), and the run never starts',
    async () => {
      const disk = mountSmallDisk(64, 'nr_inodes=1'); // the root folder only: no inode for another
      disks.push(disk);
      const out = join(disk.dir, 'results');
      expectOneLine(
        await cli(['bench', ...smallModel, '--out', out]),
        new RegExp(`^joulebench: Cannot write results to ${join(out, 'runs')}: ENOSPC$`),
        4,
      );
    },
  );

  it('a folder the user may not write to is EACCES (checked as an unprivileged user)', () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const locked = join(root, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    // Root ignores permissions: the check runs as 'nobody' then (the CLI prints this message as is).
    const asRoot = process.getuid?.() === 0;
    const script =
      "import { checkWritableDir } from './src/util/out-dir.ts';" +
      `try { checkWritableDir(${JSON.stringify(join(locked, 'out', 'runs'))}, '--out', 'x'); } ` +
      'catch (err) { console.log(err.message); }';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(r.stdout.trim()).toBe(`Cannot write results to ${join(locked, 'out', 'runs')}: EACCES`);
    expect(existsSync(join(locked, 'out'))).toBe(false);
  });
});

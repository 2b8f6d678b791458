// Where `leaderboard` and `compare` may write: their --out is checked as bench's is, before any
// record is read, and created one level at a time — Node's recursive mkdir never returns inside
// /proc and calls a read-only disk ENOENT. Every refusal is one line and exit 2.
import { spawnSync } from 'node:child_process';
import { type Dirent, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, repoRoot, tempDir, type CliResult } from './helpers/env.js';
import { mountSmallDisk, smallDiskAvailable, type SmallDisk } from './helpers/tmpfs.js';

const examples = join(repoRoot, 'results', 'examples', 'amd-epyc-2-vcpu');
const commands = ['leaderboard', 'compare'] as const;
type Command = (typeof commands)[number];

/** `command` over the example records (or `records`), into `out`. */
function args(command: Command, out: string, records = examples): string[] {
  const paper = command === 'compare' ? ['--paper', 'power-hungry-processing'] : [];
  return [command, ...paper, '--in', records, '--out', out];
}

function expectOneLine(r: CliResult, pattern: RegExp): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.split('\n').filter((l) => l.trim() !== '')).toEqual([expect.stringMatching(pattern)]);
  expect(r.status).toBe(2);
}

describe.each(commands)('%s --out', (command) => {
  it('inside /proc is refused at once, in a child process that a hang would time out', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args(command, '/proc/joulebench-x')],
      { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.signal).toBeNull(); // SIGTERM: it hung
    expectOneLine(
      { status: r.status, stdout: r.stdout, stderr: r.stderr },
      /^joulebench: --out \/proc\/joulebench-x: inside \/proc, a kernel filesystem, not a place for results$/,
    );
  });

  it('a file is "not a folder", and so is a file above it', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    expectOneLine(
      await cli(args(command, file)),
      new RegExp(`^joulebench: Cannot write results to ${file}: ${file} is not a folder$`),
    );
    expectOneLine(
      await cli(args(command, join(file, 'out'))),
      new RegExp(`^joulebench: Cannot write results to ${file}/out: ${file} is not a folder$`),
    );
  });

  it('is checked before the records are read, and nothing is created when they fail', async () => {
    const out = join(tempDir(), 'new', 'out');
    const r = await cli(args(command, out, '/nonexistent/records'));
    expectOneLine(r, /^joulebench: No such file or folder: \/nonexistent\/records/);
    expect(existsSync(join(out, '..'))).toBe(false);
  });

  it('that does not exist yet is created, folders above it too', async () => {
    const out = join(tempDir(), 'a', 'b');
    const r = await cli(args(command, out));
    expect(r.status).toBe(0);
    const written = command === 'leaderboard' ? 'site/index.html' : 'compare-power-hungry-processing.md';
    expect(existsSync(join(out, written))).toBe(true);
  });
});

describe.runIf(smallDiskAvailable)('a read-only --out', () => {
  const disks: SmallDisk[] = [];
  afterAll(() => {
    for (const d of disks) d.unmount();
  });

  it.each(commands)('%s says EROFS (read-only), existing or not, never ENOENT', async (command) => {
    const disk = mountSmallDisk(64, 'ro');
    disks.push(disk);
    for (const out of [disk.dir, join(disk.dir, 'results', 'board')]) {
      expectOneLine(await cli(args(command, out)), new RegExp(`^joulebench: Cannot write results to ${out}: EROFS$`));
    }
  });
});

describe.runIf(smallDiskAvailable)('a full --out disk', () => {
  const disks: SmallDisk[] = [];
  afterAll(() => {
    for (const d of disks) d.unmount();
  });

  it.each(commands)('%s exits 4 with one line, and leaves every earlier output whole, figures too', async (command) => {
    const disk = mountSmallDisk(1024);
    disks.push(disk);
    const out = join(disk.dir, 'board');
    expect((await cli(args(command, out))).status).toBe(0); // a first, complete set of outputs
    const snapshot = () =>
      new Map(
        (readdirSync(out, { recursive: true, withFileTypes: true }) as Dirent[])
          .filter((e) => e.isFile())
          .map((e) => {
            const path = join(e.parentPath, e.name);
            return [path.slice(out.length + 1), readFileSync(path, 'utf8')] as const;
          }),
      );
    const before = snapshot();
    if (command === 'leaderboard') expect([...before.keys()].some((f) => f.startsWith('site/figures/'))).toBe(true);
    disk.fill(2048);
    const r = await cli(args(command, out));
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^joulebench: disk full writing .*board/)]);
    expect(r.status).toBe(4);
    const after = snapshot();
    expect([...after.keys()].filter((f) => f.includes('.partial'))).toEqual([]);
    // Every file is the earlier one or a whole new one (same inputs: the same text but for its date).
    const undated = (text: string) =>
      text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z|\d{4}-\d\d-\d\d( \d\d:\d\d( UTC)?)?/g, '<date>');
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, text] of before) expect(undated(after.get(file)!), file).toBe(undated(text));
  });

  it('creating --out on a disk out of inodes exits 4 and leaves none of the folders it made', async () => {
    const disk = mountSmallDisk(256, 'nr_inodes=2');
    disks.push(disk);
    const r = await cli(args('leaderboard', join(disk.dir, 'a', 'b', 'c')));
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^joulebench: Cannot write results to .*\/a\/b\/c(\/site)?: ENOSPC$/),
    ]);
    expect(r.status).toBe(4);
    expect(readdirSync(disk.dir)).toEqual([]);
  });

  it('a leaderboard that fills the disk while writing removes the new folders it made for --out', async () => {
    const disk = mountSmallDisk(64); // room for the folders, not for the site
    disks.push(disk);
    const r = await cli(args('leaderboard', join(disk.dir, 'new', 'deep')));
    expect(r.status).toBe(4);
    expect(readdirSync(disk.dir)).toEqual([]);
  });
});

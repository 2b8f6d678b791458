// The repository's example records live apart from a user's: results/examples/<machine>/, read
// by the leaderboard only when asked (--in, --include-examples); results/runs/ is the user's
// and git-ignored; the examples' leaderboard is what the leaderboard builds from them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot, tempDir } from './helpers/env.js';
import { okRecord } from './helpers/records.js';

const examples = join(repoRoot, 'results', 'examples', 'amd-epyc-2-vcpu');
const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' });

/** A folder laid out like a user's checkout: results/runs/ with one record of a model of their own. */
function userResults(): string {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'results', 'runs'), { recursive: true });
  const record = okRecord({ model: 'me/my-model', cpuModel: 'My CPU', runId: 'mine' });
  writeFileSync(join(cwd, 'results', 'runs', 'mine.jsonl'), `${JSON.stringify(record)}\n`);
  return cwd;
}

/** A page's text without its generation date. */
const undated = (text: string) => text.replace(/^Generated \d{4}-\d\d-\d\d /m, 'Generated <date> ');

async function inFolder<T>(cwd: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

describe('example records', () => {
  it('are committed under results/examples/<machine>/; results/runs/ is git-ignored and holds none', () => {
    const committed = git('ls-files', 'results').trim().split('\n');
    expect(committed.filter((f) => f.startsWith('results/runs/'))).toEqual([]);
    expect(committed).toContain('results/examples/amd-epyc-2-vcpu/leaderboard.md');
    expect(readdirSync(join(examples, 'runs')).filter((f) => f.endsWith('.jsonl'))).toHaveLength(3);
    expect(git('check-ignore', 'results/runs/20270101T000000Z-abcdef.jsonl').trim()).toBe(
      'results/runs/20270101T000000Z-abcdef.jsonl',
    );
  });

  it("the default leaderboard reads a user's records, not the examples; --include-examples adds them", async () => {
    const cwd = userResults();
    const own = await inFolder(cwd, () => cli(['leaderboard', '--format', 'md']));
    expect(own.status).toBe(0);
    expect(own.stdout).toContain('me/my-model');
    expect(own.stdout).not.toContain('karpathy/stories260K');
    const both = await inFolder(cwd, () => cli(['leaderboard', '--format', 'md', '--include-examples']));
    expect(both.status).toBe(0);
    expect(both.stdout).toContain('me/my-model');
    expect(both.stdout).toContain('karpathy/stories260K');
  });

  it('with no records of their own, a newcomer is told where the examples are', async () => {
    const cwd = tempDir();
    const r = await inFolder(cwd, () => cli(['leaderboard']));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'joulebench: No result records found in results. Run `npm run bench -- --task <task>` first ' +
        '(example records: npm run leaderboard -- --include-examples).',
    );
  });

  it('a second leaderboard into the same results folder reads the records only, never its own outputs', async () => {
    const cwd = userResults();
    const board = () => readFileSync(join(cwd, 'results', 'leaderboard.csv'), 'utf8');
    const first = await inFolder(cwd, () => cli(['leaderboard']));
    expect(first.status).toBe(0);
    const firstBoard = board();
    const second = await inFolder(cwd, () => cli(['leaderboard']));
    expect(second.status).toBe(0);
    expect(second.stderr).not.toContain('warning');
    expect(second.stderr).toContain('Read 1 record(s) from 1 file(s)');
    expect(undated(second.stdout)).toBe(undated(first.stdout));
    expect(board()).toBe(firstBoard);
    // compare reads the same default inputs, beside the leaderboard's files and its own report
    for (let i = 0; i < 2; i++) {
      const compared = await inFolder(cwd, () => cli(['compare', '--paper', 'power-hungry-processing']));
      expect(compared.status).toBe(0);
      expect(compared.stderr).not.toContain('warning');
      expect(compared.stderr).toContain('Read 1 record(s) from 1 file(s)');
    }
  });

  it("the examples' leaderboard.md is what the leaderboard builds from the example records", async () => {
    const out = tempDir();
    const r = await cli(['leaderboard', '--in', examples, '--out', out, '--format', 'md']);
    expect(r.status).toBe(0);
    expect(undated(readFileSync(join(out, 'leaderboard.md'), 'utf8'))).toBe(
      undated(readFileSync(join(examples, 'leaderboard.md'), 'utf8')),
    );
  });
});

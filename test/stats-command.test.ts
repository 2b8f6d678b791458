// `joulebench stats`: is A really cheaper than B, with the CI of the difference and Welch's p.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers/env.js';
import { jsonl, repetitions } from './helpers/records.js';

function recordsDir(): string {
  const dir = tempDir('joulebench-stats-');
  writeFileSync(
    join(dir, 'r.jsonl'),
    jsonl([
      ...repetitions({ model: 'lean' }, [10, 10.1, 9.9]),
      ...repetitions({ model: 'hungry' }, [12, 12.1, 11.9]),
      ...repetitions({ model: 'twin' }, [10.05, 10.2, 9.8]),
      ...repetitions({ model: 'short' }, [10, 11]),
    ]),
  );
  return dir;
}

describe('joulebench stats', () => {
  const dir = recordsDir();

  it('prints the difference with its 95% CI and p-value, and says which is cheaper when it is significant', async () => {
    const r = await cli(['stats', dir, '--model', 'lean', '--model', 'hungry']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /lean 10 vs hungry 12 J\/1k \(estimated\): difference -2 J\/1k \[95% CI -2\.\d+, -1\.\d+\], Welch t = -24\.49, df = 4\.0, p = .*: lean uses less energy \(significant at α = 0\.05\)/,
    );
  });

  it('calls an insignificant difference a tie, and a side under 3 repetitions untestable', async () => {
    expect((await cli(['stats', dir, '--model', 'lean', '--model', 'twin'])).stdout).toMatch(
      /not significant at α = 0\.05: they tie/,
    );
    expect((await cli(['stats', dir, '--model', 'lean', '--model', 'short'])).stdout).toMatch(
      /no test \(short has 2 repetition\(s\); a test needs 3 each\), so they tie/,
    );
  });

  it('prints JSON with --json', async () => {
    const r = await cli(['stats', dir, '--model', 'lean', '--model', 'hungry', '--json']);
    const { comparisons } = JSON.parse(r.stdout) as {
      comparisons: { significant: boolean; test: { difference: number; df: number } }[];
    };
    expect(comparisons).toHaveLength(1);
    expect(comparisons[0]!.significant).toBe(true);
    expect(comparisons[0]!.test.difference).toBeCloseTo(-2, 12);
  });

  it('never picks one of two rows of a model run with different weights: it asks which', async () => {
    const two = tempDir('joulebench-stats-');
    const revision = (rev: string) =>
      repetitions({ model: 'm', runId: rev }, [10, 10.1, 9.9]).map((r) => ({
        ...r,
        modelInfo: { ...r.modelInfo, revision: rev },
      }));
    writeFileSync(
      join(two, 'r.jsonl'),
      jsonl([...revision('aaaa'), ...revision('bbbb'), ...repetitions({ model: 'x' }, [12, 12.1, 11.9])]),
    );
    const ambiguous = await cli(['stats', two, '--model', 'm', '--model', 'x']);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toMatch(
      /^joulebench: m has 2 rows in one group \(different weights\): name one of m@aaaa, m@bbbb$/m,
    );
    const named = await cli(['stats', two, '--model', 'm@bbbb', '--model', 'x']);
    expect(named.status, named.stderr).toBe(0);
    expect(named.stdout).toMatch(/m@bbbb 10 vs x 12 J\/1k/);
  });

  it('refuses models that share no group, in one line', async () => {
    const r = await cli(['stats', dir, '--model', 'lean', '--model', 'nobody']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^joulebench: No group of these records has both lean and nobody \(lean is in 1 group\(s\); nobody is in none\)/,
    );
  });
});

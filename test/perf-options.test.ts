// `npm run perf` (benchmarks/perf.ts): its flags are checked before anything runs (--help, a
// mistake is one line), and a report never replaces an earlier one of the same day and kind.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNewReport } from '../benchmarks/perf-options.js';
import { repoRoot, scriptArgv, tempDir } from './helpers/env.js';

function perf(...args: string[]) {
  const [node, ...rest] = scriptArgv('benchmarks/perf.ts', args);
  return spawnSync(node!, rest, { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
}

describe('npm run perf flags', () => {
  it('--help says what each mode measures and which file it writes, and runs nothing', () => {
    const r = perf('--help');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const text of [
      'Usage: npm run perf -- [--quick | --meters]',
      'results/perf/<date>.json',
      'results/perf/<date>-quick.json',
      'results/perf/<date>-meters.json',
      'never overwritten',
    ])
      expect(r.stdout).toContain(text);
    expect(r.stdout).not.toContain('overhead classification');
  });

  it.each([
    [['--bogus'], "perf: unknown option '--bogus' (options: --quick, --meters, --help)"],
    [['--quik'], "perf: unknown option '--quik' (did you mean --quick?)"],
    [['quick'], "perf: unexpected argument 'quick' (options: --quick, --meters, --help)"],
    [['--quick', '--meters'], 'perf: give --quick or --meters, not both'],
  ])('%j is one line on stderr, exit 2, before anything runs', (args, line) => {
    const r = perf(...args);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  });
});

describe('perf reports', () => {
  it('never overwrite an earlier one: the next is <name>-2.json, then -3, and the output says why', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '2026-12-02-quick.json'), '{"earlier":true}\n');
    const lines: string[] = [];
    const second = writeNewReport(dir, '2026-12-02-quick', { n: 2 }, (l) => lines.push(l));
    const third = writeNewReport(dir, '2026-12-02-quick', { n: 3 }, (l) => lines.push(l));
    expect([second, third]).toEqual([join(dir, '2026-12-02-quick-2.json'), join(dir, '2026-12-02-quick-3.json')]);
    expect(readFileSync(join(dir, '2026-12-02-quick.json'), 'utf8')).toBe('{"earlier":true}\n');
    expect(JSON.parse(readFileSync(third, 'utf8'))).toEqual({ n: 3 });
    expect(lines).toEqual([
      `${join(dir, '2026-12-02-quick.json')} exists (kept): writing ${second}`,
      `${join(dir, '2026-12-02-quick.json')} exists (kept): writing ${third}`,
    ]);
    expect(writeNewReport(dir, '2026-12-02-meters', {}, (l) => lines.push(l))).toBe(
      join(dir, '2026-12-02-meters.json'),
    );
    expect(lines).toHaveLength(2); // a free name: nothing to say
    expect(readdirSync(dir).sort()).toEqual([
      '2026-12-02-meters.json',
      '2026-12-02-quick-2.json',
      '2026-12-02-quick-3.json',
      '2026-12-02-quick.json',
    ]);
  });
});

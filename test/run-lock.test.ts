// One process per run: a second bench process on a run that is in progress (a new run with the
// same --run-id, or a concurrent --resume) is refused and told who holds it; a lock whose
// holder is gone is taken over with a note. Two real concurrent processes (a child bench and
// this test process, with its own pid), plus the lock file alone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireRunLock, lockPath } from '../src/records/run-lock.js';
import { RunRecordSchema } from '../src/schema/result-record.js';
import { cli, finished, repoRoot, resumePrefix, smallModel, startCli, tempDir } from './helpers/env.js';

async function waitFor(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const okLines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').match(/"status":"ok"/g)?.length : 0);

describe('two processes on one run', () => {
  it('a second new run with the same --run-id and a concurrent --resume are refused; SIGTERM frees the lock', async () => {
    const out = tempDir();
    const runs = join(out, 'runs');
    // Enough repetitions to still be running while the others try (it is stopped below).
    const args = [
      'bench',
      ...smallModel,
      '--samples',
      '2',
      '--repetitions',
      '100000',
      '--warmup',
      '0',
      '--min-window-seconds',
      '0',
    ];
    const first = startCli([...args, '--run-id', 'shared', '--out', out]);
    const firstDone = finished(first);
    await waitFor('the first run to record', () => (okLines(join(runs, 'shared.jsonl')) ?? 0) >= 1);
    expect(existsSync(lockPath(runs, 'shared'))).toBe(true);

    // The second process is this one (main() in-process: another pid on the same run).
    const again = await cli([...args, '--run-id', 'shared', '--out', out]);
    const resume = await cli(['bench', '--resume', 'shared', '--out', out]);
    for (const second of [again, resume]) {
      expect(second.status).toBe(2);
      const errors = second.stderr.split('\n').filter((l) => l.startsWith('joulebench:'));
      expect(errors).toEqual([
        expect.stringMatching(
          new RegExp(
            `^joulebench: Run 'shared' is in use by pid ${first.pid} on ${hostname()}, since \\S+ \\(joulebench bench`,
          ),
        ),
      ]);
      expect(second.stderr).not.toMatch(/^\s+at /m);
    }

    first.kill('SIGTERM');
    const stopped = await firstDone;
    expect(stopped.status).toBe(143);
    expect(stopped.stderr).toContain(`Resume with: ${resumePrefix} shared --out ${out} --hub `);
    expect(existsSync(lockPath(runs, 'shared'))).toBe(false);
    // Only the first process wrote: every line whole, each repetition once.
    const reps = readFileSync(join(runs, 'shared.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => RunRecordSchema.parse(JSON.parse(l)).settings.repetition);
    expect(new Set(reps).size).toBe(reps.length);
  });
});

describe('the lock file', () => {
  const note: string[] = [];
  const log = (l: string) => note.push(l);

  function runsDir(): string {
    const dir = join(tempDir(), 'runs');
    mkdirSync(dir);
    return dir;
  }

  const holder = (pid: number, more: Record<string, unknown> = {}) =>
    JSON.stringify({
      pid,
      host: hostname(),
      bootId: null,
      startedAt: '2026-01-01T00:00:00.000Z',
      command: 'x',
      ...more,
    });

  it('holds pid, host and start time, is exclusive within one process too, and is removed on release', () => {
    const dir = runsDir();
    const lock = acquireRunLock(dir, 'r1', log);
    const held = JSON.parse(readFileSync(lockPath(dir, 'r1'), 'utf8'));
    expect(held).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Date.parse(held.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(() => acquireRunLock(dir, 'r1', log)).toThrow(/^Run 'r1' is in use by pid \d+ on /);
    const shard = acquireRunLock(dir, 'r1-shard2of2', log); // shards have their own ids: no contention
    lock.release();
    shard.release();
    expect(existsSync(lockPath(dir, 'r1'))).toBe(false);
    acquireRunLock(dir, 'r1', log).release();
  });

  it('takes over the lock of a process that no longer runs, with a note', () => {
    const dir = runsDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lockPath(dir, 'r2'), holder(gone));
    note.length = 0;
    const lock = acquireRunLock(dir, 'r2', log);
    expect(note).toEqual([
      expect.stringMatching(
        new RegExp(`^Note: run 'r2' was locked, but pid ${gone} on .* no longer runs: taking the lock over`),
      ),
    ]);
    expect(JSON.parse(readFileSync(lockPath(dir, 'r2'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a lock from before a reboot is stale even if its pid runs again', () => {
    const dir = runsDir();
    writeFileSync(lockPath(dir, 'r3'), holder(process.pid, { bootId: 'another-boot' }));
    note.length = 0;
    const bootKnown = existsSync('/proc/sys/kernel/random/boot_id');
    if (bootKnown) {
      acquireRunLock(dir, 'r3', log).release();
      expect(note[0]).toMatch(/before this machine rebooted/);
    } else {
      expect(() => acquireRunLock(dir, 'r3', log)).toThrow(/is in use by pid/);
    }
  });

  it("another host's lock is never taken over: it says how to clear it", () => {
    const dir = runsDir();
    writeFileSync(lockPath(dir, 'r4'), holder(1, { host: 'elsewhere' }));
    expect(() => acquireRunLock(dir, 'r4', log)).toThrow(
      `if it no longer runs on elsewhere, delete ${lockPath(dir, 'r4')}`,
    );
  });

  it('of two processes that both find a lock stale, exactly one takes it over', async () => {
    // B judges the debris stale and pauses; A takes it over and pauses with its new lock created
    // but not yet written; then B goes on. Without a guard B removed A's lock and both ran.
    const dir = runsDir();
    const sync = tempDir();
    const at = (name: string) => join(sync, name);
    writeFileSync(lockPath(dir, 'r6'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(dir, 'r6'), old, old);
    const racer = (call: string, signal: string, wait: string, done: string) =>
      finished(
        spawn(
          process.execPath,
          ['--import', 'tsx', join(repoRoot, 'test/helpers/lock-racer.ts'), dir, 'r6', call, signal, wait, done],
          { cwd: repoRoot },
        ),
      );
    const b = racer('statSync', at('b-judged'), at('a-created'), at('b-done'));
    await waitFor('B to judge the lock', () => existsSync(at('b-judged')));
    const a = racer('openSync', at('a-created'), at('b-done'), at('a-done'));
    const outcomes = (await Promise.all([a, b])).map((r) => {
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { won: boolean; pid: number; message: string };
    });
    const winners = outcomes.filter((o) => o.won);
    expect(winners, JSON.stringify(outcomes)).toHaveLength(1);
    expect(outcomes.find((o) => !o.won)!.message).toMatch(/^Run 'r6' is (being started|in use) by /);
    expect(JSON.parse(readFileSync(lockPath(dir, 'r6'), 'utf8')).pid).toBe(winners[0]!.pid);
    expect(existsSync(`${lockPath(dir, 'r6')}.takeover`)).toBe(false);
  }, 60_000);

  it("clears a takeover guard whose process died or that is too old, and waits out a live one's", () => {
    const dir = runsDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const guard = `${lockPath(dir, 'r7')}.takeover`;
    const stale = () => writeFileSync(lockPath(dir, 'r7'), holder(gone));
    stale();
    writeFileSync(guard, holder(gone)); // a takeover that died half-way
    acquireRunLock(dir, 'r7', log).release();
    expect(existsSync(guard)).toBe(false);

    stale();
    writeFileSync(guard, holder(process.pid)); // a live takeover, under way
    const started = Date.now();
    expect(() => acquireRunLock(dir, 'r7', log)).toThrow(
      `Run 'r7' is being taken over by another process (${guard}): try again; if none is running, delete ${guard}`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(JSON.parse(readFileSync(lockPath(dir, 'r7'), 'utf8')).pid).toBe(gone); // left to that takeover

    const old = new Date(Date.now() - 60_000); // far longer than a takeover takes: its pid was reused
    utimesSync(guard, old, old);
    acquireRunLock(dir, 'r7', log).release();
    expect(existsSync(guard)).toBe(false);
  });

  it('an empty lock is one being created (refused), unless it is old debris (taken over)', () => {
    const dir = runsDir();
    writeFileSync(lockPath(dir, 'r5'), '');
    expect(() => acquireRunLock(dir, 'r5', log)).toThrow(/is being started by another process/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(dir, 'r5'), old, old);
    acquireRunLock(dir, 'r5', log).release();
  });
});

// Puts test/fixtures/nvidia-smi (a bash stand-in over GPUs of known power) first on PATH, in
// a temp dir of its own, with a log of every run so tests can count the processes started.
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const script = resolve(import.meta.dirname, '../fixtures/nvidia-smi');

export interface SmiStandin {
  /** Environment for the meter: PATH with the stand-in first, the log, the GPUs' wattages. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Every run so far: pid, queried fields, and `-lms` period (or "once"). */
  runs(): { pid: number; fields: string; interval: string }[];
  /** Deletes the temp dir. */
  remove(): void;
}

export function installSmiStandin(watts: number[]): SmiStandin {
  const bin = mkdtempSync(join(tmpdir(), 'joulebench-smi-'));
  const target = join(bin, 'nvidia-smi');
  copyFileSync(script, target);
  chmodSync(target, 0o755); // a checkout may not keep the executable bit
  const log = join(bin, 'runs.log');
  return {
    env: (extra = {}) => ({
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      NVSMI_STANDIN_WATTS: watts.join(','),
      NVSMI_STANDIN_LOG: log,
      ...extra,
    }),
    runs: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => {
              const [pid, fields, interval] = line.split(' ');
              return { pid: Number(pid), fields: fields!, interval: interval! };
            })
        : [],
    remove: () => rmSync(bin, { recursive: true, force: true }),
  };
}

/** Waits until process `pid` has exited (or fails after `ms`). */
export async function waitForExit(pid: number, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

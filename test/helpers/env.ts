// Shared test setup: where the offline mirror is, and how to run the real CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** ../shared/hub beside the repository (JOULEBENCH_HUB overrides it). */
export const hubDir = resolve(process.env.JOULEBENCH_HUB ?? join(repoRoot, '..', 'shared', 'hub'));
if (!existsSync(join(hubDir, 'models')) || !existsSync(join(hubDir, 'datasets'))) {
  throw new Error(`Tests need the offline hub mirror at ${hubDir} (set JOULEBENCH_HUB to point elsewhere)`);
}

export function tempDir(prefix = 'joulebench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * An endpoint that refuses connections at once, so "not available offline" is tested the
 * same way on a connected machine and on one without network.
 */
export const unreachableHub = 'http://127.0.0.1:39871'; // nothing listens there

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `joulebench <args>` as a user would, in a child process (asynchronously, so a fake Hub
 * served by the test process keeps answering). Network defaults to an unreachable endpoint.
 */
export function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return finished(startCli(args, env));
}

/** Starts `joulebench <args>` and returns the child at once (for tests that interrupt it). */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli.ts'), ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      JOULEBENCH_HUB: hubDir,
      JOULEBENCH_CACHE: tempDir('joulebench-cache-'),
      HF_ENDPOINT: unreachableHub,
      // Hermetic meters: a developer's RAPL or GPU must not turn the tests' estimate into a measurement.
      JOULEBENCH_POWERCAP_ROOT: '/nonexistent/powercap',
      JOULEBENCH_NVML_LIB: '/nonexistent/libnvidia-ml.so.1',
      ...env,
    },
  });
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

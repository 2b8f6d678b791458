// Shared test setup: where the offline mirror is, and how to run the CLI — in this process
// (main(argv), output captured), or as a real child process where that is what is tested
// (signals, SIGKILL, concurrency).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.js';
import { internalErrorText } from '../../src/util/errors.js';
import { EXIT } from '../../src/util/exit-codes.js';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** ../shared/hub beside the repository (JOULEBENCH_HUB overrides it). */
export const hubDir = resolve(process.env.JOULEBENCH_HUB ?? join(repoRoot, '..', 'shared', 'hub'));
if (!existsSync(join(hubDir, 'models')) || !existsSync(join(hubDir, 'datasets'))) {
  throw new Error(`Tests need the offline hub mirror at ${hubDir} (set JOULEBENCH_HUB to point elsewhere)`);
}

/** The smallest real model of the mirror: one classification run of it takes about a second. */
export const smallModel = ['--task', 'classification', '--model', 'joulebench-fixtures/sentiment-bow-en'];

/** Few samples and windows: what a bench run in a test needs unless it tests the figures. */
export const quickRun = ['--samples', '4', '--repetitions', '2', '--warmup', '1', '--min-window-seconds', '0'];

/** How a printed resume command begins: npm in this package, from any folder. */
export const resumePrefix = `npm --prefix ${repoRoot} run bench -- --resume`;

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

type Env = Record<string, string | undefined>;

/** What every CLI run in the tests sees, unless the test says otherwise. */
function hermetic(env: Env): Env {
  return {
    JOULEBENCH_HUB: hubDir,
    JOULEBENCH_CACHE: tempDir('joulebench-cache-'),
    HF_ENDPOINT: unreachableHub,
    // Hermetic meters: a developer's RAPL or GPU must not turn the tests' estimate into a measurement.
    JOULEBENCH_POWERCAP_ROOT: '/nonexistent/powercap',
    JOULEBENCH_NVML_LIB: '/nonexistent/libnvidia-ml.so.1',
    ...env,
  };
}

/** Runs `fn` with these variables set (undefined = unset) and puts the environment back after. */
async function withEnv<T>(env: Env, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (vars: Env) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(env);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

/**
 * Runs `joulebench <args>` in this process, as main() does for a user, capturing stdout and
 * stderr. Calls must not overlap (they share process.env and the output streams).
 */
export async function cli(args: string[], env: Env = {}): Promise<CliResult> {
  const captured = { stdout: '', stderr: '' };
  const streams = { stdout: process.stdout, stderr: process.stderr } as const;
  const originals = { stdout: streams.stdout.write, stderr: streams.stderr.write };
  for (const name of ['stdout', 'stderr'] as const) {
    streams[name].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  }
  let status: number;
  try {
    status = await withEnv(hermetic(env), () => main(args));
  } catch (err) {
    // main() reports bugs itself; this is what the entry point does with one that escapes it.
    captured.stderr += internalErrorText(err);
    status = EXIT.internalError;
  } finally {
    streams.stdout.write = originals.stdout;
    streams.stderr.write = originals.stderr;
  }
  return { status, ...captured };
}

/** The command line of a TypeScript file of the repository run with tsx, for a child process or a shell, in any folder. */
export function scriptArgv(script: string, args: string[]): string[] {
  return [process.execPath, '--import', import.meta.resolve('tsx'), join(repoRoot, script), ...args];
}

/** The command line of `joulebench <args>` from the sources. */
export function cliArgv(args: string[]): string[] {
  return scriptArgv('src/cli/main.ts', args);
}

/** Starts `joulebench <args>` in a child process and returns it at once (for tests that interrupt it). */
export function startCli(args: string[], env: Env = {}): ChildProcess {
  const [node, ...rest] = cliArgv(args);
  return spawn(node!, rest, { cwd: repoRoot, env: { ...process.env, ...hermetic(env) } });
}

/**
 * Starts a bash script with the tests' environment (a pipeline, a pasted command line), in
 * `cwd`; `args` are its "$@".
 */
export function startShell(script: string, options: { args?: string[]; env?: Env; cwd?: string } = {}): ChildProcess {
  return spawn('bash', ['-c', script, 'bash', ...(options.args ?? [])], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...hermetic(options.env ?? {}) },
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

/**
 * Resolves when a child started with JOULEBENCH_TEST_PAUSE=<point> says it waits there (see
 * src/util/test-pause.ts), so a test can signal it at exactly that point; rejects if it exits first.
 */
export function pausedAt(child: ChildProcess, point: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (d: Buffer | string) => {
      text += d.toString();
      if (text.includes(`joulebench-test: paused at ${point}\n`)) resolve();
    });
    child.on('close', (status) => reject(new Error(`exited (${status}) before pausing at ${point}:\n${text}`)));
  });
}
